"""Automation beside the schedule: the drop sensor launches a month when its drop is complete, the
run-failure sensor tells people when a run of the monthly job fails, and the dead-run sweeper marks
failed the runs whose process is gone so that their pool slot never blocks the next run.

All three are RUNNING by default; like the schedule they need the Dagster daemon (`dagster dev` runs it).
"""

from __future__ import annotations

import dagster as dg

from pipeline.alerts import AlertSettings, RunFailure, notify_failure
from pipeline.defs.jobs import MONTHLY_JOB_NAME, monthly_sla_report
from pipeline.defs.liveness import clean_up_dead_runs
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.ingest.ready import READY_MARKER, DropNotReady, read_ready_drop

LAUNCHED_BY_TAG = "sla/launched_by"
MARKER_TAG = "sla/drop_marker"


@dg.sensor(
    job=monthly_sla_report,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Launches the month named in the drop's {READY_MARKER} marker (SLA_DATA_DIR/{READY_MARKER}, "
    "written last by the exporter) once per marker; a rewritten marker launches the month again. "
    "The schedule on the 5th stays as the fallback.",
)
def drop_sensor(context: dg.SensorEvaluationContext, sla: SlaEnvironment):
    data_dir = sla.settings().data_dir
    try:
        drop = read_ready_drop(data_dir)
    except DropNotReady as exc:
        return dg.SkipReason(str(exc))
    if drop.month not in monthly_partitions.get_partition_keys():
        return dg.SkipReason(
            f"{drop.marker} names {drop.month}, which is not a runnable month yet "
            "(months from 2024-01 up to the last complete month)"
        )
    if context.cursor == drop.run_key:
        return dg.SkipReason(f"{drop.month} was already launched for this marker ({drop.run_key})")
    context.log.info(f"{drop.marker}: drop of {drop.month} is complete, launching run {drop.run_key}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=drop.run_key,
                partition_key=drop.month,
                tags={LAUNCHED_BY_TAG: "drop_sensor", MARKER_TAG: drop.run_key},
            )
        ],
        cursor=drop.run_key,
    )


def run_failure(context: dg.RunFailureSensorContext) -> RunFailure:
    """The failed run, its first failed step and that step's one-line reason."""
    run = context.dagster_run
    step, reason = None, None
    for event in context.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data and data.user_failure_data.description:
            reason = data.user_failure_data.description
        elif data.error:
            reason = (data.error.cause or data.error).message
        step = event.step_key
        break
    if reason is None:
        reason = context.failure_event.message or "the run failed"
    return RunFailure(
        run_id=run.run_id,
        job=run.job_name,
        month=run.tags.get("dagster/partition"),
        step=step,
        reason=reason.strip().splitlines()[0] if reason.strip() else "the run failed",
        launched_by=_launched_by(run.tags),
    )


def _launched_by(tags) -> str | None:
    if tags.get(LAUNCHED_BY_TAG):
        return tags[LAUNCHED_BY_TAG]
    if tags.get("dagster/backfill"):
        return f"backfill {tags['dagster/backfill']}"
    return tags.get("dagster/schedule_name") or tags.get("dagster/sensor_name")


# Every code location: runs the CLI executes in-process have no code location, and must alert too.
@dg.run_failure_sensor(
    name="run_failure_alert",
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Emails SLA_ALERT_EMAIL (through SLA_SMTP_URL, from SLA_SMTP_FROM) and POSTs JSON to "
    "SLA_ALERT_WEBHOOK_URL when a run of the monthly job fails, with the failed step and its reason.",
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    if context.dagster_run.job_name != MONTHLY_JOB_NAME:
        return
    failure = run_failure(context)
    for channel, line in notify_failure(failure, AlertSettings.from_env()).items():
        log = context.log.warning if line.startswith("failed") else context.log.info
        log(f"run {failure.run_id} failed ({failure.step}: {failure.reason}); {channel} {line}")


# The UI's runs are launched by DefaultRunLauncher, which has no worker health check: Dagster's run
# monitoring only frees slots of runs that *ended*. The code server notices a run worker it spawned
# dying, but not after it restarted itself (power loss, `dagster dev` stopped). This sweeper does the
# CLI's own check from the daemon, so a dead run is cleaned up without anyone running the CLI.
@dg.sensor(
    name="dead_run_sweeper",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks failed every run still STARTING/STARTED on this host whose process (tag sla/pid) is "
    "gone — SIGKILL, power loss — frees the sla_warehouse pool slots it held and removes its unpublished "
    "release, so no dead run blocks the next (the CLI does the same before every run).",
)
def dead_run_sweeper(context: dg.SensorEvaluationContext, sla: SlaEnvironment):
    dead = clean_up_dead_runs(context.instance, sla.settings())
    for run in dead:
        context.log.warning(f"cleaned up dead {run.describe()}")
    if not dead:
        return dg.SkipReason("no dead run: every run in progress on this host has a live process")
    return dg.SkipReason("cleaned up dead " + "; ".join(run.describe() for run in dead))


sensors = [drop_sensor, run_failure_alert, dead_run_sweeper]

__all__ = [
    "dead_run_sweeper",
    "drop_sensor",
    "run_failure_alert",
    "run_failure",
    "sensors",
    "LAUNCHED_BY_TAG",
    "MARKER_TAG",
]
