"""The last step of a run: the month's inputs and rejections, then the warehouse swapped into place."""

import dagster as dg

from pipeline.defs.assets.inputs import INPUT_ASSETS
from pipeline.defs.common import ACCOUNTING_COLUMNS, WAREHOUSE_POOL, operator_errors
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.ingest.validate import file_accounting, publish_accounting
from pipeline.markdown import markdown_table
from pipeline.probe_views import create_probe_views
from pipeline.runlog import load_run_params

# Everything the month's accounting and the published file must wait for: the warehouse is published
# only once every area of the month is built.
UPSTREAM_OF_PUBLICATION = [
    *(dg.AssetKey(name) for name in INPUT_ASSETS),
    dg.AssetKey("probe_files"),
    dg.AssetKey("ticket_sla"),
    dg.AssetKey("support_attainment"),
    dg.AssetKey("availability_minutes"),
    dg.AssetKey("uptime_monthly"),
    dg.AssetKey("credits"),
    dg.AssetKey("statements"),
]


@dg.asset(
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    group_name="inputs",
    kinds={"duckdb"},
    deps=UPSTREAM_OF_PUBLICATION,
)
def rejected_rows(context: dg.AssetExecutionContext, sla: SlaEnvironment) -> dg.MaterializeResult:
    """Publishes every row the run could not load, from the CSV inputs and the probe files
    (`rejected_rows`: file, record number, reason, raw text), and per-file accounting
    (`input_file_accounting`: read = used + other months + rejected + collapsed duplicates)."""
    month = context.partition_key
    with operator_errors(), sla.build(context.run.run_id).connect() as con:
        params = load_run_params(con, month, context.run.run_id)
        counts = publish_accounting(con, params)
        accounting = file_accounting(con, month)
    rejected = sum(row["rows_rejected"] for row in accounting)
    if rejected:
        context.log.warning(f"{month}: {rejected} input rows rejected — see the rejected_rows table")
    return dg.MaterializeResult(
        metadata={
            "rejected_rows": rejected,
            "input_file_accounting": dg.MetadataValue.md(
                markdown_table(ACCOUNTING_COLUMNS, [list(row.values()) for row in accounting])
            ),
            "rows_published": dg.MetadataValue.json(counts),
        }
    )


@dg.asset(
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    group_name="publication",
    kinds={"duckdb"},
    deps=[rejected_rows],
)
def warehouse(context: dg.AssetExecutionContext, sla: SlaEnvironment) -> dg.MaterializeResult:
    """Swaps this run's build of the warehouse into place (`SLA_WAREHOUSE`) in one atomic rename.
    Analysts holding the old file open keep reading it; if any earlier step failed, this never runs and
    the published warehouse is exactly what it was."""
    settings = sla.settings()
    build = sla.build(context.run.run_id)
    with operator_errors():
        with build.connect() as con:
            views = create_probe_views(con, settings.data_dir)
        published = build.publish()
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(published)), "probe_views": dg.MetadataValue.json(views)}
    )


__all__ = ["rejected_rows", "warehouse", "UPSTREAM_OF_PUBLICATION"]
