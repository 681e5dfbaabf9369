"""The gate on approval: the month's ERROR checks (`sql/checks/`) run against the published warehouse.

A run never publishes a month whose ERROR checks fail, so a failure here means the published file was
changed or damaged after its run, or the checks themselves were tightened since; either way nobody
may approve what it shows. The checks are the same queries the Dagster asset checks run, with the
same parameters; the list of checks and their severities is the one `pipeline.defs.checks` declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.months import parse_month
from pipeline.policy import load_policy
from pipeline.warehouse import connection
from pipeline.warehouse.sqlchecks import evaluate_check


@dataclass(frozen=True)
class FailedCheck:
    name: str
    violating_rows: int

    def reason(self) -> str:
        return f"ERROR check {self.name} fails ({self.violating_rows} violating rows)"


def error_check_names() -> list[str]:
    from pipeline.defs.checks import CHECKS, ERROR  # the one list; imports Dagster, hence only here

    return [name for _, name, severity in CHECKS if severity == ERROR]


def failing_error_checks(warehouse: Path, policy_file: Path, month: str) -> list[FailedCheck]:
    parse_month(month)
    policy = load_policy(policy_file)
    failed = []
    with connection(warehouse, read_only=True) as con:
        drop = con.execute("SELECT data_dir FROM main.report_runs WHERE month = $month", {"month": month}).fetchone()
        for name in error_check_names():
            # the same evaluation as the run's gate, reviewed exceptions judged on the drop the run read
            outcome = evaluate_check(con, name, month, policy, Path(drop[0]) if drop else None)
            if not outcome.passed:
                failed.append(FailedCheck(name, len(outcome.rows)))
    return failed


__all__ = ["FailedCheck", "error_check_names", "failing_error_checks"]
