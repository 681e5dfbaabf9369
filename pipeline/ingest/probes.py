"""The drop's probe result files (R13): found, checked for their columns, and exposed to SQL as one view.

Every file under `<data_dir>/probes/` is read — `*.csv`, `*.csv.gz`, `*.jsonl`, `*.jsonl.gz`, `*.parquet`,
mixed freely. A probe month is ~45 M rows, so rows are not copied into the warehouse:
- Parquet is read by DuckDB in place (`read_parquet(..., filename, file_row_number)`): the fast path.
- CSV and JSONL are read in Python (exact record numbers and raw text, like ingestion's CSV reader) into
  the connection's TEMP table `probe_text_rows`, in batches.
Both meet in the TEMP view `probe_raw_rows` (every contract column as text, plus `file_path`,
`line_number`, `shape_problem`, `raw`), parsed by `sql/staging/probe_results.sql`, installed as the TEMP
view `probe_results`. `ingest_probe_files` reads that view in two passes (see `docs/uptime-credits.md`)
and leaves behind the tables the uptime engine judges minutes from.

A missing required column, an unreadable file or a file of another kind stops the run with a message
naming the file; a bad row is rejected later, in SQL, with its reason.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.ingest.readers import (
    EXPANSION_FLOOR_BYTES,
    MAX_EXPANSION_RATIO,
    InputFileError,
    Record,
    open_binary,
    read_csv_records,
    records_to_arrow,
    undecodable_text_message,
)
from pipeline.ingest.sources import PROBES_DIR
from pipeline.months import RunParams
from pipeline.warehouse.connection import table_exists
from pipeline.warehouse.sqlrunner import install_macros, load_model, run_models

REQUIRED_COLUMNS = ("probed_at", "check", "region", "customer_id", "status_code", "error_code")
OPTIONAL_COLUMNS = ("latency_ms",)
PROBE_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
FORMATS = {".csv": "csv", ".csv.gz": "csv", ".jsonl": "jsonl", ".jsonl.gz": "jsonl", ".parquet": "parquet"}
_BATCH_RECORDS = 200_000


class ProbeFileError(InputFileError):
    """A probe file that stops the run (missing column, unreadable, unknown kind); names the file."""


@dataclass(frozen=True)
class ProbeFile:
    path: Path
    source_file: str  # relative to the data dir, e.g. 'probes/shared-2026-10.csv.gz'
    format: str  # 'csv' | 'jsonl' | 'parquet'


def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return FORMATS[suffix]
    return None


def _walk(folder: Path, data_dir: Path) -> Iterator[Path]:
    """Every visible regular file under `folder`, subfolders included; refuses what cannot be read safely.

    - A symbolic link to a file is followed only when its target lies inside the drop (`data_dir`): a
      link out of it (`probes/x.csv -> /etc/passwd`, or to another drop) stops the run naming the link.
    - A symbolic link to a folder is refused (walking it could loop or read a folder twice).
    - Anything that is neither a file nor a folder (a FIFO, a socket, a device) is refused: reading a
      FIFO would block the run, and it must not be skipped silently."""
    root = data_dir.resolve()
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        relative = entry.relative_to(data_dir).as_posix()
        if entry.is_symlink():
            target = entry.resolve()
            if not target.is_relative_to(root):
                raise ProbeFileError(
                    f"{relative} is a symbolic link to {target}, outside the data drop {root}: refused "
                    "(a drop holds its own files; copy the file into the drop)"
                )
            if target.is_dir():
                raise ProbeFileError(f"{relative} is a symbolic link to a folder ({target}): refused; "
                                     "move the files into probes/ instead")
            if not target.is_file():
                raise ProbeFileError(f"{relative} is a symbolic link to {target}, which is not a file")
            yield entry
        elif entry.is_dir():
            yield from _walk(entry, data_dir)
        elif entry.is_file():
            yield entry
        else:
            raise ProbeFileError(f"{relative} is not a regular file (a FIFO, socket or device): refused")


def discover_probe_files(data_dir: Path) -> list[ProbeFile]:
    """Every probe file of the drop in sorted path order (the order that decides which duplicate is kept).

    Subfolders are read too (`probes/eu/2026-10.csv`). Hidden files and folders (`.DS_Store`, editor
    backups starting with a dot) are ignored; any other file of an unknown kind stops the run rather
    than being silently skipped, and so does a link out of the drop (see `_walk`)."""
    folder = data_dir / PROBES_DIR
    if not folder.is_dir():
        raise ProbeFileError(f"required folder {PROBES_DIR}/ is missing from {data_dir}")
    if not folder.resolve().is_relative_to(data_dir.resolve()):
        raise ProbeFileError(f"{PROBES_DIR}/ is a symbolic link to {folder.resolve()}, outside the data drop "
                             f"{data_dir.resolve()}: refused")
    files = []
    for path in _walk(folder, data_dir):
        relative = path.relative_to(data_dir).as_posix()
        kind = _format_of(path)
        if kind is None:
            raise ProbeFileError(
                f"{relative} is not a probe file this pipeline reads (*.csv, *.csv.gz, *.jsonl, *.jsonl.gz, "
                "*.parquet); move it out of probes/ or convert it"
            )
        # the path as found (a link stays a link), so two names of one file are two files whose rows
        # collapse as exact duplicates, never one file counted under two names
        files.append(ProbeFile(path.absolute(), relative, kind))
    return sorted(files, key=lambda f: f.source_file)


# --- JSON lines ------------------------------------------------------------------------------------


def _json_text(value: object) -> str | None:
    """A JSON value as the text the SQL parser reads: numbers as written, null as missing."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def read_jsonl_records(path: Path, display_name: str) -> Iterator[Record]:
    """Yield a Record per non-blank line; `line_number` is the physical line (blank lines keep counting).

    A required key absent from every line of the file stops the run (checked at the end of the file);
    a key absent from some lines reads as empty there, like JSON null."""
    seen_keys: set[str] = set()
    records = 0
    try:
        with open_binary(path, display_name) as binary, io.TextIOWrapper(binary, encoding="utf-8-sig", newline="\n") as handle:
            for line_number, line in enumerate(handle, start=1):
                raw = line.rstrip("\r\n")
                if not raw.strip():
                    continue
                records += 1
                problem = None
                values: dict[str, str | None] = {}
                if "\x00" in raw:  # like ingestion's CSV reader: a damaged file; raw shown printable
                    raw = raw.replace("\x00", "\u2400")
                    problem = "has a NUL byte (0x00): the file may be damaged"
                    yield Record(line_number, values, raw, problem)
                    continue
                try:
                    document = json.loads(raw)
                except json.JSONDecodeError as exc:
                    problem = f"not valid JSON ({exc.msg} at column {exc.colno})"
                else:
                    if isinstance(document, dict):
                        seen_keys.update(document)
                        values = {name: _json_text(document.get(name)) for name in PROBE_COLUMNS}
                    else:
                        problem = f"not a JSON object (a {type(document).__name__})"
                yield Record(line_number, values, raw, problem)
    except UnicodeDecodeError as exc:
        raise ProbeFileError(undecodable_text_message(path, display_name)) from exc
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ProbeFileError(f"{display_name} cannot be read: {exc}") from exc
    except InputFileError as exc:  # e.g. the decompression bound of open_binary
        raise ProbeFileError(str(exc)) from exc
    missing = [name for name in REQUIRED_COLUMNS if name not in seen_keys]
    if records and missing:
        raise ProbeFileError(
            f"{display_name} is missing required column {', '.join(repr(m) for m in missing)} "
            "(no line of the file has that key)"
        )


