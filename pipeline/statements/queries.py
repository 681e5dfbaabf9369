"""Run the statement queries of `sql/statements/` with bound parameters.

Each query is a bare SELECT over the marts (`main.*`) of one month; it receives exactly the parameters
it names (`$month`, `$month_start`, `$month_end`, `$as_of`), never formatted text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import duckdb

from pipeline.settings import SQL_DIR
from pipeline.warehouse.sqlrunner import bind, table_references


@cache
def query_text(name: str) -> str:
    """`name` is a path under `sql/statements/` without suffix, e.g. `heads` or `fingerprint/contracts`."""
    if not re.fullmatch(r"[a-z_]+(/[a-z_]+)?", name):
        raise ValueError(f"not a statement query name: {name!r}")
    return (SQL_DIR / "statements" / f"{name}.sql").read_text(encoding="utf-8").strip().rstrip(";")


def statement_inputs() -> list[str]:
    """The marts the statement queries read (`main.<name>` → `<name>`), from their table references.

    A statement reads only marts: a query naming another schema is refused here, at load time."""
    references: set[str] = set()
    for path in sorted((SQL_DIR / "statements").rglob("*.sql")):
        for table in table_references(path.read_text(encoding="utf-8")):
            schema, _, name = table.partition(".")
            if schema != "main":
                raise ValueError(f"statement query {path.name} reads {table}: statements read only the marts (main.*)")
            references.add(name)
    return sorted(references)


def fetch_rows(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run query `name` and return its rows as dicts (column name → Python value)."""
    sql = query_text(name)
    cursor = con.execute(sql, bind(sql, params, f"statement query {name}"))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


__all__ = ["fetch_rows", "query_text", "statement_inputs"]
