"""The inputs stage: every file of the drop validated into the build warehouse, then what the run could
not load and the per-file accounting, whose blocking check gates everything downstream (data contract,
R2–R4, R11, R13)."""

from datetime import UTC, datetime

import dagster as dg
from pydantic import Field

from pipeline.defs.common import ACCOUNTING_COLUMNS, WAREHOUSE_POOL, mart_spec, month_step, operator_errors
from pipeline.defs.liveness import MonthBusyError, acquire_month, record_run_process, release_month, run_worker_pid
from pipeline.defs.metadata import OWNERS_BY_GROUP, mart_metadata, table_value
from pipeline.defs.models import model_results, model_specs
from pipeline.defs.partitions import monthly_partitions
from pipeline.defs.resources import SlaEnvironment
from pipeline.faults import kill_point
from pipeline.ingest.as_of import resolve_as_of
from pipeline.ingest.fingerprint import (
    Reuse,
    drop_fingerprint,
    inputs_sha256,
    other_month_runs,
    published_run_unchanged,
    vouch_for_drop,
)
from pipeline.ingest.probes import PROBE_MODELS, ingest_probe_files
from pipeline.ingest.validate import (
    CSV_VALIDATION_MODELS,
    MONTH_INPUT_MODELS,
    csv_accounting,
    file_accounting,
    ingest_csv_inputs,
    publish_accounting,
    publish_month_inputs,
)
from pipeline.months import RunParams
from pipeline.policy import load_policy
from pipeline.warehouse.runlog import record_run

# asset (= warehouse table) → the CSV source it is loaded from
INPUT_ASSETS = {
    "customers": "customers",
    "contracts": "contracts",
    "tickets": "tickets",
    "ticket_events": "ticket_events",
    "maintenance_windows": "maintenance",
    "incidents": "incidents",
}


# Run tag of a run that found its month already published from the same inputs: the published run's id.
UNCHANGED_TAG = "sla/unchanged_since_run"


class InputsConfig(dg.Config):
    as_of: str | None = Field(
        default=None,
        description="The instant the ticket data describes (ISO 8601 with offset). "
        "Default: the newest ticket or event timestamp of the drop (R11).",
    )
    force: bool = Field(
        default=False,
        description="Rebuild the month even when its drop, policy, code, as-of and the other months are "
        "those of the published run (which otherwise ends the run here, publishing nothing).",
    )


@dg.multi_asset(
    specs=[
        # skippable: a run whose month is already published from the same inputs materializes
        # nothing, and Dagster skips every step downstream
        spec.replace_attributes(skippable=True)
        for spec in (
            *(mart_spec(name, "inputs", deps=(), kinds=("duckdb", "csv")) for name in INPUT_ASSETS),
            *model_specs((*CSV_VALIDATION_MODELS, *MONTH_INPUT_MODELS), "inputs"),
        )
    ],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
)
def input_tables(context: dg.AssetExecutionContext, config: InputsConfig, sla: SlaEnvironment):
    """Loads customers, contracts, tickets, ticket events, maintenance and incidents of the data drop
    (`SLA_DATA_DIR`) as text, parses and validates every row (bad rows go to `rejected_rows` with a
    reason), fixes the run's as-of instant and writes the month's typed inputs. A missing file or
    column, or overlapping contracts, stop the run with a message naming them; the published warehouse
    is not touched until the end of the run.

    First it fingerprints the drop: when the month is published from the same drop, policy, code,
    as-of and other months (pipeline/ingest/fingerprint.py), nothing would change, so it materializes
    nothing, tags the run `sla/unchanged_since_run` and every later step is skipped (config `force`
    rebuilds anyway)."""
    settings = sla.settings()
    month = context.partition_key
    # One writer per month: this process holds the month until publication (pipeline/defs/liveness.py).
    worker = run_worker_pid(context)
    record_run_process(context.instance, context.run.run_id, worker)
    try:
        acquire_month(context.instance, settings, month, context.run.run_id, worker)
    except MonthBusyError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    started = RunParams(month=month, as_of=None, run_started_at=datetime.now(UTC).replace(microsecond=0))
    build = sla.build(context.run.run_id)
    with operator_errors():
        build.check_month_link_writable(month)  # before the work, not at publication
    drop = drop_fingerprint(settings.data_dir)
    reuse = Reuse(None, "forced by the run config") if config.force else published_run_unchanged(
        settings, month, config.as_of, drop, started.run_started_at
    )
    if reuse.published_run is not None:
        release_month(settings, month, context.run.run_id)  # nothing will be published: the month is free
        context.instance.add_run_tags(context.run.run_id, {UNCHANGED_TAG: reuse.published_run})
        context.log.info(
            f"{month}: unchanged — {reuse.reason}; nothing is recomputed or published "
            "(set `force` in the input_tables config, or `sla-report run --force`, to rebuild anyway)"
        )
        return
    context.log.info(f"{month}: a full run — {reuse.reason}")
    with operator_errors(), build.connect() as con:
        ingest_csv_inputs(con, settings.data_dir, started)
        as_of, as_of_source = resolve_as_of(con, started, config.as_of)
        params = RunParams(month, as_of, started.run_started_at)
        record_run(
            con, context.run.run_id, params, as_of_source, str(settings.data_dir),
            drop_sha256=drop.sha256,
            inputs_sha256=inputs_sha256(settings, month, config.as_of, drop, other_month_runs(con, month)),
        )
        notice_hours = load_policy(settings.policy_file).version_for(month).maintenance_notice_hours
        publish_month_inputs(con, params, notice_hours)
        accounting = csv_accounting(con)
        tables = {asset: mart_metadata(con, asset, month) for asset in INPUT_ASSETS}
        models = model_results(con, (*CSV_VALIDATION_MODELS, *MONTH_INPUT_MODELS))
    yield from models
    context.log.info(f"{month}: as-of {as_of.isoformat()} ({as_of_source})")
    for asset, source in INPUT_ASSETS.items():
        counts = accounting.get(source, {})
        metadata = {
            **tables[asset],
            "source_file": str(counts.get("source_file", f"(no {source} file)")),
            **{k: int(v) for k, v in counts.items() if k.startswith("rows_")},
        }
        if asset in ("tickets", "ticket_events"):
            metadata |= {"as_of": as_of.isoformat(), "as_of_source": as_of_source}
        yield dg.MaterializeResult(asset_key=asset, metadata=metadata)


