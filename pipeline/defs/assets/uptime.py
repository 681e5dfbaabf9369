"""Uptime and service credits of the month, from the raw probe files (R13–R20)."""

import dagster as dg

from pipeline.defs.common import ACCOUNTING_COLUMNS, WAREHOUSE_POOL, mart_spec, month_step
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.markdown import markdown_table
from pipeline.uptime import build_uptime


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "probe_files",
            description="The drop's probe result files (csv, jsonl, parquet, gzip or not), validated and "
            "accounted per file; the rows stay in the files (views raw_probe_files_*), rejected rows go to "
            "rejected_rows (R13).",
            group_name="inputs",
            kinds={"parquet", "csv"},
        ),
        *(
            mart_spec(name, "uptime", deps=("customers", "contracts", "maintenance_windows", "incidents"))
            for name in ("availability_minutes", "uptime_monthly", "credits")
        ),
    ],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
)
def uptime_and_credits(context: dg.AssetExecutionContext, sla: SlaEnvironment):
    """Reads every probe file of the drop (csv, jsonl, parquet, gzip or not), classifies each minute
    per customer (down, excluded, no data), and computes uptime and credits with the policy version in
    force on the month's first day. Raw probe rows stay in their files."""
    month = context.partition_key
    with month_step(context, sla) as step:
        con, version = step.con, step.policy
        counts = build_uptime(con, step.params, step.settings.data_dir, version.credits, version.uptime_targets)
        states = dict(
            con.execute(
                "SELECT state, count(*) FROM main.availability_minutes WHERE month = $month GROUP BY 1",
                {"month": month},
            ).fetchall()
        )
        probe_files = con.execute(
            "SELECT source_file, rows_read, rows_used, rows_other_months, rows_rejected, rows_collapsed"
            " FROM intermediate.accounting_probe_results ORDER BY source_file"
        ).fetchall()
        credits = con.execute(
            "SELECT currency, sum(credit_amount)::VARCHAR, count(*) FILTER (credit_amount > 0)"
            " FROM main.credits WHERE month = $month GROUP BY 1 ORDER BY 1",
            {"month": month},
        ).fetchall()
    context.log.info(
        f"{month}: {counts['probe_rows_read']} probe rows read in {counts['probe_files']} files, "
        f"{counts['probe_rows_rejected']} rejected"
    )
    yield dg.MaterializeResult(
        asset_key="probe_files",
        metadata={
            "files": counts["probe_files"],
            "rows_read": counts["probe_rows_read"],
            "rows_used": counts["probe_rows_used"],
            "rows_other_months": counts["probe_rows_other_months"],
            "rows_rejected": counts["probe_rows_rejected"],
            "rows_collapsed": counts["probe_rows_collapsed"],
            "accounting": dg.MetadataValue.md(markdown_table(ACCOUNTING_COLUMNS, probe_files)),
        },
    )
    yield dg.MaterializeResult(
        asset_key="availability_minutes",
        metadata={
            "minutes_by_state": dg.MetadataValue.json(dict(sorted(states.items()))),
        },
    )
    yield dg.MaterializeResult(
        asset_key="uptime_monthly", metadata={"rows": counts["marts/uptime_monthly"], "policy_version": version.version_id}
    )
    yield dg.MaterializeResult(
        asset_key="credits",
        metadata={
            "customers": counts["marts/credits"],
            "credit_totals": dg.MetadataValue.md(
                markdown_table(("currency", "total credit", "customers credited"), credits)
            ),
        },
    )


__all__ = ["uptime_and_credits"]
