"""Support SLAs of the month: ticket clocks and attainment per severity (R4–R12)."""

import dagster as dg

from pipeline.defs.common import WAREHOUSE_POOL, mart_spec, month_step
from pipeline.defs.metadata import mart_metadata, table_value
from pipeline.defs.models import model_results, model_specs
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.support import SUPPORT_MODELS, build_support
from pipeline.warehouse.runlog import set_policy_version

SUPPORT_MARTS = ("ticket_sla", "ticket_sla_segments", "support_attainment", "ticket_pause_audit")


@dg.multi_asset(
    specs=[
        *(mart_spec(name, "support", deps=("tickets", "ticket_events", "input_file_accounting"))
          for name in SUPPORT_MARTS),
        *model_specs(SUPPORT_MODELS, "support"),
    ],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
)
def support_sla(context: dg.AssetExecutionContext, sla: SlaEnvironment):
    """Response and resolution clocks of the month's tickets in business or calendar time, with the
    policy version in force on the month's first day."""
    month = context.partition_key
    with month_step(context, sla) as step:
        con, params, version = step.con, step.params, step.policy
        build_support(con, params, version)
        set_policy_version(con, month, context.run.run_id, version.version_id)
        statuses = con.execute(
            "SELECT clock, status, count(*) FROM main.ticket_sla WHERE month = $month GROUP BY ALL ORDER BY ALL",
            {"month": month},
        ).fetchall()
        undecided = con.execute(
            "SELECT count(*) FROM main.support_attainment WHERE month = $month AND attainment IS NULL",
            {"month": month},
        ).fetchone()[0]
        flagged = con.execute(
            "SELECT count(*) FROM main.ticket_pause_audit WHERE month = $month AND flagged", {"month": month}
        ).fetchone()[0]
        tables = {name: mart_metadata(con, name, month) for name in SUPPORT_MARTS}
        models = model_results(con, SUPPORT_MODELS)
    yield from models
    yield dg.MaterializeResult(
        asset_key="ticket_sla",
        metadata={
            **tables["ticket_sla"],
            "clocks_by_status": table_value(("clock", "status", "clocks"), statuses),
            "policy_version": version.version_id,
            "as_of": params.as_of.isoformat(),
        },
    )
    yield dg.MaterializeResult(
        asset_key="ticket_sla_segments",
        metadata=tables["ticket_sla_segments"],
    )
    yield dg.MaterializeResult(
        asset_key="support_attainment",
        metadata={
            **tables["support_attainment"],
            "rows_without_decided_ticket": undecided,
            "policy_version": version.version_id,
        },
    )
    yield dg.MaterializeResult(
        asset_key="ticket_pause_audit",
        metadata={**tables["ticket_pause_audit"], "flagged_pauses": flagged},
    )


__all__ = ["support_sla"]