# --- Parquet ---------------------------------------------------------------------------------------


# What a Parquet column may hold: text always (parsed in SQL like CSV), or the natural type of the value.
# Anything else (a timestamp stored as an integer, a status as a float, latency as a boolean) is a
# column problem of the file, not a problem of each row: it stops the run naming file, column and type.
def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)


_ACCEPTED_TYPES = {
    "probed_at": ("text or a timestamp", lambda t: _is_text(t) or pa.types.is_timestamp(t)),
    "check": ("text", _is_text),
    "region": ("text", _is_text),
    "customer_id": ("text", _is_text),
    "status_code": ("an integer or text", lambda t: _is_text(t) or pa.types.is_integer(t)),
    "error_code": ("text", _is_text),
    "latency_ms": ("a number or text", lambda t: _is_text(t) or pa.types.is_integer(t) or pa.types.is_floating(t)
                   or pa.types.is_decimal(t)),
}
# Parquet bomb bounds: rows or decoded bytes out of all proportion to the file's size. The sample's
# Parquet probe file has ~2.8 bytes a row and decodes to ~10× its size; a file with more than
# MAX_PARQUET_ROWS_PER_BYTE rows a byte (past a million rows), or whose pages decode to more than
# MAX_EXPANSION_RATIO × its size (past EXPANSION_FLOOR_BYTES), is refused before a row is read.
MAX_PARQUET_ROWS_PER_BYTE = 20
_PARQUET_ROWS_FLOOR = 1_000_000


