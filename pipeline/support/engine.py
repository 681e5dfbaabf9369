"""The support SLA engine (R4–R12), free of Dagster: policy tables, business calendar, SQL clocks.

`build_support(con, params, policy_version)` writes the run's policy targets and business calendar into
the warehouse, then runs the SQL models that compute the clocks (`sql/intermediate/ticket_*`,
`business_*`) and the two marts `ticket_sla` and `support_attainment` for `params.month`. It reads
`intermediate.valid_tickets` and `intermediate.valid_ticket_events` (built by ingestion). Python only
prepares small tables (16 targets, a few hundred opening intervals); every per-ticket computation
happens set-wise in SQL.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.months import RunParams
from pipeline.policy import PauseAuditRule, PolicyVersion
from pipeline.support.business_calendar import span_reaching, write_business_calendar
from pipeline.warehouse import replace_table_from_arrow
from pipeline.warehouse.sqlrunner import run_models

# In dependency order for the reader; the runner orders them by their references anyway.
SUPPORT_MODELS = (
    "intermediate/support/ticket_clock_events",
    "intermediate/support/ticket_resolution_states",
    "intermediate/support/ticket_clocks",
    "intermediate/support/ticket_running_intervals",
    "intermediate/support/ticket_segments",
    "intermediate/support/ticket_segment_spans",
    "intermediate/support/business_spans",
    "intermediate/support/ticket_segment_elapsed",
    "intermediate/support/ticket_deadline_requests",
    "intermediate/support/business_deadlines",
    "marts/ticket_sla",
    "marts/ticket_sla_segments",
    "marts/support_attainment",
    "marts/ticket_pause_audit",
)


def write_ticket_targets(con: duckdb.DuckDBPyConnection, version: PolicyVersion) -> int:
    """`intermediate.ticket_targets`: one row per plan × severity × clock of the policy version (R5);
    `target_us` NULL = no target (best effort)."""
    rows = [
        (plan, severity, clock, target) for (plan, severity, clock), target in sorted(version.support_targets.items())
    ]
    table = pa.table(
        {
            "plan": [r[0] for r in rows],
            "severity": [r[1] for r in rows],
            "clock": [r[2] for r in rows],
            "target_us": pa.array([None if r[3] is None else r[3].seconds * 1_000_000 for r in rows], pa.int64()),
            "business_time": pa.array([None if r[3] is None else r[3].business_time for r in rows], pa.bool_()),
            "schedule": pa.array([None if r[3] is None else r[3].schedule for r in rows], pa.string()),
            "policy_version": [version.version_id] * len(rows),
            "policy_hash": [version.content_hash] * len(rows),
        }
    )
    replace_table_from_arrow(con, "intermediate.ticket_targets", table)
    return table.num_rows


def write_calendar_for_run(con: duckdb.DuckDBPyConnection, params: RunParams, version: PolicyVersion) -> int:
    """The business calendar of every schedule of the version, from just before the month starts to
    past as-of by the schedule's longest business target and the closed days in between (R6)."""
    reach = max(params.as_of, params.month_start)
    spans = [
        span_reaching(
            schedule,
            params.month_start,
            reach,
            version.longest_target_seconds(business_time=True, schedule=name),
        )
        for name, schedule in sorted(version.schedules.items())
    ]
    return write_business_calendar(con, spans)


def build_support(con: duckdb.DuckDBPyConnection, params: RunParams, policy_version: PolicyVersion) -> dict[str, int]:
    """Build the support SLA tables of `params.month`; return the rows produced per model."""
    counts = {
        "intermediate/ticket_targets": write_ticket_targets(con, policy_version),
        "intermediate/business_intervals": write_calendar_for_run(con, params, policy_version),
    }
    bound = params.as_dict() | pause_audit_parameters(policy_version.pause_audit)
    counts.update(run_models(con, SUPPORT_MODELS, bound))
    return counts


def pause_audit_parameters(rule: PauseAuditRule) -> dict[str, int]:
    """The policy's pause-audit thresholds, bound into `marts/ticket_pause_audit` (issue 13)."""
    return {
        "customer_reply_within_minutes": rule.customer_reply_within_minutes,
        "deadline_within_minutes": rule.deadline_within_minutes,
        "pause_cycles": rule.pause_cycles,
    }


__all__ = [
    "SUPPORT_MODELS", "build_support", "pause_audit_parameters", "write_calendar_for_run", "write_ticket_targets"
]
