"""Asset checks: the SQL checks of `sql/checks/`, read before statements go out.

ERROR checks are blocking: a failure stops the assets downstream (statements are not rendered and the
warehouse is not published). WARN checks inform. Each check reads this run's build of the warehouse,
or the published warehouse when run on its own from the UI.
"""

import dagster as dg

from pipeline.defs.common import WAREHOUSE_POOL, operator_errors
from pipeline.defs.metadata import table_value
from pipeline.defs.resources import SlaEnvironment
from pipeline.policy import load_policy
from pipeline.warehouse import connection
from pipeline.warehouse.sqlchecks import check_description, evaluate_check

ERROR, WARN = dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN

# (asset, check name = sql/checks/<name>.sql, severity)
CHECKS = (
    ("tickets", "as_of_before_month_end", WARN),
    ("rejected_rows", "rejected_input_rows", WARN),
    ("input_file_accounting", "accounting_balances", ERROR),
    ("input_file_accounting", "rejected_share_above_limit", ERROR),
    ("ticket_sla", "tickets_without_both_clocks", ERROR),
    ("ticket_pause_audit", "suspicious_pauses", WARN),
    ("uptime_monthly", "uptime_minutes_disagree", ERROR),
    ("uptime_monthly", "low_probe_coverage", WARN),
    ("uptime_monthly", "probe_coverage_below_minimum", ERROR),
    ("credits", "credits_out_of_bounds", ERROR),
    ("statements", "statements_missing_or_disagreeing", ERROR),
)


def _make_check(asset: str, name: str, severity: dg.AssetCheckSeverity) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name=name,
        description=check_description(name),
        blocking=severity == ERROR,
        # a check opens the build read-only, which DuckDB refuses beside a writer: in the writers' pool
        # too, so it never runs beside a step that writes (steps in processes of their own, issue 12)
        pool=WAREHOUSE_POOL,
    )
    def _check(context: dg.AssetCheckExecutionContext, sla: SlaEnvironment) -> dg.AssetCheckResult:
        month = context.partition_key
        path = sla.build(context.run.run_id).readable_path()
        settings = sla.settings()
        with operator_errors(), connection(path, read_only=True) as con:
            outcome = evaluate_check(con, name, month, load_policy(settings.policy_file), settings.data_dir)
        metadata = {"violating_rows": len(outcome.rows), "rows": table_value(outcome.columns, outcome.rows, limit=20)}
        if outcome.accepted:
            metadata["accepted_after_review"] = table_value(outcome.columns, outcome.accepted, limit=20)
        return dg.AssetCheckResult(
            passed=outcome.passed,
            severity=severity,
            description=None if outcome.passed else f"{len(outcome.rows)} violating rows",
            metadata=metadata,
        )

    return _check


asset_checks = [_make_check(asset, name, severity) for asset, name, severity in CHECKS]

__all__ = ["asset_checks", "CHECKS"]
