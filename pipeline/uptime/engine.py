"""The uptime engine (R14–R17, R20), Dagster-free: `build_uptime` classifies one month's minutes.

Ingestion has already read every probe row once (`pipeline.ingest.probes`: pass 1 keeps what the
classification needs, pass 2 the shared rows and the rare tenant pairs holding several results in a
minute). The models of `sql/intermediate/uptime/` and the uptime marts work on those tables only:
the measured periods, the minute states, the windows that excuse minutes, availability and uptime.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import duckdb

from pipeline.months import RunParams
from pipeline.uptime.credits import target_parameters
from pipeline.warehouse.sqlrunner import run_models

UPTIME_MODELS = (
    "intermediate/uptime/contract_periods",
    "intermediate/uptime/uptime_targets",
    "intermediate/uptime/minute_states",
    "marts/measured_periods",
    "marts/enterprise_tenure",
    "marts/exclusion_windows",
    "marts/availability_minutes",
    "marts/uptime_monthly",
    "marts/downtime_attribution",
)


def build_uptime(
    con: duckdb.DuckDBPyConnection,
    params: RunParams,
    uptime_targets: Mapping[str, Decimal | None],
    maintenance_notice_hours: int = 48,
) -> dict[str, int]:
    """Classify the month's customer-minutes and build availability and uptime (R14–R17, R20).

    Needs ingestion's `intermediate.valid_*` tables and its probe tables (`probe_judged_results`,
    `probe_tenant_sets`: `pipeline.ingest.probes.ingest_probe_files`). Returns rows per model."""
    notice = {"maintenance_notice_hours": maintenance_notice_hours}
    return run_models(con, UPTIME_MODELS, params.as_dict() | target_parameters(uptime_targets) | notice)


__all__ = ["UPTIME_MODELS", "build_uptime"]
