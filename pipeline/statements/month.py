"""`render_month`: the Dagster-free entry point that writes a month's credit statements (R21).

For each enterprise customer-month (each row of `credits`): build the view-model, render the PDF in
a worker process, put it in place with its version, record it in the `statements` table; then write
the finance summary (`statements.csv`, `_summary.pdf`). The Dagster asset and the CLI call this and
only add their progress display.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.months import parse_month
from pipeline.statements import figures, files
from pipeline.statements.builder import build_views
from pipeline.statements.finance_summary import SummaryLine, month_summary, write_summary
from pipeline.statements.parallel import render_views
from pipeline.statements.queries import fetch_rows
from pipeline.statements.render import Renderer
from pipeline.statements.viewmodel import CreditTerms, StatementError

LOG = logging.getLogger(__name__)

STATEMENTS_TABLE_COLUMNS = (
    "customer_id VARCHAR NOT NULL, month VARCHAR NOT NULL, version INTEGER NOT NULL, "
    "is_current BOOLEAN NOT NULL, supersedes INTEGER, path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, "
    "credit_amount DECIMAL(38,4), currency VARCHAR, statement_id VARCHAR, input_fingerprint VARCHAR, "
    "as_of TIMESTAMPTZ"
)
RECORD_FIELDS = (
    "customer_id",
    "month",
    "version",
    "is_current",
    "supersedes",
    "path",
    "sha256",
    "credit_amount",
    "currency",
    "statement_id",
    "input_fingerprint",
    "as_of",
)


@dataclass(frozen=True)
class StatementRecord:
    """One row of the `statements` table."""

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
    input_fingerprint: str | None
    as_of: datetime | None


def ensure_statements_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS main.statements ({STATEMENTS_TABLE_COLUMNS})")


def _recorded(con: duckdb.DuckDBPyConnection, month: str) -> dict[str, files.Recorded]:
    rows = con.execute(
        "SELECT customer_id, version, supersedes, sha256 FROM main.statements WHERE month = $month AND is_current",
        {"month": month},
    ).fetchall()
    return {c: files.Recorded(int(v), None if s is None else int(s), h) for c, v, s, h in rows}


def _write_records(
    con: duckdb.DuckDBPyConnection,
    month: str,
    changed: list[StatementRecord],
    moved: list[tuple[str, int, str]],
) -> None:
    """Point rows of versions moved aside to their `.v<N>.pdf`, mark the previous current rows of
    changed customers as superseded and insert the new rows — one transaction."""
    if not changed and not moved:
        return
    statement_rows = pa.table({f: [getattr(r, f) for r in changed] for f in RECORD_FIELDS})  # noqa: F841
    con.execute("BEGIN TRANSACTION")
    try:
        # A version being (re)inserted replaces any row of that same version (e.g. an adopted file).
        con.execute(
            "DELETE FROM main.statements AS s USING statement_rows AS t "
            "WHERE s.month = $month AND s.customer_id = t.customer_id AND s.version = t.version",
            {"month": month},
        )
        for customer_id, version, path in moved:
            con.execute(
                "UPDATE main.statements SET path = $path "
                "WHERE month = $month AND customer_id = $customer_id AND version = $version",
                {"path": path, "month": month, "customer_id": customer_id, "version": version},
            )
        con.execute(
            "UPDATE main.statements SET is_current = false "
            "WHERE month = $month AND customer_id IN (SELECT customer_id FROM statement_rows WHERE is_current)",
            {"month": month},
        )
        con.execute(f"INSERT INTO main.statements ({', '.join(RECORD_FIELDS)}) SELECT * FROM statement_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def render_month(
    con: duckdb.DuckDBPyConnection,
    month: str,
    statements_dir: Path,
    *,
    as_of: datetime,
    input_fingerprints: Mapping[str, str] | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    credit_scheme: Any | None = None,
) -> list[StatementRecord]:
    """Render every enterprise statement of `month` into `statements_dir/YYYY-MM/`; return the current records.

    `as_of` (timezone-aware) is printed and dates the files. `input_fingerprints` maps customer id →
    sha256 of its input rows (computed here from the validated inputs when absent). `workers` None =
    one process per core. `progress(done, total)` is called as statements finish. `credit_scheme`
    (`pipeline.policy.CreditScheme` of the month's policy version) is printed when given.
    """
    if as_of.tzinfo is None:
        raise StatementError("as_of must be timezone-aware (an instant, not a wall-clock time)")
    folder = files.month_dir(statements_dir, month)
    views = build_views(
        con,
        month,
        as_of,
        input_fingerprints_by_customer=input_fingerprints,
        credit_terms=None if credit_scheme is None else CreditTerms.of(credit_scheme),
    )
    ensure_statements_table(con)
    recorded = _recorded(con, month)
    folder.mkdir(parents=True, exist_ok=True)

    jobs = [(view, files.temporary_path(files.statement_path(folder, view.customer_id))) for view in views]
    try:
        rendered = render_views(jobs, workers=workers, progress=progress)
        current: list[StatementRecord] = []
        changed: list[StatementRecord] = []
        moved: list[tuple[str, int, str]] = []
        lines: list[SummaryLine] = []
        for view, result in zip(views, rendered, strict=True):
            placement = files.place_statement(
                folder, view.customer_id, result.path, result.sha256, recorded.get(view.customer_id)
            )
            record = StatementRecord(
                customer_id=view.customer_id,
                month=month,
                version=placement.version,
                is_current=True,
                supersedes=placement.supersedes,
                path=str(placement.path.resolve()),
                sha256=placement.sha256,
                credit_amount=view.credit.credit_amount,
                currency=view.credit.currency,
                statement_id=view.statement_id,
                input_fingerprint=view.input_fingerprint,
                as_of=view.as_of,
            )
            current.append(record)
            known = recorded.get(view.customer_id)
            if placement.changed or known is None or known.sha256 != placement.sha256:
                changed.append(record)
            if placement.archived is not None:
                version, path, sha = placement.archived
                if known is not None and known.version == version:
                    moved.append((view.customer_id, version, str(path.resolve())))
                else:
                    # The file moved aside had no row (e.g. a fresh warehouse): record it as superseded.
                    changed.append(
                        StatementRecord(
                            view.customer_id,
                            month,
                            version,
                            False,
                            version - 1 or None,
                            str(path.resolve()),
                            sha,
                            None,
                            None,
                            None,
                            None,
                            None,
                        )
                    )
            lines.append(SummaryLine(view, placement.path.name, placement.sha256, placement.version))
        _write_records(con, month, changed, moved)
        label = figures.month_label(parse_month(month)[0])
        chronic = {r["customer_id"]: r["reason"] for r in fetch_rows(con, "chronic", {"month": month})}
        write_summary(folder, month_summary(month, label, as_of, lines, chronic), Renderer())
    finally:
        for _, tmp in jobs:
            tmp.unlink(missing_ok=True)
    LOG.info("statements %s: %d current, %d rows recorded, in %s", month, len(current), len(changed), folder)
    return current


__all__ = ["render_month", "StatementRecord", "ensure_statements_table", "STATEMENTS_TABLE_COLUMNS"]
