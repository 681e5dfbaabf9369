"""PDF credit statements of the month, one per enterprise customer, and the finance summary (R21)."""

import sys

import dagster as dg
from tqdm import tqdm

from pipeline.defs.common import WAREHOUSE_POOL, month_step
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.statements.month import render_month
from pipeline.statements.queries import statement_inputs

# Every mart the statement queries of `sql/statements/` read, as the runner sees their references.
STATEMENT_INPUTS = statement_inputs()

# The CLI sets this tag to get a progress bar on the terminal; the UI gets counts in the logs.
PROGRESS_BAR_TAG = "sla/progress_bar"


@dg.asset(
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    group_name="statements",
    kinds={"pdf", "duckdb"},
    deps=STATEMENT_INPUTS,
)
def statements(context: dg.AssetExecutionContext, sla: SlaEnvironment) -> dg.MaterializeResult:
    """Renders one PDF/A-3b credit statement per enterprise customer of the month (also when the credit
    is zero) into `SLA_STATEMENTS_DIR/YYYY-MM/`, with `statement.json` and the breached tickets
    attached, plus `statements.csv` and a summary PDF for finance. A statement whose bytes change is
    kept as `<customer>.v<N>.pdf` and the new one becomes current."""
    settings = sla.settings()
    month = context.partition_key
    wants_bar = bool(context.run.tags.get(PROGRESS_BAR_TAG))
    bar = None
    next_log = {"at": 0}

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if wants_bar and bar is None:
            bar = tqdm(total=total, unit="statement", desc=f"statements {month}", file=sys.stderr)
        if bar is not None:
            bar.update(done - bar.n)
        if done >= next_log["at"] or done == total:
            context.log.info(f"statements {month}: {done}/{total} rendered")
            next_log["at"] = done + max(1, total // 10)

    try:
        with month_step(context, sla) as step:
            records = render_month(
                step.con,
                month,
                settings.statements_dir,
                as_of=step.params.as_of,
                progress=progress,
                credit_scheme=step.policy.credits,
            )
    finally:
        if bar is not None:
            bar.close()
    totals: dict[str, object] = {}
    for record in records:
        totals[record.currency] = totals.get(record.currency, 0) + record.credit_amount
    return dg.MaterializeResult(
        metadata={
            "statements": len(records),
            "folder": dg.MetadataValue.path(str(settings.statements_dir / month)),
            "credit_totals": dg.MetadataValue.json({c: str(t) for c, t in sorted(totals.items())}),
        }
    )


__all__ = ["statements", "PROGRESS_BAR_TAG"]
