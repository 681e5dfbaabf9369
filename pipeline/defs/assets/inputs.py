"""The month's inputs: every CSV of the drop validated into the build warehouse (data contract, R2–R4)."""

from datetime import UTC, datetime

import dagster as dg
from pydantic import Field

from pipeline.defs.common import WAREHOUSE_POOL, operator_errors
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.ingest.validate import csv_accounting, ingest_csv_inputs, publish_month_inputs
from pipeline.months import RunParams
from pipeline.runlog import record_run, resolve_as_of
from pipeline.sqlrunner import load_model

# asset (= warehouse table) → the CSV source it is loaded from
INPUT_ASSETS = {
    "customers": "customers",
    "contracts": "contracts",
    "tickets": "tickets",
    "ticket_events": "ticket_events",
    "maintenance_windows": "maintenance",
    "incidents": "incidents",
}


class InputsConfig(dg.Config):
    as_of: str | None = Field(
        default=None,
        description="The instant the ticket data describes (ISO 8601 with offset). "
        "Default: the newest ticket or event timestamp of the drop (R11).",
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(name, description=load_model(f"marts/{name}").description, group_name="inputs", kinds={"duckdb", "csv"})
        for name in INPUT_ASSETS
    ],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
)
def input_tables(context: dg.AssetExecutionContext, config: InputsConfig, sla: SlaEnvironment):
    """Loads customers, contracts, tickets, ticket events, maintenance and incidents of the data drop
    (`SLA_DATA_DIR`) as text, parses and validates every row (bad rows go to `rejected_rows` with a
    reason), fixes the run's as-of instant and writes the month's typed inputs. A missing file or
    column, or overlapping contracts, stop the run with a message naming them; the published warehouse
    is not touched until the end of the run."""
    settings = sla.settings()
    month = context.partition_key
    started = RunParams(month=month, as_of=None, run_started_at=datetime.now(UTC).replace(microsecond=0))
    with operator_errors(), sla.build(context.run.run_id).connect() as con:
        ingest_csv_inputs(con, settings.data_dir, started)
        as_of, as_of_source = resolve_as_of(con, started, config.as_of)
        params = RunParams(month, as_of, started.run_started_at)
        record_run(con, context.run.run_id, params, as_of_source, str(settings.data_dir))
        rows = publish_month_inputs(con, params)
        accounting = csv_accounting(con)
    context.log.info(f"{month}: as-of {as_of.isoformat()} ({as_of_source})")
    for asset, source in INPUT_ASSETS.items():
        counts = accounting.get(source, {})
        metadata = {
            "dagster/row_count": rows[f"marts/{asset}"],
            "source_file": str(counts.get("source_file", f"(no {source} file)")),
            **{k: int(v) for k, v in counts.items() if k.startswith("rows_")},
        }
        if asset in ("tickets", "ticket_events"):
            metadata |= {"as_of": as_of.isoformat(), "as_of_source": as_of_source}
        yield dg.MaterializeResult(asset_key=asset, metadata=metadata)


__all__ = ["input_tables", "InputsConfig", "INPUT_ASSETS"]
