"""Service credits (R18, R19): the policy's credit scheme as integer SQL parameters, and the one check
that stops a run whose enterprise customer-month mixes currencies. The arithmetic is `sql/marts/credits.sql`."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol

import duckdb

from pipeline.ingest.readers import InputFileError
from pipeline.months import RunParams
from pipeline.policy import CREDIT_MODES
from pipeline.warehouse.sqlrunner import run_models

CREDIT_MODELS = ("intermediate/credits/credit_fee_bases", "marts/credits")


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
        FROM intermediate.contract_periods
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



def build_credits(
    con: duckdb.DuckDBPyConnection,
    params: RunParams,
    credit_policy: CreditPolicy,
    uptime_targets: Mapping[str, Decimal | None],
) -> dict[str, int]:
    """The month's credits of enterprise customers (R18, R19) from `uptime_monthly`; stops the run,
    naming the customer, when one customer-month's enterprise contracts use two currencies."""
    enterprise_target = uptime_targets.get("enterprise")
    if enterprise_target is None:
        raise ValueError("the policy gives the enterprise plan no uptime target; credits need one (R18)")
    check_one_currency_per_customer(con)
    bound = params.as_dict() | credit_parameters(credit_policy, enterprise_target)
    return run_models(con, CREDIT_MODELS, bound)

__all__ = [
    "CREDIT_MODELS",
    "build_credits",
    "CreditPolicy",
    "CurrencyClashError",
    "check_one_currency_per_customer",
    "credit_parameters",
    "target_parameters",
]