PROBE_FILES_DESCRIPTION = """The drop's probe result files (`probes/`: csv, jsonl, parquet, gzip or not, subfolders
    too), read once, validated, de-duplicated and accounted per file; rejected rows go to `rejected_rows` (R13).
    The rows stay in the files (analysts reach them through the views `raw_probe_files_*`); the
    warehouse keeps what the uptime engine needs to judge every minute."""


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "probe_files",
            group_name="inputs",
            kinds={"parquet", "csv"},
            owners=OWNERS_BY_GROUP["inputs"],
            # a tenant row of an unknown or rejected customer is rejected: the customers come first
            deps=["customers"],
            description=PROBE_FILES_DESCRIPTION,
        ),
        *model_specs(PROBE_MODELS, "inputs"),
    ],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
)
def probe_files(context: dg.AssetExecutionContext, sla: SlaEnvironment):
    """Reads the probe files (PROBE_FILES_DESCRIPTION) and materializes the probe passes' models too."""
    month = context.partition_key
    with month_step(context, sla) as step:
        counts = ingest_probe_files(step.con, step.settings.data_dir, step.params)
        per_file = step.con.execute(
            "SELECT source_file, rows_read, rows_used, rows_other_months, rows_rejected, rows_collapsed"
            " FROM intermediate.probe_file_accounting ORDER BY source_file"
        ).fetchall()
        models = model_results(step.con, PROBE_MODELS)
    yield from models
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
            "accounting": table_value(ACCOUNTING_COLUMNS, per_file),
        }
    )


@dg.multi_asset(
    specs=[
        mart_spec("rejected_rows", "inputs", deps=(*INPUT_ASSETS, "probe_files")),
        mart_spec("input_file_accounting", "inputs", deps=(*INPUT_ASSETS, "probe_files")),
    ],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
)
def input_accounting(context: dg.AssetExecutionContext, sla: SlaEnvironment):
    """Publishes every row the run could not load, from the CSV inputs and the probe files
    (`rejected_rows`: file, record number, reason, raw text), and per-file accounting
    (`input_file_accounting`: read = used + other months + rejected + collapsed duplicates). Its
    blocking check stops the run before any figure is computed when a file does not add up."""
    month = context.partition_key
    with month_step(context, sla) as step:
        changed = vouch_for_drop(step.con, step.settings.data_dir, month, context.run.run_id)
        if changed:
            context.log.warning(f"{month}: {changed}")
        publish_accounting(step.con, step.params)
        accounting = file_accounting(step.con, month)
        tables = {name: mart_metadata(step.con, name, month) for name in ("rejected_rows", "input_file_accounting")}
    kill_point("after_ingest")
    rejected = sum(row["rows_rejected"] for row in accounting)
    if rejected:
        context.log.warning(f"{month}: {rejected} input rows rejected — see the rejected_rows table")
    yield dg.MaterializeResult(
        asset_key="rejected_rows",
        metadata={**tables["rejected_rows"], "rejected_rows": rejected},
    )
    yield dg.MaterializeResult(
        asset_key="input_file_accounting",
        metadata={
            **tables["input_file_accounting"],
            "input_file_accounting": table_value(ACCOUNTING_COLUMNS, [list(row.values()) for row in accounting]),
        },
    )


__all__ = ["INPUT_ASSETS", "UNCHANGED_TAG", "InputsConfig", "input_accounting", "input_tables", "probe_files"]
