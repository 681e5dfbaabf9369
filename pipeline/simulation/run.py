"""What-if policy simulation (issue 13), Dagster-free: `simulate` recomputes published months under a
proposed policy file in a scratch build and compares its figures with what was published.

One engine: the scratch build is `pipeline.month.build_month`, the same models as a run, fed with
each month's own drop (`report_runs.data_dir`, or `data_dir` when given), as-of and run start, so the
only difference from the published month is the policy. The published warehouse is opened read-only
and its rows are copied into the scratch connection; statements and the ledger are never opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.month import build_month
from pipeline.months import month_range
from pipeline.policy import load_policy
from pipeline.settings import SQL_DIR
from pipeline.spreadsheet import csv_document
from pipeline.statements import figures
from pipeline.statements.files import atomic_write
from pipeline.statements.render import Renderer, render_template
from pipeline.warehouse import connect, connection
from pipeline.warehouse.sqlrunner import bind, quote_identifier

CSV_COLUMNS = (
    "customer_id", "month", "currency", "credit_current", "credit_proposed", "delta", "uptime",
    "steps_current", "steps_proposed", "uptime_current", "credit_pct_current", "credit_pct_proposed",
    *(f"{clock}_{severity}_{side}" for clock in ("response", "resolution") for severity in ("s1", "s2", "s3", "s4")
      for side in ("current", "proposed")),
)
_PUBLISHED = {
    "current_credits": "SELECT * FROM main.credits WHERE month BETWEEN $first AND $last",
    "current_uptime": "SELECT * FROM main.uptime_monthly WHERE month BETWEEN $first AND $last",
    "current_attainment": "SELECT * FROM main.support_attainment WHERE month BETWEEN $first AND $last",
}


class SimulationError(RuntimeError):
    """A simulation that cannot run: says which month, file or key, and what to do."""


@dataclass(frozen=True)
class Simulation:
    rows: list[dict[str, Any]]
    csv_path: Path
    pdf_path: Path
    scratch: Path


def _runs(published: Path, months: list[str]) -> dict[str, tuple]:
    with connection(published, read_only=True) as con:
        rows = con.execute(
            "SELECT month, as_of, run_started_at, data_dir FROM main.report_runs WHERE month BETWEEN $first AND $last",
            {"first": months[0], "last": months[-1]},
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def simulate(
    published: Path,
    policy_file: Path,
    first: str,
    last: str,
    out_dir: Path,
    *,
    data_dir: Path | None = None,
    progress=None,  # noqa: ANN001 - a callable(str) or None
) -> Simulation:
    months = month_range(first, last)
    if not published.is_file():
        raise SimulationError(f"no published warehouse at {published}: run the months first (sla-report run)")
    policy = load_policy(policy_file)
    runs = _runs(published, months)
    missing = [m for m in months if m not in runs]
    if missing:
        raise SimulationError(
            f"{', '.join(missing)} never published in {published}: simulate compares published months; run them first"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = out_dir / "simulation.duckdb"
    scratch.unlink(missing_ok=True)
    con = connect(scratch)
    try:
        for month in months:
            as_of, started, drop = runs[month]
            drop = data_dir or Path(drop)
            if not drop.is_dir():
                raise SimulationError(f"{month}: its data drop {drop} is gone; pass --data-dir with the month's drop")
            if progress:
                progress(f"{month}: recomputing under {policy_file.name} from {drop}")
            build_month(con, drop, month, policy.version_for(month), as_of=as_of.isoformat(),
                        run_started_at=started, run_id=f"simulation-{month}")
        with connection(published, read_only=True) as source:
            for table, sql in _PUBLISHED.items():
                arrow = source.sql(sql, params={"first": months[0], "last": months[-1]}).to_arrow_table()
                con.register("_published_rows", arrow)
                con.execute(f"CREATE OR REPLACE TEMP TABLE {quote_identifier(table)} AS SELECT * FROM _published_rows")
                con.unregister("_published_rows")
        sql = (SQL_DIR / "simulation" / "comparison.sql").read_text(encoding="utf-8").strip().rstrip(";")
        cursor = con.execute(sql, bind(sql, {}, "sql/simulation/comparison.sql"))
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    finally:
        con.close()
    csv_path, pdf_path = out_dir / "simulation.csv", out_dir / "simulation.pdf"
    atomic_write(csv_path, simulation_csv(rows).encode("utf-8"))
    html = render_template("simulation.html.j2", s=SimulationSummary(first, last, str(policy_file.name), rows))
    atomic_write(pdf_path, Renderer().render_html(html, dated=max(r[1] for r in runs.values())).pdf)
    return Simulation(rows, csv_path, pdf_path, scratch)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return figures.decimal_string(value)
    return str(value)


def simulation_csv(rows: list[dict[str, Any]]) -> str:
    """`simulation.csv`: money with the currency's minor-unit digits, ratios as exact decimal strings."""
    lines = []
    for row in rows:
        money = {
            c: "" if row[c] is None else figures.money_string(row[c], row["minor_unit"])
            for c in ("credit_current", "credit_proposed", "delta")
        }
        lines.append([money[c] if c in money else _text(row[c]) for c in CSV_COLUMNS])
    return csv_document(CSV_COLUMNS, lines)


@dataclass(frozen=True)
class CurrencyDelta:
    currency: str
    minor_unit: int
    customers: int
    changed: int
    current: Decimal
    proposed: Decimal

    @property
    def delta(self) -> Decimal:
        return self.proposed - self.current


@dataclass(frozen=True)
class SimulationSummary:
    first: str
    last: str
    policy_name: str
    rows: list[dict[str, Any]]

    @property
    def totals(self) -> list[CurrencyDelta]:
        by_currency: dict[str, list[dict]] = {}
        for row in self.rows:
            by_currency.setdefault(row["currency"], []).append(row)
        return [
            CurrencyDelta(
                currency=currency,
                minor_unit=rows[0]["minor_unit"],
                customers=len({r["customer_id"] for r in rows}),
                changed=sum(1 for r in rows if r["delta_minor"] != 0),
                current=sum((r["credit_current"] or Decimal(0) for r in rows), Decimal(0)),
                proposed=sum((r["credit_proposed"] or Decimal(0) for r in rows), Decimal(0)),
            )
            for currency, rows in sorted(by_currency.items())
        ]

    @property
    def biggest_changes(self) -> list[dict[str, Any]]:
        """The ten customer-months whose credit moved most, in points of their fee (comparable across currencies)."""
        moved = [r for r in self.rows if r["delta_minor"] != 0]
        return sorted(moved, key=lambda r: (-abs((r["credit_pct_proposed"] or 0) - (r["credit_pct_current"] or 0)),
                                            r["month"], r["customer_id"]))[:10]


__all__ = ["CSV_COLUMNS", "Simulation", "SimulationError", "simulate", "simulation_csv"]
