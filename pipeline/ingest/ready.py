"""The `_READY` marker: how a data drop says it is complete, and for which month. Dagster-free.

The exporter writes every file of the drop first and the marker last: `SLA_DATA_DIR/_READY`, a text
file whose first non-empty line is the month the drop completes (`2026-10`); anything after that
line is free text for people (who exported, when). The drop sensor launches that month's run once
per marker: rewriting the marker (a re-drop) changes its signature — its modification time and
content — and launches the month again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.ingest.sources import CSV_SOURCES, PROBES_DIR
from pipeline.months import MonthError, parse_month

READY_MARKER = "_READY"


class DropNotReady(ValueError):
    """The drop has no marker, or its marker or files are not what a run needs; the message says which."""


@dataclass(frozen=True)
class ReadyDrop:
    month: str
    marker: Path
    signature: str  # changes whenever the marker is rewritten: 12 hex digits of sha256(mtime, content)

    @property
    def run_key(self) -> str:
        """One run per month and marker: the same marker never launches twice, a new one does."""
        return f"{self.month}@{self.signature}"


def read_ready_drop(data_dir: Path) -> ReadyDrop:
    """The month a complete drop is ready for; `DropNotReady` when it is not (yet)."""
    marker = data_dir / READY_MARKER
    try:
        stat = marker.stat()
        content = marker.read_bytes()
    except FileNotFoundError:
        raise DropNotReady(f"no {READY_MARKER} marker in {data_dir} yet") from None
    except OSError as exc:
        raise DropNotReady(f"cannot read {marker}: {exc.strerror}") from exc
    lines = [line.strip() for line in content.decode("utf-8", "replace").splitlines() if line.strip()]
    month = lines[0] if lines else ""
    try:
        parse_month(month)
    except MonthError:
        raise DropNotReady(
            f"{marker} must name the month the drop completes on its first line (YYYY-MM), got {month!r}"
        ) from None
    missing = [s.filename for s in CSV_SOURCES if s.required_file and not (data_dir / s.filename).is_file()]
    if not (data_dir / PROBES_DIR).is_dir():
        missing.append(f"{PROBES_DIR}/")
    if missing:
        raise DropNotReady(f"{marker} says {month} is ready, but the drop lacks {', '.join(missing)}")
    digest = hashlib.sha256(f"{stat.st_mtime_ns}\n".encode() + content).hexdigest()[:12]
    return ReadyDrop(month=month, marker=marker, signature=digest)


__all__ = ["READY_MARKER", "DropNotReady", "ReadyDrop", "read_ready_drop"]
