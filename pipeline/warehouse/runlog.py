"""What a run decided once and every later step must reuse: its as-of instant and start time (R11).

The as-of instant itself is decided by ingestion (`pipeline.ingest.as_of`); this module only records it.

Stored in the build warehouse (`main.report_runs`, one row per month: the run that produced the
published figures), so analysts can see which data instant a month's numbers describe.
"""

from __future__ import annotations

from datetime import UTC

import duckdb

from pipeline.months import RunParams

_CREATE = """
CREATE TABLE IF NOT EXISTS main.report_runs (
    month VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    as_of TIMESTAMPTZ NOT NULL,
    as_of_source VARCHAR NOT NULL,
    run_started_at TIMESTAMPTZ NOT NULL,
    data_dir VARCHAR NOT NULL,
    policy_version VARCHAR
)
"""
# Added by issue 12 (reruns that do only what changed): a warehouse published before gains them.
_ADD_FINGERPRINTS = (
    "ALTER TABLE main.report_runs ADD COLUMN IF NOT EXISTS drop_sha256 VARCHAR",
    "ALTER TABLE main.report_runs ADD COLUMN IF NOT EXISTS inputs_sha256 VARCHAR",
)


def record_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    params: RunParams,
    as_of_source: str,
    data_dir: str,
    policy_version: str | None = None,
    *,
    drop_sha256: str | None = None,
    inputs_sha256: str | None = None,
) -> None:
    """Replace the month's row: this run now produces the month (`drop_sha256`, `inputs_sha256`:
    pipeline/ingest/fingerprint.py; None where the run cannot vouch for them)."""
    con.execute(_CREATE)
    for statement in _ADD_FINGERPRINTS:
        con.execute(statement)
    con.execute("DELETE FROM main.report_runs WHERE month = $month", {"month": params.month})
    con.execute(
        "INSERT INTO main.report_runs (month, run_id, as_of, as_of_source, run_started_at, data_dir,"
        " policy_version, drop_sha256, inputs_sha256)"
        " VALUES ($month, $run_id, $as_of, $source, $started, $data_dir, $policy, $drop, $inputs)",
        {
            "month": params.month,
            "run_id": run_id,
            "as_of": params.as_of,
            "source": as_of_source,
            "started": params.run_started_at,
            "data_dir": data_dir,
            "policy": policy_version,
            "drop": drop_sha256,
            "inputs": inputs_sha256,
        },
    )


def recorded_drop_sha256(con: duckdb.DuckDBPyConnection, month: str, run_id: str) -> str | None:
    row = con.execute(
        "SELECT drop_sha256 FROM main.report_runs WHERE month = $month AND run_id = $run_id",
        {"month": month, "run_id": run_id},
    ).fetchone()
    return row[0] if row else None


def forget_fingerprints(con: duckdb.DuckDBPyConnection, month: str, run_id: str) -> None:
    """The run cannot vouch for its inputs (the drop changed while it read them): its month will not
    be reused by the next run."""
    con.execute(
        "UPDATE main.report_runs SET drop_sha256 = NULL, inputs_sha256 = NULL WHERE month = $month AND run_id = $run_id",
        {"month": month, "run_id": run_id},
    )


def load_run_params(con: duckdb.DuckDBPyConnection, month: str, run_id: str) -> RunParams:
    """The parameters the first step of this run recorded; a step without them cannot run."""
    row = con.execute(
        "SELECT as_of, run_started_at FROM main.report_runs WHERE month = $month AND run_id = $run_id",
        {"month": month, "run_id": run_id},
    ).fetchone()
    if row is None:
        raise RuntimeError(
            f"run {run_id} has not loaded the inputs of {month}: materialize the input assets (customers, tickets, …) in the same run"
        )
    return RunParams(month=month, as_of=row[0].astimezone(UTC), run_started_at=row[1].astimezone(UTC))


def set_policy_version(con: duckdb.DuckDBPyConnection, month: str, run_id: str, version: str) -> None:
    con.execute(
        "UPDATE main.report_runs SET policy_version = $version WHERE month = $month AND run_id = $run_id",
        {"version": version, "month": month, "run_id": run_id},
    )


__all__ = [
    "forget_fingerprints",
    "load_run_params",
    "record_run",
    "recorded_drop_sha256",
    "set_policy_version",
]
