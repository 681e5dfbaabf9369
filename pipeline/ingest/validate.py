"""Turn the drop's CSV inputs into validated tables, and publish the month's inputs and their accounting.

Three phases, because the month's inputs need the as-of instant (known only once tickets are loaded) and
the accounting needs the probe files' own (`pipeline.ingest.probes.ingest_probe_files`):
1. `ingest_csv_inputs` — raw tables, staging, cross-row checks → `intermediate.valid_*`;
2. `publish_month_inputs` — the month's typed inputs;
3. `publish_accounting` — `rejected_rows` and `input_file_accounting` of every input file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.ingest.load import load_raw_tables
from pipeline.ingest.readers import InputFileError
from pipeline.money import MINOR_UNITS, WITHDRAWN
from pipeline.months import RunParams
from pipeline.warehouse import replace_table_from_arrow
from pipeline.warehouse.sqlrunner import run_models

CSV_VALIDATION_MODELS = (
    "staging/customers",
    "staging/contracts",
    "staging/tickets",
    "staging/ticket_events",
    "staging/maintenance",
    "staging/incidents",
    "intermediate/ingest/csv_duplicates",
    "intermediate/ingest/checked_customers",
    "intermediate/ingest/customer_references",
    "intermediate/ingest/valid_customers",
    "intermediate/ingest/checked_contracts",
    "intermediate/ingest/valid_contracts",
    "intermediate/ingest/contract_overlaps",
    "intermediate/ingest/checked_tickets",
    "intermediate/ingest/valid_tickets",
    "intermediate/ingest/checked_ticket_events",
    "intermediate/ingest/valid_ticket_events",
    "intermediate/ingest/checked_maintenance",
    "intermediate/ingest/valid_maintenance",
    "intermediate/ingest/checked_incidents",
    "intermediate/ingest/valid_incidents",
)

# The month's typed inputs, published once as-of is known (events are kept up to as-of).
MONTH_INPUT_MODELS = (
    "intermediate/ingest/csv_record_verdicts",
    "marts/customers",
    "marts/contracts",
    "marts/tickets",
    "marts/ticket_events",
    "marts/maintenance_windows",
    "marts/incidents",
)
# Rejections and accounting of every input file, probe files included: once the probe files are read.
ACCOUNTING_MODELS = ("marts/rejected_rows", "marts/input_file_accounting")


class OverlappingContractsError(InputFileError):
    """Two contracts of one customer cover the same instant (R3): the plan would be ambiguous."""


@dataclass(frozen=True)
class CsvIngestResult:
    records_read: dict[str, int]
    valid_rows: dict[str, int]


def _load_currencies(con: duckdb.DuckDBPyConnection) -> None:
    table = pa.table({
        "currency": pa.array(list(MINOR_UNITS), pa.string()),
        "minor_unit": pa.array(list(MINOR_UNITS.values()), pa.int32()),
        "withdrawn_on": pa.array([WITHDRAWN.get(code) for code in MINOR_UNITS], pa.date32()),
    })
    replace_table_from_arrow(con, "raw.iso4217_currencies", table)


def _raise_on_overlaps(con: duckdb.DuckDBPyConnection) -> None:
    overlaps = con.execute(
        "SELECT customer_id, first_contract_id, first_line_number, second_contract_id, second_line_number"
        " FROM intermediate.contract_overlaps"
    ).fetchall()
    if overlaps:
        pairs = "; ".join(
            f"customer {customer!r}: {a} (line {la}) and {b} (line {lb})" for customer, a, la, b, lb in overlaps
        )
        raise OverlappingContractsError(f"contracts.csv has overlapping contracts — {pairs}")


def ingest_csv_inputs(con: duckdb.DuckDBPyConnection, data_dir: Path, params: RunParams) -> CsvIngestResult:
    """Load and validate every CSV input; fail (naming file and ids) on a missing file/column or overlaps."""
    records_read = load_raw_tables(con, data_dir)
    _load_currencies(con)
    counts = run_models(con, CSV_VALIDATION_MODELS, params.as_dict())
    _raise_on_overlaps(con)
    valid = {key.rsplit("/", 1)[1]: n for key, n in counts.items() if key.startswith("intermediate/ingest/valid_")}
    return CsvIngestResult(records_read=records_read, valid_rows=valid)


def publish_month_inputs(
    con: duckdb.DuckDBPyConnection, params: RunParams, maintenance_notice_hours: int = 48
) -> dict[str, int]:
    """Write the month's typed inputs (customers, contracts, tickets, … of the month) into the marts;
    `maintenance_notice_hours` (the policy's R16.1 notice) decides `maintenance_windows.notice_qualifies`."""
    bound = params.as_dict() | {"maintenance_notice_hours": maintenance_notice_hours}
    return run_models(con, MONTH_INPUT_MODELS, bound)


def publish_accounting(con: duckdb.DuckDBPyConnection, params: RunParams) -> dict[str, int]:
    """Write the month's rejected rows and per-file accounting (CSV and probe files) into the marts."""
    return run_models(con, ACCOUNTING_MODELS, params.as_dict())


def csv_accounting(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, object]]:
    """Per CSV source (`customers`, `tickets`, …): its file and where its records went in this run."""
    cursor = con.execute(
        "SELECT source, min(source_file) AS source_file, count(*) AS rows_read,"
        " count(*) FILTER (verdict = 'used') AS rows_used,"
        " count(*) FILTER (verdict = 'other_month') AS rows_other_months,"
        " count(*) FILTER (verdict = 'rejected') AS rows_rejected,"
        " count(*) FILTER (verdict = 'collapsed') AS rows_collapsed"
        " FROM intermediate.csv_record_verdicts GROUP BY source"
    )
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names[1:], row[1:])) for row in cursor.fetchall()}


def file_accounting(con: duckdb.DuckDBPyConnection, month: str) -> list[dict[str, object]]:
    """The month's per-file accounting rows, for logs, Dagster metadata and the CLI summary."""
    cursor = con.execute(
        "SELECT source_file, rows_read, rows_used, rows_other_months, rows_rejected, rows_collapsed"
        " FROM main.input_file_accounting WHERE month = $month ORDER BY source_file",
        {"month": month},
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


__all__ = [
    "ACCOUNTING_MODELS",
    "CSV_VALIDATION_MODELS",
    "csv_accounting",
    "publish_accounting",
    "MONTH_INPUT_MODELS",
    "CsvIngestResult",
    "OverlappingContractsError",
    "file_accounting",
    "ingest_csv_inputs",
    "publish_month_inputs",
]
