"""The finance month summary beside the statements: `statements.csv` and `_summary.pdf` (R21).

Both list the current statement of every enterprise customer of the month (so totals use current
statements only). The PDF opens with the credit totals per currency — money is never added across
currencies — and then has one line per customer. Totals are exact sums of the rounded credits, so
they agree with the lines and with the statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from pipeline.spreadsheet import csv_document
from pipeline.statements import figures
from pipeline.statements.files import SUMMARY_CSV, SUMMARY_PDF, atomic_write
from pipeline.statements.render import Renderer, render_template
from pipeline.statements.viewmodel import StatementView

CSV_COLUMNS = (
    "customer_id",
    "customer_name",
    "month",
    "credit_amount",
    "currency",
    "credit_pct",
    "capped",
    "uptime_percent",
    "path",
    "sha256",
    "version",
    "statement_id",
)


@dataclass(frozen=True)
class SummaryLine:
    view: StatementView
    file_name: str
    sha256: str
    version: int


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    minor_unit: int
    statements: int
    with_credit: int
    capped: int
    fee_base: Decimal
    credit_amount: Decimal


@dataclass(frozen=True)
class MonthSummary:
    month: str
    month_label: str
    as_of: datetime
    lines: tuple[SummaryLine, ...]
    # customer_id → why the policy's chronic_breaches rule flags the customer (internal, issue 13)
    chronic: Mapping[str, str] = field(default_factory=dict)

    @property
    def totals(self) -> tuple[CurrencyTotal, ...]:
        by_currency: dict[str, list[SummaryLine]] = {}
        for line in self.lines:
            by_currency.setdefault(line.view.credit.currency, []).append(line)
        return tuple(
            CurrencyTotal(
                currency=currency,
                minor_unit=lines[0].view.credit.minor_unit,
                statements=len(lines),
                with_credit=sum(1 for x in lines if x.view.credit.credit_amount > 0),
                capped=sum(1 for x in lines if x.view.credit.capped),
                fee_base=sum((x.view.credit.fee_base for x in lines), Decimal(0)),
                credit_amount=sum((x.view.credit.credit_amount for x in lines), Decimal(0)),
            )
            for currency, lines in sorted(by_currency.items())
        )

    @property
    def downtime(self) -> tuple[CauseTotal, ...]:
        return downtime_totals(self.lines)


@dataclass(frozen=True)
class CauseTotal:
    """Minutes of one downtime cause over the month's enterprise statements (downtime_attribution)."""

    cause: str
    label: str
    counts_against_uptime: bool
    customers: int
    minutes: int


def downtime_totals(lines: Sequence[SummaryLine]) -> tuple[CauseTotal, ...]:
    """Per cause: how many customers it touched and their minutes, the causes that lower uptime first."""
    by_cause: dict[str, list] = {}
    for line in lines:
        for d in line.view.downtime:
            by_cause.setdefault(d.cause, []).append((line.view.customer_id, d))
    totals = [
        CauseTotal(
            cause=cause,
            label=items[0][1].label,
            counts_against_uptime=items[0][1].counts_against_uptime,
            customers=len({customer for customer, _ in items}),
            minutes=sum(d.minutes for _, d in items),
        )
        for cause, items in by_cause.items()
    ]
    return tuple(sorted(totals, key=lambda t: (not t.counts_against_uptime, -t.minutes, t.cause)))


def summary_csv(summary: MonthSummary) -> str:
    rows = []
    for line in summary.lines:
        credit = line.view.credit
        rows.append(
            [
                line.view.customer_id,
                line.view.customer_name,
                summary.month,
                figures.money_string(credit.credit_amount, credit.minor_unit),
                credit.currency,
                figures.decimal_string(credit.credit_pct),
                "true" if credit.capped else "false",
                figures.percent_of_ratio(line.view.uptime.uptime, 3),
                line.file_name,
                line.sha256,
                line.version,
                line.view.statement_id,
            ]
        )
    return csv_document(CSV_COLUMNS, rows)


def write_summary(folder: Path, summary: MonthSummary, renderer: Renderer) -> tuple[Path, Path]:
    """Write `statements.csv` and `_summary.pdf` into the month folder (temp name, then rename)."""
    csv_path, pdf_path = folder / SUMMARY_CSV, folder / SUMMARY_PDF
    atomic_write(csv_path, summary_csv(summary).encode("utf-8"))
    html = render_template("summary.html.j2", summary=summary)
    result = renderer.render_html(html, dated=summary.as_of)
    atomic_write(pdf_path, result.pdf)
    return csv_path, pdf_path


def summary_unchanged(folder: Path, summary: MonthSummary) -> bool:
    """Whether the summary files in `folder` already say what `summary` would, as-of aside: both exist
    and `statements.csv` has the same lines byte for byte. (The caller also checks that no statement was
    rendered and the chronic flags are the same — the rest of the PDF is those lines' figures.)"""
    csv_path, pdf_path = folder / SUMMARY_CSV, folder / SUMMARY_PDF
    if not (csv_path.is_file() and pdf_path.is_file()):
        return False
    return csv_path.read_bytes() == summary_csv(summary).encode("utf-8")


def month_summary(
    month: str,
    month_label: str,
    as_of: datetime,
    lines: Sequence[SummaryLine],
    chronic: Mapping[str, str] | None = None,
) -> MonthSummary:
    ordered = tuple(sorted(lines, key=lambda x: x.view.customer_id))
    return MonthSummary(month, month_label, as_of, ordered, dict(sorted((chronic or {}).items())))


__all__ = [
    "MonthSummary",
    "SummaryLine",
    "CurrencyTotal",
    "CauseTotal",
    "downtime_totals",
    "summary_csv",
    "write_summary",
    "summary_unchanged",
    "month_summary",
    "CSV_COLUMNS",
]
