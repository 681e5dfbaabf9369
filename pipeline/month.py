"""One month's warehouse figures, Dagster-free: every stage in data-flow order on one connection.

ingest (CSV inputs, the as-of instant, probe files, rejections and accounting) → support → uptime →
credits. The Dagster job runs the same stage functions as separate assets; tests, benchmarks and
scratch builds call `build_month` to get the same marts without an orchestrator.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline.ingest.as_of import resolve_as_of
from pipeline.ingest.probes import ingest_probe_files
from pipeline.ingest.validate import ingest_csv_inputs, publish_accounting, publish_month_inputs
from pipeline.months import RunParams
from pipeline.policy import PolicyVersion
from pipeline.support import build_support
from pipeline.uptime import build_chronic_breaches, build_credits, build_uptime
from pipeline.warehouse.runlog import record_run, set_policy_version


def ingest_month(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path,
    month: str,
    maintenance_notice_hours: int,
    *,
    as_of: str | None = None,
    run_started_at: datetime | None = None,
    run_id: str = "local",
) -> RunParams:
    """The inputs stage of `build_month`: every file of the drop read and validated, the as-of instant
    fixed, the month's inputs, `rejected_rows` and `input_file_accounting` written. Raises InputFileError
    (naming the file) for a file that stops the run."""
    started = (run_started_at or datetime.now(UTC)).replace(microsecond=0)
    params = RunParams(month, None, started)
    ingest_csv_inputs(con, data_dir, params)
    instant, source = resolve_as_of(con, params, as_of)
    params = RunParams(month, instant, started)
    record_run(con, run_id, params, source, str(data_dir))
    publish_month_inputs(con, params, maintenance_notice_hours)
    ingest_probe_files(con, data_dir, params)
    publish_accounting(con, params)
    return params


def build_month(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path,
    month: str,
    policy: PolicyVersion,
    *,
    as_of: str | None = None,
    run_started_at: datetime | None = None,
    run_id: str = "local",
) -> RunParams:
    """Build every mart of `month` from the drop in `data_dir` with `policy`; return the run's parameters.

    `as_of` is an operator's override (ISO 8601 with offset); by default it comes from the data (R11).
    `run_started_at` (default now) is the instant after which timestamps are rejected as future."""
    params = ingest_month(
        con, data_dir, month, policy.maintenance_notice_hours,
        as_of=as_of, run_started_at=run_started_at, run_id=run_id,
    )
    build_support(con, params, policy)
    set_policy_version(con, month, run_id, policy.version_id)
    build_uptime(con, params, policy.uptime_targets, policy.maintenance_notice_hours)
    build_credits(con, params, policy.credits, policy.uptime_targets)
    build_chronic_breaches(con, month, policy.chronic)
    return params


__all__ = ["build_month", "ingest_month"]
