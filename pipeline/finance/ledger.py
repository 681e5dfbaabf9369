"""The finance ledger: the one record a run never rebuilds (approvals, issues, sends, downloads).

One JSON object per line in `SLA_LEDGER` (default `sla-ledger.jsonl` beside the warehouse), outside the
recomputable warehouse file, so publishing a rebuilt month can never drop an approval.

Append-only and safe under concurrency: every event is one `write()` of one whole line on a descriptor
opened with `O_APPEND` (the kernel puts each write at the end of the file, so two processes appending at
once cannot overwrite each other), under an exclusive `flock` (so lines never interleave on file systems
where a large append could be split), followed by `fsync` (an event the command reported is on disk).
A line cut short by a crash is skipped when reading and terminated before the next append, so it can
never glue itself to the next event.

Events (`event` field):
- `approved`, `issued`: lifecycle transitions of one statement version (`month`, `customer_id`,
  `version`, `statement_id`, `sha256` of the PDF); `issued` also carries the `figures` as issued;
- `sent`, `send_failed`: one delivery attempt (`delivery` = `smtp` | `eml`, `recipient`, `detail`);
- `download`: a file the portal served (`detail` = the URL path).
Every event has `by` (a person or user name) and `at` (UTC, ISO 8601 with `Z`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.finance.errors import FinanceError

EVENTS = ("approved", "issued", "sent", "send_failed", "download")


class LedgerError(FinanceError):
    """The ledger cannot be read or written; the message names the file."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Event:
    event: str
    by: str
    at: str
    month: str | None = None
    customer_id: str | None = None
    version: int | None = None
    statement_id: str | None = None
    sha256: str | None = None
    delivery: str | None = None
    recipient: str | None = None
    detail: str | None = None
    figures: Mapping[str, Any] | None = field(default=None, compare=False)

    def to_json(self) -> str:
        data = {k: v for k, v in self.__dict__.items() if v is not None}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Event:
        known = {k: data.get(k) for k in cls.__dataclass_fields__}
        if known["version"] is not None:
            known["version"] = int(known["version"])
        return cls(**known)

    def key(self) -> tuple[str | None, str | None, int | None, str | None]:
        """Which statement version an event is about: the exact PDF, not only its number."""
        return (self.month, self.customer_id, self.version, self.sha256)


@dataclass(frozen=True)
class Ledger:
    path: Path

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def ensure(self) -> Path:
        """Create an empty ledger if there is none (the warehouse view reads the file by its path)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        os.close(fd)
        return self.path

    def append(self, *events: Event) -> None:
        """Append whole lines, one `write` each, durably; safe against other processes appending too."""
        for event in events:
            if event.event not in EVENTS:
                raise LedgerError(f"unknown ledger event {event.event!r}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # read-write only to look at the last byte; every write goes to the end (O_APPEND)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
        except OSError as exc:
            raise LedgerError(f"cannot open the ledger {self.path} for appending: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    os.write(fd, b"\n")  # a line cut short by a crash stays one (skipped) bad line
                for event in events:
                    line = (event.to_json() + "\n").encode("utf-8")
                    written = os.write(fd, line)
                    if written != len(line):
                        raise LedgerError(f"short write to the ledger {self.path} ({written} of {len(line)} bytes)")
                os.fsync(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError as exc:
            raise LedgerError(f"cannot append to the ledger {self.path}: {exc.strerror}") from exc
        finally:
            os.close(fd)

    def events(self) -> list[Event]:
        """Every complete event in file order; a missing ledger is an empty one."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise LedgerError(f"cannot read the ledger {self.path}: {exc.strerror}") from exc
        events = []
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError:
                continue  # only a crash mid-append leaves a partial line; it recorded nothing
            if isinstance(data, dict) and data.get("event") in EVENTS:
                events.append(Event.from_json(data))
        return events

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Serialise approve/issue commands (read the state, act, append) across processes; appends by
        others (downloads, a run) go on meanwhile."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


__all__ = ["EVENTS", "Event", "Ledger", "LedgerError", "iso", "utc_now"]
