"""The credits stage: service credits of the month's enterprise customers (R18, R19)."""

import dagster as dg

from pipeline.defs.common import WAREHOUSE_POOL, month_step
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.markdown import markdown_table
from pipeline.uptime import build_credits
from pipeline.warehouse.sqlrunner import load_model


@dg.asset(
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    group_name="credits",
    kinds={"duckdb"},
    deps=["uptime_monthly", "measured_periods"],
    description=load_model("marts/credits").description,
)
def credits(context: dg.AssetExecutionContext, sla: SlaEnvironment) -> dg.MaterializeResult:
    month = context.partition_key
    with month_step(context, sla) as step:
        counts = build_credits(step.con, step.params, step.policy.credits, step.policy.uptime_targets)
        totals = step.con.execute(
            "SELECT currency, sum(credit_amount)::VARCHAR, count(*) FILTER (credit_amount > 0)"
            " FROM main.credits WHERE month = $month GROUP BY 1 ORDER BY 1",
            {"month": month},
        ).fetchall()
    return dg.MaterializeResult(
        metadata={
            "customers": counts["marts/credits"],
            "credit_totals": dg.MetadataValue.md(
                markdown_table(("currency", "total credit", "customers credited"), totals)
            ),
        }
    )


__all__ = ["credits"]