def _value_type(t: pa.DataType) -> pa.DataType:
    return t.value_type if pa.types.is_dictionary(t) else t


def parquet_columns(path: Path, display_name: str) -> dict[str, str]:
    """Column name → Arrow type of a Parquet file; raise naming the file if unreadable, incomplete,
    of a wrong column type, or a decompression bomb."""
    try:
        metadata = pq.read_metadata(path)
        schema = metadata.schema.to_arrow_schema()
    except (OSError, pa.ArrowException) as exc:
        raise ProbeFileError(f"{display_name} cannot be read as Parquet: {exc}") from exc
    columns = {field.name: str(field.type) for field in schema}
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ProbeFileError(
            f"{display_name} is missing required column {', '.join(repr(m) for m in missing)} "
            f"(its columns are: {', '.join(columns)})"
        )
    for field in schema:
        if field.name in _ACCEPTED_TYPES:
            expected, accepts = _ACCEPTED_TYPES[field.name]
            if not accepts(_value_type(field.type)):
                raise ProbeFileError(
                    f"{display_name} column {field.name!r} is of type {field.type}, expected {expected}: "
                    "the whole column would be unreadable, so the file is refused"
                )
    size = max(path.stat().st_size, 1)
    decoded = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if metadata.num_rows > max(_PARQUET_ROWS_FLOOR, MAX_PARQUET_ROWS_PER_BYTE * size) or decoded > max(
        EXPANSION_FLOOR_BYTES, MAX_EXPANSION_RATIO * size
    ):
        raise ProbeFileError(
            f"{display_name} holds {metadata.num_rows:,} rows decoding to {decoded:,} bytes in a file of "
            f"{size:,} bytes: refused as a decompression bomb (a real probe export has a few bytes a row)"
        )
    return columns


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _parquet_select(paths: list[Path], columns: dict[str, str]) -> str:
    """One read_parquet over files sharing a schema, every contract column as text.

    `raw` stays NULL here: rendering every row as JSON would cost more than reading the files, so the
    JSON of a rejected row is built from its text columns only when it is rejected (probe_scan).
    DuckDB binds no parameters in a view, so paths (file-system data, not SQL) are quoted as literals."""
    as_text = {
        name: (f"CAST(p.{_identifier(name)} AS VARCHAR)" if name in columns else "CAST(NULL AS VARCHAR)")
        for name in PROBE_COLUMNS
    }
    files = "[" + ", ".join(_literal(str(p)) for p in paths) + "]"
    return (
        "SELECT p.filename AS file_path, p.file_row_number + 1 AS line_number, "
        "CAST(NULL AS VARCHAR) AS shape_problem, "
        + ", ".join(f"{expr} AS {_identifier(name)}" for name, expr in as_text.items())
        + f", CAST(NULL AS VARCHAR) AS raw FROM read_parquet({files}, filename = true, file_row_number = true) AS p"
    )


