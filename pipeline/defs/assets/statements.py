"""PDF credit statements of the month, one per enterprise customer, and the finance summary (R21)."""

import sys
from pathlib import Path

import dagster as dg
import duckdb
from tqdm import tqdm

from pipeline.defs.assets.credits import credit_rows, credit_totals_table
from pipeline.defs.common import WAREHOUSE_POOL, month_step
from pipeline.defs.metadata import OWNERS_BY_GROUP, mart_metadata
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.finance.credit_notes import CREDIT_NOTES_CSV
from pipeline.statements import files
from pipeline.statements.month import (
    NEW,
    RESTATED,
    UNCHANGED,
    chronic_flags,
    finish_month,
    plan_month,
    render_shard,
)
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
    owners=OWNERS_BY_GROUP["statements"],
    metadata={"dagster/table_name": "main.statements"},
)
def statements(context: dg.AssetExecutionContext, sla: SlaEnvironment) -> dg.MaterializeResult:
    """Renders one PDF/A-3b credit statement per enterprise customer of the month (also when the credit
    is zero), with `statement.json` and the breached tickets attached, plus `statements.csv` and a
    summary PDF for finance, into this run's release folder: nothing is visible in
    `SLA_STATEMENTS_DIR/YYYY-MM/` until the `warehouse` step publishes the release. A statement whose
    figures did not change is kept byte for byte; a changed one becomes a new version that names the
    one it supersedes and what changed, the old file kept as `<customer>.v<N>.pdf`."""
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
            build = sla.build(context.run.run_id)
            staged = build.staged_statements(month)
            plan = plan_month(
                step.con,
                month,
                staged.parent,
                as_of=step.params.as_of,
                credit_scheme=step.policy.credits,
                published_dir=settings.statements_dir,
                produced_at=step.params.run_started_at,
            )
            rendered = render_shard(plan.jobs, workers=None, progress=progress)
            outcome = finish_month(
                step.con, plan, rendered, previous_chronic=chronic_flags(build.base_warehouse(), month)
            )
            records = outcome.records
            story = month_story(step.con, month, settings.statements_dir)
            story |= mart_metadata(step.con, "statements", month)  # every version of every statement
    finally:
        if bar is not None:
            bar.close()
    by_status = {status: [r.customer_id for r in records if r.status == status] for status in (NEW, RESTATED, UNCHANGED)}
    context.log.info(
        f"statements {month}: {len(outcome.rendered)} rendered, {len(by_status[NEW])} new, "
        f"{len(by_status[RESTATED])} restated, {len(by_status[UNCHANGED])} unchanged (kept byte for byte); "
        f"finance summary {'written' if outcome.summary_written else 'kept'}"
    )
    return dg.MaterializeResult(
        metadata={
            "statements": len(records),
            # figures are compared first: only new and restated statements are rendered
            "statements_rendered": len(outcome.rendered),
            "rendered_customers": dg.MetadataValue.json(sorted(outcome.rendered)),
            "summary_written": outcome.summary_written,
            **{f"statements_{status}": len(ids) for status, ids in by_status.items()},
            "restated": dg.MetadataValue.json(
                {r.customer_id: r.restatement_reason for r in records if r.status == RESTATED}
            ),
            **story,
        }
    )




def month_story(con: duckdb.DuckDBPyConnection, month: str, statements_dir: Path) -> dict[str, object]:
    """What an operator reads on the statements asset: who is credited, who fell below target, the
    credits per currency (in each currency's minor unit), and where the month's files are."""
    rows = credit_rows(con, month)
    folder = files.month_dir(statements_dir, month)
    credit_notes = folder / CREDIT_NOTES_CSV
    return {
        "customers_credited": sum(1 for row in rows if row[6] > 0),
        "customers_below_target": sum(1 for row in rows if row[3]),
        "credited_customers": dg.MetadataValue.json(sorted(row[0] for row in rows if row[6] > 0)),
        "below_target_customers": dg.MetadataValue.json(sorted(row[0] for row in rows if row[3])),
        "credit_totals": credit_totals_table(rows),
        "folder": dg.MetadataValue.path(str(folder)),
        "summary_pdf": dg.MetadataValue.path(str(folder / files.SUMMARY_PDF)),
        "summary_csv": dg.MetadataValue.path(str(folder / files.SUMMARY_CSV)),
        # written by `sla-report credit-notes` (finance, issue 10) once statements are issued
        "credit_notes": dg.MetadataValue.path(str(credit_notes)),
        "credit_notes_exist": credit_notes.is_file(),
    }


__all__ = ["statements", "month_story", "PROGRESS_BAR_TAG"]
