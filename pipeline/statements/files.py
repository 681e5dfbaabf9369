"""Where statement files go and how they get there: validated names, temp-then-rename, versions.

Layout (data contract): `$SLA_STATEMENTS_DIR/YYYY-MM/<customer_id>.pdf` is the current statement; a
superseded version is kept beside it as `<customer_id>.v<N>.pdf`. The month summary is
`statements.csv` and `_summary.pdf` (a customer id cannot start with `_` or contain a dot, so no
customer file can collide with these or with a version file). Every file is written to a hidden
temporary name in the same folder and renamed into place, so a reader never sees half a file and a
crash leaves at most a `.tmp` file behind.

Versions (the seam for restatements): identical bytes are the same version; different bytes keep the
old file as `.v<N>.pdf` and become version N+1, superseding N. The version of a file already on disk
is the `statements` table's when its sha256 matches the file, else (file without a record, e.g. a
fresh warehouse) one more than the highest `.v<K>.pdf` beside it.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from pipeline.months import parse_month
from pipeline.statements.viewmodel import StatementError, validate_customer_id

SUMMARY_CSV = "statements.csv"
SUMMARY_PDF = "_summary.pdf"
_TMP_PREFIX = "."
_TMP_MARK = ".tmp-"


def month_dir(statements_dir: Path, month: str) -> Path:
    parse_month(month)  # validates 'YYYY-MM' before it becomes a folder name
    return statements_dir / month


def statement_path(folder: Path, customer_id: str, version: int | None = None) -> Path:
    validate_customer_id(customer_id)
    suffix = ".pdf" if version is None else f".v{int(version)}.pdf"
    return folder / f"{customer_id}{suffix}"


def temporary_path(target: Path) -> Path:
    return target.with_name(f"{_TMP_PREFIX}{target.name}{_TMP_MARK}{os.getpid()}-{secrets.token_hex(6)}")


def atomic_write(target: Path, data: bytes) -> None:
    """Write `data` to a temporary name beside `target`, flush it to disk, rename it over `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(target)
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def highest_archived_version(folder: Path, customer_id: str) -> int:
    pattern = re.compile(rf"^{re.escape(customer_id)}\.v([1-9][0-9]*)\.pdf$")
    versions = [int(m.group(1)) for p in folder.glob(f"{customer_id}.v*.pdf") if (m := pattern.match(p.name))]
    return max(versions, default=0)


@dataclass(frozen=True)
class Recorded:
    """The `statements` table's current row of a customer-month, if any."""

    version: int
    supersedes: int | None
    sha256: str


@dataclass(frozen=True)
class Placement:
    version: int
    supersedes: int | None
    path: Path
    sha256: str
    changed: bool
    archived: tuple[int, Path, str] | None  # (version, path, sha256) of the file moved aside


def place_statement(
    folder: Path, customer_id: str, rendered: Path, sha256: str, recorded: Recorded | None
) -> Placement:
    """Move the freshly rendered temporary file `rendered` into place as the current statement."""
    current = statement_path(folder, customer_id)
    if current.exists():
        on_disk = file_sha256(current)
        if recorded is not None and recorded.sha256 == on_disk:
            disk_version, disk_supersedes = recorded.version, recorded.supersedes
        else:
            disk_version = highest_archived_version(folder, customer_id) + 1
            disk_supersedes = disk_version - 1 or None
        if on_disk == sha256:
            rendered.unlink(missing_ok=True)
            return Placement(disk_version, disk_supersedes, current, sha256, changed=False, archived=None)
        archive = statement_path(folder, customer_id, disk_version)
        if archive.exists():
            if file_sha256(archive) != on_disk:
                raise StatementError(
                    f"{archive} already exists with other content than {current}; refusing to overwrite a kept version"
                )
        else:
            atomic_write(archive, current.read_bytes())
        os.replace(rendered, current)
        return Placement(
            disk_version + 1, disk_version, current, sha256, changed=True, archived=(disk_version, archive, on_disk)
        )
    if recorded is not None:
        # The recorded file is gone from disk: same bytes restore it, other bytes are a new version.
        same = recorded.sha256 == sha256
        os.replace(rendered, current)
        if same:
            return Placement(recorded.version, recorded.supersedes, current, sha256, changed=False, archived=None)
        return Placement(recorded.version + 1, recorded.version, current, sha256, changed=True, archived=None)
    version = highest_archived_version(folder, customer_id) + 1
    os.replace(rendered, current)
    return Placement(version, version - 1 or None, current, sha256, changed=True, archived=None)


__all__ = [
    "SUMMARY_CSV",
    "SUMMARY_PDF",
    "month_dir",
    "statement_path",
    "temporary_path",
    "atomic_write",
    "file_sha256",
    "place_statement",
    "Placement",
    "Recorded",
]
