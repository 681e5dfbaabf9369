"""Data-quality checks as SQL queries that return the violating rows (`sql/checks/<name>.sql`).

Dagster-free so tests and the CLI can run them; `pipeline/defs/checks.py` turns each into an asset
check. A check passes when its query returns no row; the rows are what a person looks at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from pipeline.markdown import markdown_table
from pipeline.settings import SQL_DIR
from pipeline.warehouse.sqlrunner import bind


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    description: str
    columns: list[str]
    rows: list[tuple]

    @property
    def passed(self) -> bool:
        return not self.rows

    def markdown(self, limit: int = 20) -> str:
        """The first violating rows as a table, for the Dagster UI."""
        if not self.rows:
            return "no violating rows"
        return markdown_table(self.columns, self.rows, limit=limit)


def check_sql(name: str) -> str:
    path = SQL_DIR / "checks" / f"{name}.sql"
    return path.read_text(encoding="utf-8")


def check_description(name: str) -> str:
    lines = [line.strip()[2:].strip() for line in check_sql(name).splitlines() if line.strip().startswith("--")]
    return " ".join(lines)


def run_check(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any]) -> CheckOutcome:
    sql = check_sql(name)
    cursor = con.execute(sql, bind(sql, params, f"check {name}"))
    columns = [d[0] for d in cursor.description]
    return CheckOutcome(name, check_description(name), columns, cursor.fetchall())


__all__ = ["CheckOutcome", "check_description", "check_sql", "run_check"]
