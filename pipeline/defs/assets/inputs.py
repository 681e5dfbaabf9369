"""The month's inputs: every CSV of the drop validated into the build warehouse (data contract, R2–R4)."""

from datetime import UTC, datetime

import dagster as dg
from pydantic import Field

from pipeline.defs.common import WAREHOUSE_POOL, operator_errors
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.ingest.validate import ingest_csv_inputs
from pipeline.months import RunParams
from pipeline.runlog import record_run, resolve_as_of


class InputsConfig(dg.Config):
    as_of: str | None = Field(
        default=None,
        description="The instant the ticket data describes (ISO 8601 with offset). "
        "Default: the newest ticket or event timestamp of the drop (R11).",
    )


@dg.asset(
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    group_name="inputs",
    kinds={"duckdb", "csv"},
)
def input_tables(context: dg.AssetExecutionContext, config: InputsConfig, sla: SlaEnvironment) -> dg.MaterializeResult:
    """Loads customers, contracts, tickets, ticket events, maintenance and incidents of the data drop
    (`SLA_DATA_DIR`) as text, parses and validates every row (bad rows go to `rejected_rows` with a
    reason), and fixes the run's as-of instant. A missing file or column, or overlapping contracts,
    stop the run with a message naming them; the published warehouse is not touched until the end."""
    settings = sla.settings()
    month = context.partition_key
    params = RunParams(month=month, as_of=None, run_started_at=datetime.now(UTC).replace(microsecond=0))
    with operator_errors(), sla.build(context.run.run_id).connect() as con:
        result = ingest_csv_inputs(con, settings.data_dir, params)
        as_of, as_of_source = resolve_as_of(con, params, config.as_of)
        record_run(con, context.run.run_id, RunParams(month, as_of, params.run_started_at), as_of_source, str(settings.data_dir))
    context.log.info(f"{month}: as-of {as_of.isoformat()} ({as_of_source}); records read {result.records_read}")
    return dg.MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
            "as_of_source": as_of_source,
            "data_dir": str(settings.data_dir),
            "records_read": dg.MetadataValue.json(result.records_read),
            "valid_rows_in_drop": dg.MetadataValue.json(result.valid_rows),
        }
    )


__all__ = ["input_tables", "InputsConfig"]