# --- installing the views --------------------------------------------------------------------------


def _text_records(file: ProbeFile) -> Iterator[Record]:
    if file.format == "csv":
        # an empty probe file (0 bytes, also inside a .gz) is a file with no rows, like an empty JSONL file
        return read_csv_records(file.path, file.source_file, PROBE_COLUMNS, REQUIRED_COLUMNS, empty_is_no_rows=True)
    return read_jsonl_records(file.path, file.source_file)


def _load_text_file(con: duckdb.DuckDBPyConnection, file: ProbeFile) -> int:
    records = _text_records(file)
    loaded = 0
    while True:
        try:
            batch = records_to_arrow(itertools.islice(records, _BATCH_RECORDS), str(file.path), PROBE_COLUMNS)
        except ProbeFileError:
            raise
        except InputFileError as exc:  # ingestion's CSV reader: same message, the probe path's error type
            raise ProbeFileError(str(exc)) from exc
        if batch.num_rows == 0:
            return loaded
        con.register("_probe_batch", batch)
        try:
            con.execute(
                "INSERT INTO probe_text_rows SELECT source_file AS file_path, line_number, shape_problem, "
                + ", ".join(_identifier(c) for c in PROBE_COLUMNS)
                + ", raw FROM _probe_batch"
            )
        finally:
            con.unregister("_probe_batch")
        loaded += batch.num_rows


def install_probe_views(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[ProbeFile]:
    """Check every probe file and expose all their rows as the TEMP view `probe_results` (parsed).

    Also creates the TEMP table `probe_files(file_path, source_file, file_order, format)` — every file,
    also one with no rows, so the accounting lists it — and `probe_customer_rejections`, the reason a
    row of a rejected customer inherits (empty when ingestion's table is absent, e.g. in unit tests)."""
    files = discover_probe_files(data_dir)
    text_columns = ", ".join(f"{_identifier(c)} VARCHAR" for c in PROBE_COLUMNS)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE probe_text_rows (file_path VARCHAR, line_number BIGINT, "
        f"shape_problem VARCHAR, {text_columns}, raw VARCHAR)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE probe_files (file_path VARCHAR, source_file VARCHAR, "
        "file_order INTEGER, format VARCHAR)"
    )
    con.executemany(
        "INSERT INTO probe_files VALUES (?, ?, ?, ?)",
        [(str(f.path), f.source_file, order, f.format) for order, f in enumerate(files, start=1)],
    )
    parquet_groups: dict[tuple[tuple[str, str], ...], list[Path]] = {}
    for file in files:
        if file.format == "parquet":
            if file.path.stat().st_size == 0:
                continue  # an empty file has no rows, whatever its kind (listed in probe_files all the same)
            columns = parquet_columns(file.path, file.source_file)
            parquet_groups.setdefault(tuple(columns.items()), []).append(file.path)
        else:
            _load_text_file(con, file)
    selects = [
        "SELECT file_path, line_number, shape_problem, "
        + ", ".join(_identifier(c) for c in PROBE_COLUMNS)
        + ", raw FROM probe_text_rows"
    ]
    selects += [_parquet_select(paths, dict(schema)) for schema, paths in parquet_groups.items()]
    con.execute("CREATE OR REPLACE TEMP VIEW probe_raw_rows AS " + "\nUNION ALL\n".join(selects))
    install_macros(con)  # the view parses timestamps with the shared macros (sla_timestamp)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW probe_results AS "
        # a view, not a table: ~45 M rows at scale are parsed as they are scanned
        + load_model("staging/probe_results").sql
    )
    has_references = table_exists(con, "intermediate", "customer_references")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW probe_customer_rejections AS "
        + (
            "SELECT customer_id, rejection FROM intermediate.customer_references WHERE NOT is_valid"
            if has_references
            else "SELECT CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS VARCHAR) AS rejection WHERE false"
        )
    )
    return files


