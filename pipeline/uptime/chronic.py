"""Chronic breaches (issue 13), Dagster-free: `build_chronic_breaches` flags repeat misses.

A month's flags read the months before it, so rerunning or backfilling a month also rebuilds the
flags of every later month the warehouse already holds: whatever order months are run in, the flags
are those of running them in order.
"""

from __future__ import annotations

import duckdb

from pipeline.policy import ChronicRule
from pipeline.warehouse.sqlrunner import run_models

CHRONIC_MODELS = ("marts/chronic_breaches",)


def chronic_parameters(rule: ChronicRule) -> dict[str, int]:
    return {
        "below_target_months": rule.below_target_months,
        "window_months": rule.window_months,
        "capped_consecutive_months": rule.capped_consecutive_months,
    }


def build_chronic_breaches(con: duckdb.DuckDBPyConnection, month: str, rule: ChronicRule) -> dict[str, int]:
    """Flag the month's enterprise customers, then every later month in `credits`; rows per month."""
    later = [
        m
        for (m,) in con.execute(
            "SELECT DISTINCT month FROM main.credits WHERE month > $month ORDER BY month", {"month": month}
        ).fetchall()
    ]
    counts = {}
    for each in [month, *later]:
        counts[each] = run_models(con, CHRONIC_MODELS, {"month": each} | chronic_parameters(rule))[CHRONIC_MODELS[0]]
    return counts


__all__ = ["CHRONIC_MODELS", "build_chronic_breaches", "chronic_parameters"]
