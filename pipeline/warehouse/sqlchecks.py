"""Data-quality checks as SQL queries that return the violating rows (`sql/checks/<name>.sql`).

Dagster-free so tests and the CLI can run them; `pipeline/defs/checks.py` turns each into an asset
check. A check passes when its query returns no row; the rows are what a person looks at.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from pipeline.markdown import markdown_table
from pipeline.settings import SQL_DIR
from pipeline.warehouse.sqlrunner import bind


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    description: str
    columns: list[str]
    rows: list[tuple]
    # Rows the policy accepts after review (`checks.rejected_rows.accepted`): shown, not failing.
    accepted: list[tuple] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.rows

    def markdown(self, limit: int = 20) -> str:
        """The first violating rows as a table, for the Dagster UI."""
        if not self.rows:
            return "no violating rows"
        return markdown_table(self.columns, self.rows, limit=limit)


def threshold_params(checks: Any) -> dict[str, Any]:
    """The gate thresholds of the policy (`pipeline.policy.CheckPolicy`) as check parameters."""
    return {
        "rejected_error_above_pct": checks.rejected_error_above_pct,
        "rejected_error_min_rows": checks.rejected_error_min_rows,
        "coverage_warn_below_pct": checks.coverage_warn_below_pct,
        "coverage_error_below_pct": checks.coverage_error_below_pct,
    }


def _sha256_of(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def accept_reviewed_files(outcome: CheckOutcome, checks: Any, data_dir: Path) -> CheckOutcome:
    """Move the rows of files the policy accepted after review (same file name and sha256 in the drop)
    from `rows` to `accepted`. The first column of the outcome is the drop-relative file name."""
    if not outcome.rows or not checks.accepted_rejections:
        return outcome
    kept, accepted = [], []
    for row in outcome.rows:
        name = str(row[0])
        (accepted if checks.accepted(name, _sha256_of(data_dir / name)) else kept).append(row)
    return replace(outcome, rows=kept, accepted=accepted)


def check_sql(name: str) -> str:
    path = SQL_DIR / "checks" / f"{name}.sql"
    return path.read_text(encoding="utf-8")


def check_description(name: str) -> str:
    lines = [line.strip()[2:].strip() for line in check_sql(name).splitlines() if line.strip().startswith("--")]
    return " ".join(lines)


def run_check(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any]) -> CheckOutcome:
    sql = check_sql(name)
    cursor = con.execute(sql, bind(sql, params, f"check {name}"))
    columns = [d[0] for d in cursor.description]
    return CheckOutcome(name, check_description(name), columns, cursor.fetchall())


def check_parameters(name: str, month: str, policy: Any) -> dict[str, Any]:
    """The parameters of check `name` on `month` under `policy` (`pipeline.policy.Policy`): the month's
    bounds, the gate thresholds, and the month's credit cap for the credit checks."""
    from pipeline.months import parse_month

    month_start, month_end = parse_month(month)
    params: dict[str, Any] = {
        "month": month, "month_start": month_start, "month_end": month_end, **threshold_params(policy.checks)
    }
    if "$cap_pct" in check_sql(name):
        params["cap_pct"] = policy.version_for(month).credits.cap_pct
    return params


def evaluate_check(
    con: duckdb.DuckDBPyConnection, name: str, month: str, policy: Any, data_dir: Path | None
) -> CheckOutcome:
    """Check `name` exactly as the run's gate evaluates it, wherever it is run (the Dagster check, the
    `check`/`status` CLI, finance's approval gate): same SQL, same parameters, and the policy's reviewed
    exceptions to the rejected-share gate, judged against the files of `data_dir` (the drop the run read)."""
    outcome = run_check(con, name, check_parameters(name, month, policy))
    if name == "rejected_share_above_limit" and data_dir is not None:
        outcome = accept_reviewed_files(outcome, policy.checks, data_dir)
    return outcome


__all__ = [
    "CheckOutcome",
    "accept_reviewed_files",
    "check_description",
    "check_parameters",
    "check_sql",
    "evaluate_check",
    "run_check",
    "threshold_params",
]
