"""The monthly job: every asset of one month (partitions come from the assets), in one process —
DuckDB allows one writer per file and a subprocess per step costs seconds for nothing."""

import dagster as dg

MONTHLY_JOB_NAME = "monthly_sla_report"

monthly_sla_report = dg.define_asset_job(
    name=MONTHLY_JOB_NAME,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Runs one month end to end: inputs, support SLAs, uptime and credits, statements, "
    "then publishes the warehouse.",
)

__all__ = ["monthly_sla_report", "MONTHLY_JOB_NAME"]
