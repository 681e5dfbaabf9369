"""The uptime engine and service credits (R13-R20), Dagster-free: `build_uptime` runs one month.

From the raw probe files to `uptime_monthly` and `credits`, in SQL (`sql/*/probe_*`, `minute_*`,
`uptime_*`, `credit_*`): pass 1 (`probe_scan`) reads and validates every row once and keeps what the
classification needs (failing records, per-minute shared counts, per customer a bitstring of minutes
with results); pass 2 (`probe_judged_results`) re-reads only shared rows and the rare tenant pairs
holding several results in a minute; the minute classification, uptime and credits work on those. Python here only installs the probe
views, turns the policy's decimals into integer parameters and stops the run on a currency clash.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Protocol

import duckdb

from pipeline.ingest.readers import InputFileError
from pipeline.months import RunParams
from pipeline.probes import drop_probe_views, install_probe_views
from pipeline.sqlrunner import run_models

UPTIME_MODELS = (
    "intermediate/probe_scan",
    "intermediate/probe_recount_pairs",
    "intermediate/probe_tenant_sets",
    "intermediate/rejected_probe_results",
    "intermediate/probe_judged_results",
    "intermediate/accounting_probe_results",
    "intermediate/uptime_measured_periods",
    "intermediate/uptime_targets",
    "intermediate/minute_states",
    "intermediate/uptime_windows",
    "marts/availability_minutes",
    "marts/uptime_monthly",
)
CREDIT_MODELS = ("intermediate/credit_fee_bases", "marts/credits")
CREDIT_MODES = ("whole_steps", "started_steps", "pro_rata")


class CreditPolicy(Protocol):
    """What the engine reads of the policy's credit scheme (`pipeline.policy.CreditScheme`)."""

    mode: str
    step: Decimal
    credit_per_step_pct: Decimal
    cap_pct: Decimal


class CurrencyClashError(InputFileError):
    """An enterprise customer-month whose contracts use two currencies (R19): one credit needs one."""


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -int(exponent))


def credit_parameters(credit_policy: CreditPolicy, enterprise_target: Decimal) -> dict[str, object]:
    """The credit scheme as integers over one scale (10^decimals), so SQL never divides decimals."""
    if credit_policy.mode not in CREDIT_MODES:
        raise ValueError(f"credit mode {credit_policy.mode!r} is not one of {', '.join(CREDIT_MODES)}")
    gap = Decimal(1) - Decimal(enterprise_target)
    values = {
        "target_gap": gap,
        "credit_step": Decimal(credit_policy.step),
        "credit_per_step": Decimal(credit_policy.credit_per_step_pct),
        "credit_cap": Decimal(credit_policy.cap_pct),
    }
    if values["credit_step"] <= 0 or gap < 0 or values["credit_per_step"] < 0 or values["credit_cap"] < 0:
        raise ValueError(f"credit policy values must be positive: {values}")
    scale = 10 ** max(_decimals(v) for v in values.values())
    params: dict[str, object] = {name: int(v * scale) for name, v in values.items()}
    params |= {"credit_scale": scale, "credit_mode": credit_policy.mode}
    return params


def target_parameters(uptime_targets: Mapping[str, Decimal | None]) -> dict[str, object]:
    return {
        "target_enterprise": uptime_targets.get("enterprise"),
        "target_growth": uptime_targets.get("growth"),
    }


def check_one_currency_per_customer(con: duckdb.DuckDBPyConnection) -> None:
    """R19: stop the run, naming the customer(s), if an enterprise customer-month mixes currencies."""
    clashes = con.execute(
        """
        SELECT customer_id,
               string_agg(contract_id || ' (' || currency || ')', ', ' ORDER BY period_start, contract_id)
        FROM intermediate.uptime_measured_periods
        WHERE plan = 'enterprise'
        GROUP BY customer_id
        HAVING count(DISTINCT currency) > 1
        ORDER BY customer_id
        """
    ).fetchall()
    if clashes:
        detail = "; ".join(f"customer {customer}: {contracts}" for customer, contracts in clashes)
        raise CurrencyClashError(
            f"enterprise contracts in two currencies in one month (R19): {detail} — "
            "a credit is computed in one currency; fix contracts.csv"
        )


def build_uptime(
    con: duckdb.DuckDBPyConnection,
    params: RunParams,
    data_dir: Path,
    credit_policy: CreditPolicy,
    uptime_targets: Mapping[str, Decimal | None],
) -> dict[str, int]:
    """Read the drop's probe files and build the month's availability, uptime and credits.

    Needs `intermediate.valid_customers`, `valid_contracts`, `valid_maintenance`, `valid_incidents`
    (ingestion). Returns rows per model plus the probe accounting totals."""
    enterprise_target = uptime_targets.get("enterprise")
    if enterprise_target is None:
        raise ValueError("the policy gives the enterprise plan no uptime target; credits need one (R18)")
    bound = params.as_dict() | target_parameters(uptime_targets) | credit_parameters(credit_policy, enterprise_target)
    install_probe_views(con, data_dir)
    try:
        counts = run_models(con, UPTIME_MODELS, bound)
        check_one_currency_per_customer(con)
        counts |= run_models(con, CREDIT_MODELS, bound)
        totals = con.execute(
            "SELECT count(*), sum(rows_read), sum(rows_used), sum(rows_other_months), sum(rows_rejected), "
            "sum(rows_collapsed) FROM intermediate.accounting_probe_results"
        ).fetchone()
    finally:
        drop_probe_views(con)
    names = ("probe_files", "probe_rows_read", "probe_rows_used", "probe_rows_other_months",
             "probe_rows_rejected", "probe_rows_collapsed")
    counts |= {name: int(value or 0) for name, value in zip(names, totals, strict=True)}
    return counts


__all__ = [
    "build_uptime",
    "credit_parameters",
    "check_one_currency_per_customer",
    "CurrencyClashError",
    "CreditPolicy",
    "UPTIME_MODELS",
    "CREDIT_MODELS",
]
