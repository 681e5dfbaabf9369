"""The uptime stage: every customer-minute of the month judged and classified, then uptime (R14–R17, R20)."""

import dagster as dg

from pipeline.defs.common import WAREHOUSE_POOL, mart_spec, month_step
from pipeline.defs.metadata import mart_metadata, table_value
from pipeline.defs.models import model_results, model_specs
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.uptime import UPTIME_MODELS, build_uptime

UPTIME_INPUTS = ("probe_files", "customers", "contracts", "maintenance_windows", "incidents", "input_file_accounting")
UPTIME_MARTS = (
    "measured_periods", "enterprise_tenure", "exclusion_windows", "availability_minutes", "uptime_monthly",
    "downtime_attribution",
)


@dg.multi_asset(
    specs=[
        *(mart_spec(name, "uptime", deps=UPTIME_INPUTS) for name in UPTIME_MARTS),
        *model_specs(UPTIME_MODELS, "uptime"),
    ],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
)
def uptime(context: dg.AssetExecutionContext, sla: SlaEnvironment):
    """Classifies each minute of every customer's measured period (down, excluded with its reason, no
    data) from the probe rows ingestion kept, and computes uptime per customer × plan with the policy
    version in force on the month's first day."""
    month = context.partition_key
    with month_step(context, sla) as step:
        build_uptime(step.con, step.params, step.policy.uptime_targets, step.policy.maintenance_notice_hours)
        states = step.con.execute(
            "SELECT state, count(*) FROM main.availability_minutes WHERE month = $month GROUP BY 1 ORDER BY 1",
            {"month": month},
        ).fetchall()
        tables = {name: mart_metadata(step.con, name, month) for name in UPTIME_MARTS}
        models = model_results(step.con, UPTIME_MODELS)
    yield from models
    for name in ("measured_periods", "enterprise_tenure", "exclusion_windows", "downtime_attribution"):
        yield dg.MaterializeResult(asset_key=name, metadata=tables[name])
    yield dg.MaterializeResult(
        asset_key="availability_minutes",
        metadata={
            **tables["availability_minutes"],
            "minutes_by_state": table_value(("state", "minutes"), states),
        },
    )
    yield dg.MaterializeResult(
        asset_key="uptime_monthly",
        metadata={**tables["uptime_monthly"], "policy_version": step.policy.version_id},
    )


__all__ = ["uptime"]
