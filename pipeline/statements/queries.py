"""Load and run the statement queries in `pipeline/statements/sql/` with bound parameters.

Each query is a bare SELECT over the marts and validated inputs of one month; it receives exactly the
parameters it names (`$month`, `$month_start`, `$month_end`, `$as_of`), never formatted text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

SQL_DIR = Path(__file__).resolve().parent / "sql"
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)\b")
_LINE_COMMENT = re.compile(r"--[^\n]*")


@cache
def query_text(name: str) -> str:
    """`name` is a path under `sql/` without suffix, e.g. `heads` or `fingerprint/contracts`."""
    if not re.fullmatch(r"[a-z_]+(/[a-z_]+)?", name):
        raise ValueError(f"not a statement query name: {name!r}")
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").strip().rstrip(";")


def fetch_rows(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run query `name` and return its rows as dicts (column name → Python value)."""
    sql = query_text(name)
    wanted = set(_PARAMETER.findall(_LINE_COMMENT.sub("", sql)))
    cursor = con.execute(sql, {key: params[key] for key in wanted})
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


__all__ = ["fetch_rows", "query_text", "SQL_DIR"]
