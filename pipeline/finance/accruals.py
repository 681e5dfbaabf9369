"""`credit_accruals.csv`: the month-end accruals (`sql/finance/credit_accruals.sql`) as a file for the close.

Written to `$SLA_STATEMENTS_DIR/credit_accruals.csv` (every month, one row per month × currency) after
each publication and each approve / issue, so it always reflects the ledger as it stands.

The queries run on an in-memory DuckDB that attaches the published warehouse read-only and reads the
ledger the settings name now: the same SQL as the warehouse views, never a write to the published file
(which an analyst may hold open, and which a running build will replace).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipeline.finance.ledger import Ledger
from pipeline.finance.status import create_finance_views, sql_literal
from pipeline.money import minor_unit, money_string, round_half_up
from pipeline.settings import Settings
from pipeline.spreadsheet import csv_document
from pipeline.statements.files import atomic_write
from pipeline.warehouse.connection import connect

ACCRUALS_CSV = "credit_accruals.csv"
ACCRUAL_COLUMNS = (
    "month",
    "currency",
    "draft_credit",
    "approved_credit",
    "owed_not_issued",
    "issued_credit",
    "issued_to_void",
    "statements_owed",
    "statements_issued",
)
_MONEY = {"draft_credit", "approved_credit", "owed_not_issued", "issued_credit", "issued_to_void"}


@contextlib.contextmanager
def finance_connection(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """In-memory connection with `main.statements` (from the published warehouse) and the finance views."""
    ledger = Ledger(settings.ledger)
    con = connect(":memory:")
    try:
        # ATTACH takes no bound parameter: the path goes in as a quoted string literal
        con.execute(f"ATTACH {sql_literal(str(settings.warehouse))} AS published (READ_ONLY)")
        con.execute("CREATE VIEW main.statements AS SELECT * FROM published.main.statements")
        create_finance_views(con, ledger.path, create_ledger=False)
        yield con
    finally:
        con.close()


def accrual_rows(settings: Settings) -> list[dict[str, object]]:
    with finance_connection(settings) as con:
        cursor = con.execute(f"SELECT {', '.join(ACCRUAL_COLUMNS)} FROM main.credit_accruals ORDER BY month, currency")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        digits = minor_unit(str(row["currency"]))
        for name in _MONEY:
            row[name] = money_string(round_half_up(row[name], digits), digits)
    return rows


def write_accruals_csv(settings: Settings) -> Path | None:
    """Rewrite `credit_accruals.csv`; None when nothing is published yet."""
    if not settings.warehouse.exists():
        return None
    text = csv_document(ACCRUAL_COLUMNS, ([row[c] for c in ACCRUAL_COLUMNS] for row in accrual_rows(settings)))
    target = settings.statements_dir / ACCRUALS_CSV
    atomic_write(target, text.encode("utf-8"))
    return target


__all__ = ["ACCRUALS_CSV", "ACCRUAL_COLUMNS", "accrual_rows", "finance_connection", "write_accruals_csv"]
