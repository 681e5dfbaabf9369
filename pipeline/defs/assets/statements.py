"""PDF credit statements of the month, one per enterprise customer, and the finance summary (R21).

`statements` is one asset made of three kinds of steps, so rendering fans out through Dagster's own
executor (issue 12):

    statements.statements_plan               compares figures, decides what to render (warehouse pool)
    statements.statements_shard[shard_<i>]   renders one slice of those statements (no database)
    statements.statements_record             puts them in place, writes the rows and the summary (pool)

The plan deals the statements to render round-robin into shards — none when no figure changed, so an
unchanged rerun starts no render step at all. How many: `SLA_RENDER_SHARDS` when set; else one per
core when steps run in processes of their own (the multiprocess executor, `k8s_job_executor`, Celery),
and one when they run in the run's process (the default), where that one shard renders with a worker
process per core (`pipeline/statements/parallel.py`) instead of paying a process start per step.
docs/statements.md "Fan-out" says how to run it on many machines.
"""


import multiprocessing
import os
import pickle
import sys
from pathlib import Path

import dagster as dg
import duckdb
from tqdm import tqdm

from pipeline.defs.assets.credits import credit_rows, credit_totals_table
from pipeline.defs.common import WAREHOUSE_POOL, month_step, operator_errors
from pipeline.defs.metadata import OWNERS_BY_GROUP, mart_metadata
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.finance.credit_notes import CREDIT_NOTES_CSV
from pipeline.statements import files
from pipeline.statements.month import (
    NEW,
    RESTATED,
    UNCHANGED,
    MonthPlan,
    chronic_flags,
    finish_month,
    plan_month,
    render_shard,
)
from pipeline.statements.parallel import Rendered, default_workers
from pipeline.statements.queries import statement_inputs

# Every mart the statement queries of `sql/statements/` read, as the runner sees their references.
STATEMENT_INPUTS = statement_inputs()

# The CLI sets this tag to get a progress bar on the terminal; the UI gets counts in the logs.
PROGRESS_BAR_TAG = "sla/progress_bar"
# How many render steps a month fans out to (default: see the module docstring).
SHARDS_ENV = "SLA_RENDER_SHARDS"
STATEMENTS_DESCRIPTION = """Renders one PDF/A-3b credit statement per enterprise customer of the month
(also when the credit is zero), with `statement.json` and the breached tickets attached, plus
`statements.csv` and a summary PDF for finance, into this run's release folder: nothing is visible in
`SLA_STATEMENTS_DIR/YYYY-MM/` until the `warehouse` step publishes the release. Figures are compared
first: a statement whose figures did not change is not rendered and is kept byte for byte; a changed
one becomes a new version that names the one it supersedes and what changed, the old file kept as
`<customer>.v<N>.pdf`. Rendering fans out into shard steps (`SLA_RENDER_SHARDS`)."""


def _in_step_subprocess() -> bool:
    """Whether this step runs in a process the executor started for it (multiprocess executor)."""
    return multiprocessing.parent_process() is not None


def _steps_run_apart(context: dg.OpExecutionContext) -> bool:
    """Whether this run's steps run in processes of their own (so shards render side by side)."""
    execution = (context.run.run_config or {}).get("execution") or {}
    config = execution.get("config") or {}
    if "in_process" in config:
        return False
    # `execute_in_process` (the CLI's default, tests) swaps in its own in-process executor
    in_process = ("in_process", "execute_in_process_executor", "sla_executor")
    return "multiprocess" in config or context.job_def.executor_def.name not in in_process


def shard_count(context: dg.OpExecutionContext) -> int:
    configured = os.environ.get(SHARDS_ENV, "").strip()
    if configured:
        try:
            count = int(configured)
        except ValueError:
            count = 0
        if count < 1:
            raise dg.Failure(description=f"{SHARDS_ENV}={configured!r}: expected a whole number of at least 1",
                             allow_retries=False)
        return count
    return default_workers() if _steps_run_apart(context) else 1


def _plan_file(sla: SlaEnvironment, run_id: str, month: str) -> Path:
    """Where the plan waits for the render and record steps: in the run's release folder (shared by
    every step, removed with the release), not in Dagster's own storage."""
    return sla.build(run_id).release / f".statements-plan-{month}.pickle"


