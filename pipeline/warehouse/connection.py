"""DuckDB connections: always in UTC, always closed, and Arrow-built tables written by one helper."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

_TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")
# Analysts may still run DuckDB 1.x tools; a file written by 2.0 without this is unreadable for them.
STORAGE_COMPATIBILITY_VERSION = "v1.4.0"


class WarehouseError(RuntimeError):
    """A problem with the warehouse file that a person must act on."""


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a connection in UTC with the progress bar off (month boundaries must not follow the host TZ)."""
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
    except Exception:
        con.close()
        raise
    return con


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """Whether `schema.name` is a table or view (a warehouse published by an older version may lack it)."""
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $schema AND table_name = $name",
        {"schema": schema, "name": name},
    ).fetchone()[0])


@contextlib.contextmanager
def connection(path: Path | str, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is always closed, also when the body raises (the file lock must not outlive it)."""
    con = connect(path, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def replace_table_from_arrow(
    con: duckdb.DuckDBPyConnection, table: str, data: pa.Table, select: str = "SELECT * FROM {source}"
) -> None:
    """`CREATE OR REPLACE TABLE schema.name` from an Arrow table Python built (small inputs: raw text
    records, policy tables, the business calendar). `select` may cast or order columns of `{source}`."""
    if not _TABLE_NAME.match(table):
        raise WarehouseError(f"refusing table name {table!r}")
    source = "_arrow_" + table.replace(".", "_")
    con.execute("CREATE SCHEMA IF NOT EXISTS " + table.split(".")[0])
    con.register(source, data)
    try:
        # The names are validated above and the data is bound through the registered relation.
        con.execute("CREATE OR REPLACE TABLE " + table + " AS " + select.format(source=source))
    finally:
        con.unregister(source)


__all__ = [
    "STORAGE_COMPATIBILITY_VERSION", "WarehouseError", "connect", "connection", "replace_table_from_arrow", "table_exists",
]
