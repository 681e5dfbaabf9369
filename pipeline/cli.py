"""`sla-report`: run a month through the same Dagster job the schedule launches.

Runs go through a persistent Dagster instance (DAGSTER_HOME), so they show in `dagster dev` too.
Failures print one line saying what to fix and exit non-zero.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from pipeline import ops_cli
from pipeline.finance import FinanceError
from pipeline.finance.cli import FINANCE_COMMANDS, add_finance_commands, run_finance_command
from pipeline.months import MonthError, parse_month
from pipeline.policy import PolicyError
from pipeline.settings import Settings
from pipeline.simulation.cli import SIMULATION_COMMANDS, add_simulation_commands, run_simulation_command
from pipeline.simulation.run import SimulationError

EPILOG = """\
environment (all optional; defaults run the committed sample month):
  SLA_DATA_DIR        the data drop to read            (default: data/sample)
  SLA_WAREHOUSE       the DuckDB warehouse to publish  (default: warehouse/sla.duckdb)
  SLA_STATEMENTS_DIR  where PDF statements go          (default: statements/)
  SLA_POLICY_FILE     the SLA policy file              (default: policy/sla-policy.yaml)
  DAGSTER_HOME        the Dagster instance shared with `dagster dev` (default: .dagster_home/)
  SLA_EXECUTOR        where steps run: in_process (default), multiprocess, k8s, celery, or package.module:executor
  SLA_RENDER_SHARDS   render steps per month (default: 1 in-process, else one per core)

example:
  sla-report run --month 2026-10
  sla-report run --month 2026-10 --as-of 2026-11-03T12:00:00Z
  sla-report run --month 2026-10 --force     # rebuild even if nothing changed since the published run
"""


class CliError(RuntimeError):
    pass


class _SkippedCheckNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "emitted no result in step" not in record.getMessage()


# one instance: addFilter ignores a filter already there, so repeated runs in one process add none
_SKIPPED_CHECK_NOISE = _SkippedCheckNoise()


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sla-report",
        description="Monthly SLA report: support attainment, uptime, service credits and PDF credit statements.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run = commands.add_parser(
        "run",
        help="run one month end to end and publish its warehouse and statements",
        description="Run one reporting month (UTC calendar month) through the monthly Dagster job.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--month", required=True, metavar="YYYY-MM", help="the reporting month, e.g. 2026-10")
    run.add_argument(
        "--as-of",
        metavar="ISO-8601",
        help="the instant the ticket data describes (default: newest ticket timestamp in the drop)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="rebuild the month even when its drop, policy, code and as-of are those of the published run "
        "(such a rerun otherwise stops after fingerprinting the drop and publishes nothing)",
    )
    add_finance_commands(commands)
    ops_cli.add_commands(commands, EPILOG.split("\n\nexample:")[0])
    add_simulation_commands(commands)
    return parser


def _failure_line(result) -> str:  # noqa: ANN001 - dagster's ExecuteInProcessResult
    """The first step failure, as the operator-facing message the asset raised."""
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            message = (
                data.user_failure_data.description
                if data.user_failure_data and data.user_failure_data.description
                else (data.error.cause.message if data.error and data.error.cause else data.error.message)
            )
            return f"{event.step_key}: {message.strip().splitlines()[0]}"
    return "the run failed (see the Dagster UI for details)"


def run_month(month: str, as_of: str | None, out=None, *, force: bool = False) -> int:
    import dagster as dg
    from dagster import DagsterInstance

    from pipeline.defs import defs, monthly_job
    from pipeline.defs.assets.inputs import UNCHANGED_TAG
    from pipeline.defs.assets.statements import PROGRESS_BAR_TAG
    from pipeline.defs.instance import ensure_dagster_home
    from pipeline.defs.jobs import EXECUTOR_ENV, MONTHLY_JOB_NAME
    from pipeline.defs.liveness import clean_up_dead_runs, month_holder
    from pipeline.defs.partitions import monthly_partitions
    from pipeline.run_summary import print_summary
    from pipeline.warehouse import WarehouseBuild

    try:
        parse_month(month)
    except MonthError as exc:
        raise CliError(str(exc)) from exc
    if month not in monthly_partitions.get_partition_keys():
        raise CliError(f"{month} is not a runnable month: months from 2024-01 up to the last complete month")

    settings = Settings.from_env()
    ensure_dagster_home(settings)
    # Dagster's console logs would bury the one line that matters; the UI keeps every event.
    run_config = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    inputs_config = {**({"as_of": as_of} if as_of else {}), **({"force": True} if force else {})}
    if inputs_config:
        run_config["ops"] = {"input_tables": {"config": inputs_config}}
    # Dagster warns on stderr for every blocking check skipped with its asset (an unchanged rerun skips
    # them all): the steps after such a check are skipped too, so the warning only misleads here.
    logging.getLogger("dagster._core.execution.plan.active").addFilter(_SKIPPED_CHECK_NOISE)
    with DagsterInstance.get() as instance:
        for dead in clean_up_dead_runs(instance, settings):
            print(f"sla-report: cleaned up dead {dead.describe()}", file=sys.stderr)
        holder = month_holder(settings, month, instance)
        if holder is not None:
            raise CliError(
                f"{month} is being run by run {holder.get('run_id', '?')} (process {holder.get('pid', '?')}); "
                "two runs of one month never interleave — wait for it to finish, then rerun"
            )
        tags = {"sla/launched_by": "cli", PROGRESS_BAR_TAG: "1"}
        executor = os.environ.get(EXECUTOR_ENV, "").strip() or "in_process"
        if executor == "in_process":
            job = defs.resolve_job_def(MONTHLY_JOB_NAME)
            result = job.execute_in_process(
                partition_key=month, instance=instance, run_config=run_config, raise_on_error=False, tags=tags
            )
            success, run_id, failure = result.success, result.run_id, _failure_line(result)
        else:
            # Steps in processes of their own (docs/statements.md "Fan-out"): the job is loaded again
            # in each of them, so it goes through Dagster's execute_job on the DAGSTER_HOME instance.
            if executor == "multiprocess":
                # Steps fork from a server that imported the code location once: a spawned process
                # per step would import Dagster and the pipeline again, seconds per step.
                run_config["execution"] = {"config": {"multiprocess": {
                    "start_method": {"forkserver": {"preload_modules": ["pipeline.defs"]}}}}}
            with dg.execute_job(
                dg.reconstructable(monthly_job),
                instance,
                run_config=run_config,
                tags={**tags, "dagster/partition": month},
                raise_on_error=False,
            ) as result:
                success, run_id, failure = result.success, result.run_id, _failure_line(result)
        if not success:
            WarehouseBuild(settings.warehouse, run_id, settings.statements_dir).discard()
            raise CliError(f"{month} failed — {failure}")
        finished = instance.get_run_by_id(run_id)
        unchanged_since = finished.tags.get(UNCHANGED_TAG) if finished else None
    # sys.stdout as it is now (a default bound at import would miss a redirected or captured stream)
    print_summary(settings, month, run_id, out=out or sys.stdout, unchanged_since=unchanged_since)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return run_month(args.month, args.as_of, force=args.force)
        if args.command in FINANCE_COMMANDS:
            return run_finance_command(args)
        if args.command in ops_cli.COMMANDS:
            return ops_cli.run(args)
        if args.command in SIMULATION_COMMANDS:
            return run_simulation_command(args)
    except (CliError, FinanceError, ops_cli.OpsError, SimulationError, PolicyError, MonthError) as exc:
        print(f"sla-report: {exc}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