def drop_probe_views(con: duckdb.DuckDBPyConnection) -> None:
    """Free the connection's probe objects (the text rows can be large)."""
    for statement in (
        "DROP VIEW IF EXISTS probe_results",
        "DROP VIEW IF EXISTS probe_raw_rows",
        "DROP VIEW IF EXISTS probe_customer_rejections",
        "DROP TABLE IF EXISTS probe_text_rows",
        "DROP TABLE IF EXISTS probe_files",
    ):
        con.execute(statement)


# --- reading the month's probe rows ----------------------------------------------------------------

# Pass 1 reads every row once; pass 2 re-reads the shared rows and the few tenant pairs it must count
# row by row (exact duplicates); then the rejections and the per-file accounting (see
# docs/uptime-credits.md). The uptime engine reads only the tables these leave behind.
PROBE_MODELS = (
    "intermediate/ingest/probe_scan",
    "intermediate/ingest/probe_recount_pairs",
    "intermediate/ingest/probe_tenant_sets",
    "intermediate/ingest/probe_rejections",
    "intermediate/ingest/probe_judged_results",
    "intermediate/ingest/probe_file_accounting",
)
PROBE_TOTALS = ("probe_files", "probe_rows_read", "probe_rows_used", "probe_rows_other_months",
                "probe_rows_rejected", "probe_rows_collapsed")


def ingest_probe_files(con: duckdb.DuckDBPyConnection, data_dir: Path, params: RunParams) -> dict[str, int]:
    """Read, validate, de-duplicate and account every probe row of the drop for `params.month` (R13).

    Needs `intermediate.valid_customers` (a tenant row of an unknown or rejected customer is rejected).
    Returns rows per model plus the accounting totals (`probe_files`, `probe_rows_read`, …)."""
    install_probe_views(con, data_dir)
    try:
        counts = run_models(con, PROBE_MODELS, params.as_dict())
    finally:
        drop_probe_views(con)
    totals = con.execute(
        "SELECT count(*), sum(rows_read), sum(rows_used), sum(rows_other_months), sum(rows_rejected), "
        "sum(rows_collapsed) FROM intermediate.probe_file_accounting"
    ).fetchone()
    return counts | {name: int(value or 0) for name, value in zip(PROBE_TOTALS, totals, strict=True)}


# --- analysts' views over the raw files ------------------------------------------------------------

# DuckDB binds no parameters inside CREATE VIEW, so file paths are quoted as literals (`_literal`).
_VIEW_READERS = {
    "csv": "read_csv({files}, all_varchar = true, union_by_name = true, filename = true)",
    "jsonl": "read_json({files}, format = 'newline_delimited', union_by_name = true, filename = true)",
    "parquet": "read_parquet({files}, union_by_name = true, filename = true)",
}


def create_probe_views(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[str]:
    """(Re)create `main.raw_probe_files_<format>` over the same files a run reads (`discover_probe_files`,
    subfolders included), so analysts can reach the probe rows the warehouse does not copy."""
    by_format: dict[str, list[Path]] = {kind: [] for kind in _VIEW_READERS}
    for file in discover_probe_files(data_dir):
        by_format[file.format].append(file.path)
    created = []
    for kind, paths in by_format.items():
        name = f"raw_probe_files_{kind}"
        con.execute("DROP VIEW IF EXISTS main." + name)
        if not paths:
            continue
        files = "[" + ", ".join(_literal(str(p)) for p in paths) + "]"
        con.execute("CREATE VIEW main." + name + " AS SELECT * FROM " + _VIEW_READERS[kind].format(files=files))
        created.append(name)
    return created


__all__ = [
    "PROBE_MODELS",
    "ingest_probe_files",
    "create_probe_views",
    "ProbeFile",
    "ProbeFileError",
    "PROBE_COLUMNS",
    "REQUIRED_COLUMNS",
    "discover_probe_files",
    "install_probe_views",
    "drop_probe_views",
    "read_jsonl_records",
    "parquet_columns",
]
