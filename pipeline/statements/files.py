"""Where statement files go and how they get there: validated names, temp-then-rename, versions.

Layout (data contract): `$SLA_STATEMENTS_DIR/YYYY-MM/<customer_id>.pdf` is the current statement; a
superseded version is kept beside it as `<customer_id>.v<N>.pdf`. The month summary is
`statements.csv` and `_summary.pdf` (a customer id cannot start with `_` or contain a dot, so no
customer file can collide with these or with a version file). Every file is written to a hidden
temporary name in the same folder and renamed into place, so a reader never sees half a file and a
crash leaves at most a `.tmp` file behind.

Versions: `render_month` (pipeline/statements/month.py) makes a new version only when a figure
changes (pipeline/statements/restatement.py), moving the old file aside as `.v<N>.pdf`; a file
without a record (a folder of the old layout) is one more than the highest `.v<K>.pdf` beside it.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

from pipeline.months import parse_month
from pipeline.statements.viewmodel import validate_customer_id

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


__all__ = [
    "SUMMARY_CSV",
    "SUMMARY_PDF",
    "month_dir",
    "statement_path",
    "temporary_path",
    "atomic_write",
    "file_sha256",
    "highest_archived_version",
]