@dg.op(
    ins={name: dg.In(dg.Nothing) for name in STATEMENT_INPUTS},
    out={"plan": dg.Out(str), "shards": dg.DynamicOut(list)},
    pool=WAREHOUSE_POOL,
)
def statements_plan(context: dg.OpExecutionContext, sla: SlaEnvironment):
    """Compares every statement's figures with its current version and deals the ones to render
    (new and restated only) into shards; renders nothing."""
    settings = sla.settings()
    month = context.partition_key
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
    with operator_errors():
        target = _plan_file(sla, context.run.run_id, month)
        files.atomic_write(target, pickle.dumps(plan))
    shards = plan.shards(shard_count(context))
    context.log.info(
        f"statements {month}: {len(plan.jobs)} of {len(plan.final_views)} to render "
        f"in {len(shards)} shard{'' if len(shards) == 1 else 's'}"
    )
    yield dg.Output(str(target), "plan")
    for index, shard in enumerate(shards):
        # a shard travels as its customer ids; the views stay in the plan file
        yield dg.DynamicOutput([view.customer_id for view, _ in shard], mapping_key=f"shard_{index}",
                               output_name="shards")


def _load_plan(path: str) -> MonthPlan:
    with open(path, "rb") as handle:
        return pickle.load(handle)  # noqa: S301 - written by this run's plan step, in its own release


@dg.op(ins={"plan": dg.In(str), "customers": dg.In(list)}, out=dg.Out(list))
def statements_shard(context: dg.OpExecutionContext, plan: str, customers: list) -> list[Rendered]:
    """Renders one shard of the plan to temporary names in the release folder (no database)."""
    month = context.partition_key
    wanted = set(customers)
    jobs = [(view, target) for view, target in _load_plan(plan).jobs if view.customer_id in wanted]
    alone = _in_step_subprocess()
    bar = None
    next_log = {"at": 0}

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if not alone and context.run.tags.get(PROGRESS_BAR_TAG) and bar is None:
            bar = tqdm(total=total, unit="statement", desc=f"statements {month}", file=sys.stderr)
        if bar is not None:
            bar.update(done - bar.n)
        if done >= next_log["at"] or done == total:
            context.log.info(f"statements {month}: {done}/{total} rendered")
            next_log["at"] = done + max(1, total // 10)

    try:
        with operator_errors():
            # A step of its own renders in its own process; in the run's process, with a worker per core.
            return render_shard(jobs, workers=1 if alone else None, progress=progress)
    finally:
        if bar is not None:
            bar.close()


@dg.op(ins={"plan": dg.In(str), "rendered": dg.In(list)}, out=dg.Out(dg.Nothing), pool=WAREHOUSE_POOL)
def statements_record(context: dg.OpExecutionContext, sla: SlaEnvironment, plan: str, rendered: list):
    """Puts the rendered statements in place, records every version, writes the finance summary, and
    checks that every statement of the plan came back from the shards."""
    settings = sla.settings()
    month = context.partition_key
    month_plan = _load_plan(plan)
    with month_step(context, sla) as step:
        build = sla.build(context.run.run_id)
        outcome = finish_month(
            step.con,
            month_plan,
            [r for shard in rendered for r in shard],
            previous_chronic=chronic_flags(build.base_warehouse(), month),
        )
        story = month_story(step.con, month, settings.statements_dir)
        story |= mart_metadata(step.con, "statements", month)  # every version of every statement
    Path(plan).unlink(missing_ok=True)
    records = outcome.records
    by_status = {status: [r.customer_id for r in records if r.status == status] for status in (NEW, RESTATED, UNCHANGED)}
    context.log.info(
        f"statements {month}: {len(outcome.rendered)} rendered, {len(by_status[NEW])} new, "
        f"{len(by_status[RESTATED])} restated, {len(by_status[UNCHANGED])} unchanged (kept byte for byte); "
        f"finance summary {'written' if outcome.summary_written else 'kept'}"
    )
    return dg.Output(
        None,
        metadata={
            "statements": len(records),
            # figures are compared first: only new and restated statements are rendered
            "statements_rendered": len(outcome.rendered),
            "rendered_customers": dg.MetadataValue.json(sorted(outcome.rendered)),
            "render_shards": len(rendered),
            "summary_written": outcome.summary_written,
            **{f"statements_{status}": len(ids) for status, ids in by_status.items()},
            "restated": dg.MetadataValue.json(
                {r.customer_id: r.restatement_reason for r in records if r.status == RESTATED}
            ),
            **story,
        },
    )


@dg.graph_asset(
    name="statements",
    ins={name: dg.AssetIn(name, dagster_type=dg.Nothing) for name in STATEMENT_INPUTS},
    partitions_def=monthly_partitions,
    group_name="statements",
    kinds={"pdf", "duckdb"},
    owners=OWNERS_BY_GROUP["statements"],
    metadata={"dagster/table_name": "main.statements"},
    description=STATEMENTS_DESCRIPTION,
)
def statements(**upstream):
    plan, shards = statements_plan(**upstream)
    rendered = shards.map(lambda customers: statements_shard(plan, customers)).collect()
    return statements_record(plan, rendered)


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


__all__ = ["statements", "month_story", "PROGRESS_BAR_TAG", "SHARDS_ENV", "shard_count"]
