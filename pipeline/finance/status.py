"""Where each statement version stands (draft → approved → issued): the warehouse's versions joined
with the ledger's transitions.

A transition is about one exact PDF: the ledger event matches a version by month, customer, version
number *and* sha256. A restatement (a new version, new bytes) therefore starts as `draft` whatever
happened to the version before it, and must be approved again.

Two readers, one rule:
- Python (`statement_states`), for the CLI and the portal, reads the ledger named by the settings now;
- analysts read the warehouse views `statement_ledger`, `statement_status` and `credit_accruals`
  (`sql/finance/*.sql`), which read the ledger file live with `read_json` at the absolute path the
  publishing run was given. The views are created in the run's build file before it is published, so
  a read-only session sees every ledger line written up to its query, also lines appended while a run
  was building (see docs/finance.md for why views rather than materialised tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from pipeline.finance.ledger import Event, Ledger
from pipeline.settings import SQL_DIR
from pipeline.warehouse.connection import table_exists
from pipeline.warehouse.sqlrunner import quote_identifier

STATUSES = ("draft", "approved", "issued")
FINANCE_VIEWS = ("statement_status", "credit_accruals")


@dataclass(frozen=True)
class StatementVersion:
    """One row of the warehouse's `statements` table."""

    customer_id: str
    month: str
    version: int
    is_current: bool
    supersedes: int | None
    path: str
    sha256: str
    credit_amount: Decimal | None
    currency: str | None
    statement_id: str | None
    restatement_reason: str | None = None  # what changed against the superseded version (issue 9)


@dataclass(frozen=True)
class StatementState:
    statement: StatementVersion
    status: str
    by: str | None  # who made the latest transition (None for a draft)
    at: str | None
    approved: Event | None
    issued: Event | None

    @property
    def customer_id(self) -> str:
        return self.statement.customer_id


def read_versions(con: duckdb.DuckDBPyConnection, month: str | None = None) -> list[StatementVersion]:
    """Every statement version the warehouse lists (one month, or all), oldest version first."""
    if not table_exists(con, "main", "statements"):
        return []
    has_reason = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' AND table_name = 'statements' "
        "AND column_name = 'restatement_reason'"
    ).fetchone()[0]
    # a warehouse published before restatement reasons existed has no such column
    reason = "restatement_reason" if has_reason else "NULL"
    rows = con.execute(
        "SELECT customer_id, month, version, is_current, supersedes, path, sha256, credit_amount, currency, "
        f"statement_id, {reason} FROM main.statements WHERE $month IS NULL OR month = $month "
        "ORDER BY month, customer_id, version",
        {"month": month},
    ).fetchall()
    return [StatementVersion(*row) for row in rows]


def statement_states(versions: list[StatementVersion], events: list[Event]) -> list[StatementState]:
    """The state of every version: issued if an `issued` event names its exact PDF, else approved if an
    `approved` one does, else draft. The first event of each kind counts (file order)."""
    first: dict[tuple, dict[str, Event]] = {}
    for event in events:
        if event.event in ("approved", "issued"):
            first.setdefault(event.key(), {}).setdefault(event.event, event)
    states = []
    for v in versions:
        found = first.get((v.month, v.customer_id, v.version, v.sha256), {})
        approved, issued = found.get("approved"), found.get("issued")
        latest = issued or approved
        status = "issued" if issued else "approved" if approved else "draft"
        states.append(
            StatementState(v, status, latest.by if latest else None, latest.at if latest else None, approved, issued)
        )
    return states


def sql_literal(text: str) -> str:
    if "\x00" in text:
        raise ValueError("a path with a NUL byte cannot name the ledger")
    return "'" + text.replace("'", "''") + "'"


def finance_view_sql(name: str) -> str:
    return (SQL_DIR / "finance" / f"{name}.sql").read_text(encoding="utf-8")


# The ledger before its first event, for a read-only command that must not create the file.
_EMPTY_LEDGER_SQL = (
    "SELECT NULL::VARCHAR AS event, NULL::VARCHAR AS month, NULL::VARCHAR AS customer_id, NULL::INTEGER AS version, "
    'NULL::VARCHAR AS statement_id, NULL::VARCHAR AS sha256, NULL::VARCHAR AS "by", NULL::TIMESTAMPTZ AS "at", '
    "NULL::VARCHAR AS delivery, NULL::VARCHAR AS recipient, NULL::VARCHAR AS detail WHERE false"
)


def create_finance_views(con: duckdb.DuckDBPyConnection, ledger_path: Path, *, create_ledger: bool = True) -> list[str]:
    """Create (or re-point) the analysts' finance views on `con`: in the warehouse a run writes, or in a
    read-only command's scratch connection (`create_ledger=False`: a missing ledger reads as empty and is
    not created).

    DuckDB cannot bind a parameter inside `CREATE VIEW`, so the ledger's absolute path is written into
    the view as a quoted SQL string literal (the one place a value is in SQL text); view names are
    validated identifiers."""
    ledger = Ledger(ledger_path.absolute())
    if create_ledger:
        ledger.ensure()  # read_json fails on a missing file; an empty ledger is a valid one
    if ledger.path.exists():
        ledger_sql = finance_view_sql("statement_ledger").replace("'$ledger_path'", sql_literal(str(ledger.path)))
    else:
        ledger_sql = _EMPTY_LEDGER_SQL
    con.execute("CREATE OR REPLACE VIEW main.statement_ledger AS " + ledger_sql)
    for name in FINANCE_VIEWS:
        con.execute(f"CREATE OR REPLACE VIEW main.{quote_identifier(name)} AS " + finance_view_sql(name))
    return ["statement_ledger", *FINANCE_VIEWS]


__all__ = [
    "FINANCE_VIEWS",
    "STATUSES",
    "StatementState",
    "StatementVersion",
    "create_finance_views",
    "read_versions",
    "sql_literal",
    "finance_view_sql",
    "statement_states",
]
