"""Typed metadata for the Dagster UI: who owns an asset, where its code is, and what a mart holds.

Definition metadata (owners, the SQL model and Python function behind an asset, the warehouse table)
is attached when the definitions load; materialization metadata (the column schema read back from the
warehouse, row counts, tables of figures) when a step has written its table. Tables are
`MetadataValue.table` with a `TableSchema`, never Markdown, and amounts are decimal strings with
exactly their currency's ISO 4217 minor unit (`JPY 150000`, `EUR 100.81`), never a float.

The keys are Dagster's documented ones (`dagster/column_schema`, `dagster/row_count`,
`dagster/partition_row_count`, `dagster/table_name`, `dagster/code_references`): the namespaced
`TableMetadataSet` that reads them is not exported from `dagster` in 1.13.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import warnings
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

import dagster as dg
import duckdb

from pipeline.money import minor_unit, money_string
from pipeline.warehouse.comments import load_catalog
from pipeline.warehouse.sqlrunner import load_model

# Who answers for an asset, per stage (the asset group): shown as the asset's owners in the UI.
OWNERS_BY_GROUP: dict[str, list[str]] = {
    "inputs": ["team:data-platform"],
    "support": ["team:support-operations"],
    "uptime": ["team:site-reliability"],
    "credits": ["team:finance"],
    "statements": ["team:finance"],
    "publication": ["team:data-platform"],
}

# DuckDB type names that are numbers in the UI's table; everything else is shown as text.
_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "DOUBLE", "FLOAT")


def sql_code_reference(model_key: str) -> dg.LocalFileCodeReference:
    """The SQL file of a model (`marts/credits`), opened at its header comment."""
    with beta_apis():
        return dg.LocalFileCodeReference(file_path=str(load_model(model_key).path), line_number=1, label="SQL model")


@contextlib.contextmanager
def beta_apis() -> Iterator[None]:
    """Code references are marked beta in Dagster 1.13; we use them knowingly, without a warning per asset."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        yield


def mart_definition_metadata(name: str) -> dict[str, object]:
    """Definition metadata of a mart asset: its warehouse table and its SQL file. The Python function
    is added by `with_source_code_references` in `pipeline/defs/__init__.py`."""
    return {
        "dagster/table_name": f"main.{name}",
        "dagster/code_references": _code_references(sql_code_reference(f"marts/{name}")),
    }


def _code_references(*references: dg.LocalFileCodeReference) -> dg.CodeReferencesMetadataValue:
    with beta_apis():
        return dg.CodeReferencesMetadataValue(code_references=list(references))


def column_schema(con: duckdb.DuckDBPyConnection, table: str, schema: str = "main") -> dg.TableSchema:
    """The table's columns as DuckDB holds them, each described by its sentence of
    `sql/marts/columns.yaml` (the text publication writes as its `COMMENT ON COLUMN`)."""
    documented = load_catalog().get(table)
    rows = con.execute(
        "SELECT column_name, data_type, comment, is_nullable FROM duckdb_columns()"
        " WHERE database_name = current_database() AND schema_name = $schema AND table_name = $table"
        " ORDER BY column_index",
        {"schema": schema, "table": table},
    ).fetchall()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=name,
                type=data_type.lower(),
                description=comment or (documented.columns.get(name) if documented else None),
                constraints=dg.TableColumnConstraints(nullable=bool(nullable)),
            )
            for name, data_type, comment, nullable in rows
        ]
    )


def mart_metadata(con: duckdb.DuckDBPyConnection, table: str, month: str) -> dict[str, object]:
    """Column schema and row counts of a month-keyed mart just written: the month's rows (this
    partition) and the whole table (every month the warehouse holds)."""
    total, of_month = con.execute(
        f"SELECT count(*), count(*) FILTER (month = $month) FROM main.{table}",  # table: a fixed mart name
        {"month": month},
    ).fetchone()
    return {
        "dagster/column_schema": column_schema(con, table),
        "dagster/partition_row_count": int(of_month),
        "dagster/row_count": int(total),
    }


def _cell(value: object) -> str | int | float | bool | None:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    return str(value)  # Decimal, date, …: their exact text


def table_value(columns: Sequence[str], rows: Iterable[Sequence[object]], *, limit: int | None = None,
                types: dict[str, str] | None = None) -> dg.TableMetadataValue:
    """Rows as a typed UI table; column types come from the values (int → "int") unless given."""
    rows = [list(row) for row in rows]
    shown = rows if limit is None else rows[:limit]
    types = dict(types or {})
    for i, name in enumerate(columns):
        if name not in types:
            values = [row[i] for row in shown if row[i] is not None]
            kind = "string"
            if values and all(isinstance(v, bool) for v in values):
                kind = "bool"
            elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                kind = "int"
            elif values and all(isinstance(v, float) for v in values):
                kind = "float"
            types[name] = kind
    return dg.MetadataValue.table(
        records=[dg.TableRecord({name: _cell(v) for name, v in zip(columns, row, strict=True)}) for row in shown],
        schema=dg.TableSchema(columns=[dg.TableColumn(name=name, type=types[name]) for name in columns]),
    )


def amount_text(amount: Decimal | int, currency: str) -> str:
    """An amount with exactly its currency's minor unit: (150000.0000, JPY) → '150000', EUR → '100.81'.

    The marts already rounded it (R19); more digits than the minor unit raise instead of re-rounding."""
    return money_string(amount, minor_unit(currency))


__all__ = [
    "OWNERS_BY_GROUP",
    "amount_text",
    "beta_apis",
    "column_schema",
    "mart_definition_metadata",
    "mart_metadata",
    "sql_code_reference",
    "table_value",
]
