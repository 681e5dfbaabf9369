"""The warehouse documents itself: `COMMENT ON` every table, view and column of the `main` schema.

Table comments come from the header of `sql/marts/<table>.sql` (purpose and grain, what the Dagster UI
shows too); tables written by Python and the probe views give a `description` in `sql/marts/columns.yaml`,
which also holds one sentence per column with its unit. Publication applies them to the build file
just before it is renamed into place, so whoever opens the warehouse (`duckdb -readonly`, a notebook,
`docs/warehouse.md`) reads the same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import yaml

from pipeline.settings import SQL_DIR
from pipeline.warehouse.sqlrunner import load_model

CATALOG_FILE = "marts/columns.yaml"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class TableDoc:
    name: str
    description: str
    columns: dict[str, str]


def _one_paragraph(text: str) -> str:
    return " ".join(text.split())


@cache
def _load_catalog(path: Path, mtime_ns: int) -> dict[str, TableDoc]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    sql_dir = path.parent.parent
    catalog = {}
    for name, entry in entries.items():
        if (sql_dir / "marts" / f"{name}.sql").is_file():
            description = load_model(f"marts/{name}", sql_dir).description
        else:
            description = entry.get("description") or ""
        columns = {column: _one_paragraph(str(text)) for column, text in (entry.get("columns") or {}).items()}
        catalog[name] = TableDoc(name, _one_paragraph(description), columns)
    return catalog


def load_catalog(sql_dir: Path = SQL_DIR) -> dict[str, TableDoc]:
    """Every documented `main` table or view, by name."""
    path = sql_dir / CATALOG_FILE
    return _load_catalog(path, path.stat().st_mtime_ns)


def main_objects(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, list[str]]]:
    """The tables and views of `main`: name → (`TABLE` or `VIEW`, its columns in order)."""
    kinds = dict(
        con.execute(
            "SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()"
            " UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views()"
            " WHERE schema_name = 'main' AND NOT internal AND database_name = current_database()"
        ).fetchall()
    )
    objects: dict[str, tuple[str, list[str]]] = {name: (kind, []) for name, kind in kinds.items()}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main'"
        " AND database_name = current_database() ORDER BY table_name, column_index"
    ).fetchall():
        if table in objects:
            objects[table][1].append(column)
    return dict(sorted(objects.items()))


def _literal(text: str) -> str:
    # COMMENT ON takes no bound parameters; the text comes from our own files and is quoted here.
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"refusing identifier {name!r}")
    return f'"{name}"'


def apply_comments(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> int:
    """Comment every documented table, view and column of `main` that exists; return how many comments.

    Undocumented ones are left without a comment (tests/test_warehouse_docs.py fails on them): a
    missing sentence never stops a month from being published."""
    catalog = load_catalog(sql_dir)
    applied = 0
    for name, (kind, columns) in main_objects(con).items():
        doc = catalog.get(name)
        if doc is None:
            continue
        if doc.description:
            con.execute(f"COMMENT ON {kind} main.{_identifier(name)} IS {_literal(doc.description)}")
            applied += 1
        for column in columns:
            if column in doc.columns:
                con.execute(
                    f"COMMENT ON COLUMN main.{_identifier(name)}.{_identifier(column)} IS {_literal(doc.columns[column])}"
                )
                applied += 1
    return applied


def read_comments(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None, list[tuple[str, str, str | None]]]]:
    """What the warehouse says about itself: name → (kind, comment, [(column, type, comment)])."""
    comments = dict(
        con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()"
            " UNION ALL SELECT view_name, comment FROM duckdb_views()"
            " WHERE schema_name = 'main' AND NOT internal AND database_name = current_database()"
        ).fetchall()
    )
    columns: dict[str, list[tuple[str, str, str | None]]] = {}
    for table, column, data_type, comment in con.execute(
        "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() WHERE schema_name = 'main'"
        " AND database_name = current_database() ORDER BY table_name, column_index"
    ).fetchall():
        columns.setdefault(table, []).append((column, data_type, comment))
    kinds = {name: kind for name, (kind, _) in main_objects(con).items()}
    return {name: (kinds[name], comments[name], columns.get(name, [])) for name in sorted(comments)}


def missing_comments(con: duckdb.DuckDBPyConnection) -> list[str]:
    """`table` or `table.column` of `main` that has no comment (empty list when the warehouse is documented)."""
    missing = []
    for name, (_, comment, columns) in read_comments(con).items():
        if not comment:
            missing.append(name)
        missing.extend(f"{name}.{column}" for column, _, text in columns if not text)
    return missing


__all__ = ["CATALOG_FILE", "TableDoc", "apply_comments", "load_catalog", "main_objects", "missing_comments", "read_comments"]
