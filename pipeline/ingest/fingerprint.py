"""What a month's published figures and statements are made of, as one hash: the rerun that would
change nothing is recognised before it reads a row (issue 12 part 3).

A month's run is a function of
- every file of the data drop (`SLA_DATA_DIR`, content, names and place in the tree) and where the drop is;
- the policy file;
- the code: the package's Python, its SQL models, its templates and fonts, and the libraries that
  compute figures or lay out PDFs (DuckDB, WeasyPrint and its Pango/HarfBuzz, holidays, …);
- the operator's `--as-of`, if any;
- the other months' runs in the warehouse it starts from (the chronic-failure rule reads earlier
  months; a month rerun elsewhere gets a new run id);
- the instant the run starts, but only through timestamps "in the future" and through an as-of clipped
  to the start: `published_run_unchanged` refuses to reuse a run where either happened.

The first step records this hash in `main.report_runs.inputs_sha256`. The next run of the month
compares it with the hash of what it would read now; equal (and the published statements still the
files the warehouse lists) means the published month is exactly what the rerun would build, so the run
stops there and publishes nothing (docs/reliability.md, "Unchanged reruns"). Anything the hash cannot
vouch for (a special file or a link to a folder in the drop, a file that changed while the run read it)
gives no hash, and the next run of the month is a full one.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import importlib.metadata
import json
import os
import stat
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipeline.months import parse_month
from pipeline.settings import SQL_DIR, TEMPLATES_DIR, Settings
from pipeline.warehouse.connection import connection, table_exists
from pipeline.warehouse.runlog import forget_fingerprints, recorded_drop_sha256

# Distributions whose version can change a figure or a byte of a PDF.
FIGURE_DISTRIBUTIONS = (
    "duckdb", "pyarrow", "holidays", "pyyaml", "pydantic", "jinja2", "markupsafe",
    "weasyprint", "pydyf", "tinycss2", "cssselect2", "fonttools", "pypdf",
)
# Timestamps after the run's start are rejected with this (sql/macros.sql, sql/intermediate/ingest/probe_scan.sql).
FUTURE_REASON = "% is in the future (the run started at %"
FUTURE_INSTANT = "'(.+)' is in the future \\(the run started at "
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DropFingerprint:
    """The drop's files as hashed: the hash (None when the drop holds something a hash cannot vouch
    for), how many files and bytes it covers, and why there is no hash."""

    sha256: str | None
    files: int
    bytes: int
    unhashable: str | None = None


def drop_fingerprint(data_dir: Path) -> DropFingerprint:
    """SHA-256 over every file of the drop, hidden ones too, by path relative to the drop. A link to a
    file counts as that file's bytes; a link to a folder, a dangling link, a FIFO or a device makes the
    drop unhashable (the readers refuse those, and opening a FIFO would block)."""
    digest = hashlib.sha256()
    files = size = 0
    root = data_dir.resolve()
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted([*names, *(d for d in dirs if os.path.islink(os.path.join(folder, d)))]):
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            try:
                info = path.stat()  # follows a link
            except OSError as exc:
                return DropFingerprint(None, files, size, f"{relative}: {exc.strerror or exc}")
            if not stat.S_ISREG(info.st_mode):
                return DropFingerprint(None, files, size, f"{relative} is not a regular file")
            try:
                with open(path, "rb") as handle:
                    content = hashlib.file_digest(handle, "sha256").hexdigest()
            except OSError as exc:  # unreadable: the reader that needs it will name it
                return DropFingerprint(None, files, size, f"{relative}: {exc.strerror or exc}")
            digest.update(f"{relative}\0{info.st_size}\0{content}\n".encode())
            files += 1
            size += info.st_size
    return DropFingerprint(digest.hexdigest(), files, size)


def _tree_digest(root: Path, digest: hashlib._Hash) -> None:
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def _native_version(library: str, symbol: str | None = None) -> str:
    """The version a shared library reports (`symbol` returns a C string), "present" when it has no
    such call, or "absent"."""
    try:
        handle = ctypes.CDLL(library)
    except OSError:
        return "absent"
    if symbol is None:
        return "present"
    function = getattr(handle, symbol)
    function.restype = ctypes.c_char_p
    return function().decode()


@functools.cache
def code_version() -> str:
    """SHA-256 of the program as this process runs it: the package's files, the SQL models, the
    templates and fonts, the Python and library versions that shape figures and PDFs."""
    digest = hashlib.sha256()
    for root in (_PACKAGE_DIR, SQL_DIR, TEMPLATES_DIR):
        digest.update(f"[{root.name}]\n".encode())
        if root.is_relative_to(_PACKAGE_DIR) and root != _PACKAGE_DIR:
            continue  # an installed wheel keeps sql/ and templates/ inside the package, hashed above
        _tree_digest(root, digest)
    versions = {"python": sys.version}
    for name in FIGURE_DISTRIBUTIONS:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    versions["pango"] = _native_version("libpango-1.0.so.0", "pango_version_string")
    versions["harfbuzz"] = _native_version("libharfbuzz.so.0", "hb_version_string")
    versions["harfbuzz-subset"] = _native_version("libharfbuzz-subset.so.0")  # absent: fontTools subsets
    digest.update(json.dumps(versions, sort_keys=True).encode())
    return digest.hexdigest()


def other_month_runs(con: duckdb.DuckDBPyConnection, month: str) -> list[list[str]]:
    """(month, run id) of every other month the warehouse holds a run of."""
    if not table_exists(con, "main", "report_runs"):
        return []
    rows = con.execute(
        "SELECT month, run_id FROM main.report_runs WHERE month <> $month ORDER BY month", {"month": month}
    ).fetchall()
    return [[m, r] for m, r in rows]


def inputs_sha256(
    settings: Settings, month: str, as_of_override: str | None, drop: DropFingerprint, other_runs: list[list[str]]
) -> str | None:
    """The hash of everything the month's run is a function of (module docstring); None when the drop
    cannot be hashed."""
    if drop.sha256 is None:
        return None
    try:
        policy = hashlib.sha256(settings.policy_file.read_bytes()).hexdigest()
    except OSError:
        return None  # the run itself will say what is wrong with the policy file
    parts = {
        "month": month,
        "as_of_override": (as_of_override or "").strip() or None,
        "data_dir": str(settings.data_dir.resolve()),
        "drop": drop.sha256,
        "policy": policy,
        "code": code_version(),
        "other_month_runs": other_runs,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Reuse:
    """Whether the published month is what this run would build: the published run's id when it is,
    else None and the reason a full run is needed."""

    published_run: str | None
    reason: str


def published_run_unchanged(
    settings: Settings, month: str, as_of_override: str | None, drop: DropFingerprint, now: datetime
) -> Reuse:
    """Compare this run's hash with the one the published run of `month` recorded, and check that its
    result does not depend on when it ran (every row it rejected as future is still after `now`, this
    run's start, and its as-of was not clipped to its start) and that its statements are still the
    files the warehouse lists."""
    if not settings.warehouse.exists():
        return Reuse(None, "nothing is published yet")
    if drop.sha256 is None:
        return Reuse(None, f"the drop cannot be fingerprinted ({drop.unhashable})")
    try:
        return _compare_with_published(settings, month, as_of_override, drop, now)
    except duckdb.Error as exc:  # the full run will say what is wrong with the warehouse, if anything
        return Reuse(None, f"cannot read the published warehouse {settings.warehouse} ({exc})")


def _compare_with_published(
    settings: Settings, month: str, as_of_override: str | None, drop: DropFingerprint, now: datetime
) -> Reuse:
    with connection(settings.warehouse, read_only=True) as con:
        columns = {
            name for (name,) in con.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = 'main' AND table_name = 'report_runs'"
            ).fetchall()
        }
        if "inputs_sha256" not in columns:
            return Reuse(None, f"no published run of {month} recorded its inputs")
        row = con.execute(
            "SELECT run_id, inputs_sha256, as_of, as_of_source, run_started_at FROM main.report_runs"
            " WHERE month = $month",
            {"month": month},
        ).fetchone()
        if row is None:
            return Reuse(None, f"{month} is not published yet")
        run_id, recorded, as_of, as_of_source, started = row
        if recorded is None:
            return Reuse(None, f"run {run_id} could not fingerprint its inputs")
        if recorded != inputs_sha256(settings, month, as_of_override, drop, other_month_runs(con, month)):
            return Reuse(None, f"the drop, the policy, the code, --as-of or another month changed since run {run_id}")
        if as_of_source == "month_end" and as_of < parse_month(month)[1]:
            return Reuse(None, f"run {run_id} ran before {month} ended (its as-of was its start)")
        future = con.execute(
            "SELECT count(*), count(instant), min(instant) FROM ("
            "  SELECT TRY_CAST(regexp_extract(reason, $quoted, 1) AS TIMESTAMPTZ) AS instant"
            "  FROM main.rejected_rows WHERE month = $month AND reason LIKE $future)",
            {"month": month, "future": FUTURE_REASON, "quoted": FUTURE_INSTANT},
        ).fetchone()
        rejected, readable, earliest = future
        if rejected and (readable < rejected or earliest <= now):
            return Reuse(None, f"rows run {run_id} rejected as later than its start ({started.isoformat()}) may not be now")
        statements = con.execute(
            "SELECT path, sha256 FROM main.statements WHERE month = $month ORDER BY path", {"month": month}
        ).fetchall() if table_exists(con, "main", "statements") else []
    for path, expected in statements:
        try:
            with open(path, "rb") as handle:
                if hashlib.file_digest(handle, "sha256").hexdigest() == expected:
                    continue
        except OSError:
            pass
        return Reuse(None, f"published statement {path} is missing or not the file run {run_id} wrote")
    return Reuse(run_id, f"the drop, the policy, the code and the other months are those of published run {run_id}")


def vouch_for_drop(con: duckdb.DuckDBPyConnection, data_dir: Path, month: str, run_id: str) -> str | None:
    """Once the run has read every file: if the drop is no longer what the first step hashed, the run
    cannot say which bytes its figures came from, so it forgets its fingerprints (the next run of the
    month is a full one) and returns what to tell the operator; None when the drop is unchanged."""
    recorded = recorded_drop_sha256(con, month, run_id)
    if recorded is None:
        return None
    now = drop_fingerprint(data_dir)
    if now.sha256 == recorded:
        return None
    forget_fingerprints(con, month, run_id)
    return (
        f"the data drop changed while this run read it ({now.unhashable or 'other bytes than at the start'}); "
        "the next run of the month will rebuild it in full"
    )


__all__ = [
    "DropFingerprint",
    "Reuse",
    "code_version",
    "drop_fingerprint",
    "inputs_sha256",
    "other_month_runs",
    "published_run_unchanged",
    "vouch_for_drop",
]
