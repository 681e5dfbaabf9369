"""The publication stage: the run's build of the warehouse swapped into place, once every stage is built."""

import dagster as dg

from pipeline.defs.common import WAREHOUSE_POOL, operator_errors
from pipeline.defs.liveness import release_month
from pipeline.defs.metadata import OWNERS_BY_GROUP
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.finance.publication import create_finance_views, refresh_finance_files
from pipeline.ingest.probes import create_probe_views
from pipeline.warehouse.comments import apply_comments


@dg.asset(
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    group_name="publication",
    kinds={"duckdb"},
    owners=OWNERS_BY_GROUP["publication"],
    # the two ends of the month's graph: every other asset is upstream of one of them
    deps=["statements", "rejected_rows"],
)
def warehouse(context: dg.AssetExecutionContext, sla: SlaEnvironment) -> dg.MaterializeResult:
    """Publishes this run's release — its warehouse (`SLA_WAREHOUSE`) and every month's statements
    (`SLA_STATEMENTS_DIR/YYYY-MM/`) — together, in one atomic rename of the `current` link. Analysts
    holding the old file open keep reading it; if any earlier step or blocking check failed, this never
    runs and what was published is exactly what it was."""
    settings = sla.settings()
    build = sla.build(context.run.run_id)
    with operator_errors():
        with build.connect() as con:
            views = create_probe_views(con, settings.data_dir)
            finance_views = create_finance_views(con, settings.ledger)
            apply_comments(con)  # the warehouse documents itself (sql/marts/columns.yaml)
        published = build.publish()
    release_month(settings, context.partition_key, context.run.run_id)  # published: the month is free
    refresh_finance_files(settings, context.log)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(published)),
            "probe_views": dg.MetadataValue.json(views),
            "finance_views": dg.MetadataValue.json(finance_views),
        }
    )


__all__ = ["warehouse"]
