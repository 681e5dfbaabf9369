"""The credits stage: service credits of the month's enterprise customers (R18, R19)."""

import dagster as dg
import duckdb

from pipeline.defs.common import WAREHOUSE_POOL, mart_spec, month_step
from pipeline.defs.metadata import OWNERS_BY_GROUP, amount_text, mart_definition_metadata, mart_metadata, table_value
from pipeline.defs.models import model_results, model_specs
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.faults import kill_point
from pipeline.uptime import CREDIT_MODELS, build_chronic_breaches, build_credits
from pipeline.warehouse.sqlrunner import load_model


@dg.multi_asset(
    specs=[
        mart_spec("credits", "credits", deps=("uptime_monthly", "measured_periods")),
        *model_specs(CREDIT_MODELS, "credits"),
    ],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
)
def credits(context: dg.AssetExecutionContext, sla: SlaEnvironment):
    """Service credits of the month's enterprise customers (R18, R19) from their uptime and fee bases."""
    month = context.partition_key
    with month_step(context, sla) as step:
        build_credits(step.con, step.params, step.policy.credits, step.policy.uptime_targets)
        rows = credit_rows(step.con, month)
        table = mart_metadata(step.con, "credits", month)
        models = model_results(step.con, CREDIT_MODELS)
    kill_point("after_models")  # every figure of the month is in the build; nothing rendered yet
    yield from models
    yield dg.MaterializeResult(
        asset_key="credits",
        metadata={
            **table,
            "customers_credited": sum(1 for row in rows if row[6] > 0),
            "customers_below_target": sum(1 for row in rows if row[3]),
            "credit_totals": credit_totals_table(rows),
            "credits_by_customer": table_value(
                ("customer", "currency", "fee_base", "below_target", "shortfall_steps", "credit_pct", "credit",
                 "capped"),
                [(c, cur, amount_text(fee, cur), below, steps, str(pct), amount_text(amount, cur), capped)
                 for c, cur, fee, below, steps, pct, amount, capped in rows],
            ),
        }
    )


@dg.asset(
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    group_name="credits",
    kinds={"duckdb"},
    deps=["credits"],
    description=load_model("marts/chronic_breaches").description,
    owners=OWNERS_BY_GROUP["credits"],
    metadata=mart_definition_metadata("chronic_breaches"),
)
def chronic_breaches(context: dg.AssetExecutionContext, sla: SlaEnvironment) -> dg.MaterializeResult:
    month = context.partition_key
    with month_step(context, sla) as step:
        rebuilt = build_chronic_breaches(step.con, month, step.policy.chronic)
        flagged = step.con.execute(
            "SELECT customer_id, reason FROM main.chronic_breaches WHERE month = $month AND is_chronic"
            " ORDER BY customer_id",
            {"month": month},
        ).fetchall()
        table = mart_metadata(step.con, "chronic_breaches", month)
    return dg.MaterializeResult(
        metadata={
            **table,
            "chronic_customers": len(flagged),
            "chronic": table_value(("customer", "reason"), flagged),
            # a month's flags read the months before it: later months already built were rebuilt too
            "later_months_rebuilt": dg.MetadataValue.json(sorted(m for m in rebuilt if m != month)),
        }
    )


def credit_rows(con: duckdb.DuckDBPyConnection, month: str) -> list[tuple]:
    """(customer, currency, fee base, below target, steps, credit %, credit, capped) of the month. Below
    target means an exact shortfall above zero, also when it earns no whole step."""
    return con.execute(
        "SELECT customer_id, currency, fee_base, shortfall_numerator > 0, shortfall_steps, credit_pct,"
        " credit_amount, capped FROM main.credits WHERE month = $month ORDER BY customer_id",
        {"month": month},
    ).fetchall()


def credit_totals_table(rows) -> dg.TableMetadataValue:
    """Total credit and customers credited per currency, each total in its currency's minor unit."""
    totals: dict[str, list] = {}
    for _, currency, _, _, _, _, amount, _ in rows:
        total = totals.setdefault(currency, [0, 0])
        total[0] += amount
        total[1] += amount > 0
    return table_value(
        ("currency", "total_credit", "customers_credited"),
        [(cur, amount_text(total, cur), int(credited)) for cur, (total, credited) in sorted(totals.items())],
    )


__all__ = ["chronic_breaches", "credits", "credit_rows", "credit_totals_table"]
