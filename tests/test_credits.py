"""Service credits (R18, R19): integer steps, the cap, prorated fee bases and half-up money, by value.

Figures are computed by hand in each test's comments. Default policy: target 99.9 %, step 0.1 point,
5 % per step, cap 25 %, `whole_steps`.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from fixtures.uptime import Scheme, UptimeCase, probe

from pipeline.money import money_string
from pipeline.uptime import CurrencyClashError, credit_parameters


@pytest.fixture
def case(tmp_path):
    made = UptimeCase(tmp_path)
    yield made
    made.close()


def tenant_outage(case: UptimeCase, customer: str, minutes: int, first_hour: int = 0, day: str = "10") -> None:
    """`minutes` consecutive minutes in which the customer's own chat probe fails (500), from day/hour."""
    rows = [
        probe(f"2026-10-{day}T{first_hour + m // 60:02d}:{m % 60:02d}:40Z", "chat_completions", 500, customer=customer)
        for m in range(minutes)
    ]
    case.write(f"outage-{customer}.csv", rows)


def late_contract(case: UptimeCase, fee: str = "10000.00", currency: str = "EUR") -> None:
    """An enterprise contract from 2026-10-07: T = 25 days = 36,000 minutes of October's 44,640."""
    case.contracts.clear()
    case.contract("C-late", "acme", "enterprise", fee, currency, "2026-10-07", None)


def test_r18_exact_step_boundary_72_of_36000_is_one_step(case):
    late_contract(case)
    tenant_outage(case, "acme", 72)
    case.run()
    credit = case.credit()
    # shortfall = 72/36000 - 0.001 = 0.001 exactly → 1 whole step → 5 %
    assert (credit["shortfall_numerator"], credit["shortfall_denominator"]) == (36_000, 36_000_000)
    assert credit["shortfall_steps"] == 1
    assert credit["credit_pct"] == Decimal("5.0000")
    # fee base = 10000.00 × 36000 / 44640 = 8064.5161… → 8064.52; credit = 5 % × 8064.52 = 403.226 → 403.23
    assert credit["fee_base"] == Decimal("8064.52")
    assert credit["credit_amount"] == Decimal("403.23")
    assert money_string(credit["credit_amount"], credit["minor_unit"]) == "403.23"
    assert credit["capped"] is False
    assert credit["currency"] == "EUR"


def test_r18_partial_step_below_target_earns_nothing(case):
    late_contract(case)
    tenant_outage(case, "acme", 71)
    case.run()
    assert case.uptime()["uptime"] == Decimal("0.99802777")  # below 0.999
    credit = case.credit()
    # shortfall = 71/36000 - 0.001 = 35000/36000000 = 0.000972… < one step
    assert (credit["shortfall_numerator"], credit["shortfall_steps"]) == (35_000, 0)
    assert (credit["credit_pct"], credit["credit_amount"]) == (Decimal("0.0000"), Decimal("0.00"))
    assert money_string(credit["credit_amount"], 2) == "0.00"


def test_r18_started_steps_counts_the_partial_step(case):
    late_contract(case)
    tenant_outage(case, "acme", 71)
    case.run(Scheme(mode="started_steps"))
    credit = case.credit()
    assert (credit["shortfall_steps"], credit["credit_pct"], credit["credit_amount"]) == (1, Decimal("5.0000"), Decimal("403.23"))


def test_r18_pro_rata_keeps_the_exact_fraction_and_rounds_only_the_amount(case):
    late_contract(case)
    tenant_outage(case, "acme", 71)
    case.run(Scheme(mode="pro_rata"))
    credit = case.credit()
    # credit % = (35000/36000000) / 0.001 × 5 = 175/36 = 4.861111… → stored truncated 4.8611
    assert credit["credit_pct"] == Decimal("4.8611")
    assert credit["credit_pct_numerator"] * 36 == credit["credit_pct_denominator"] * 175
    # amount = 8064.52 × 175/3600 = 392.02527… → 392.03
    assert credit["credit_amount"] == Decimal("392.03")
    assert credit["shortfall_steps"] == 0  # whole steps, for display
    assert credit["capped"] is False


def test_r18_pro_rata_is_capped_too(case):
    tenant_outage(case, "acme", 400)
    case.run(Scheme(mode="pro_rata"))
    credit = case.credit()
    assert (credit["credit_pct"], credit["capped"], credit["credit_amount"]) == (Decimal("25.0000"), True, Decimal("2500.00"))


def test_r18_cap_applies_above_25_percent_and_not_at_it(case):
    case.customers.append(("beta", "Beta"))
    case.contract("C-beta", "beta", "enterprise", "10000.00", "EUR", "2026-01-01", None)
    tenant_outage(case, "acme", 400)  # (400000 - 44640) // 44640 = 7 steps → 35 % → capped at 25 %
    tenant_outage(case, "beta", 300)  # (300000 - 44640) // 44640 = 5 steps → 25 %, exactly the cap
    case.run()
    acme, beta = case.credit("acme"), case.credit("beta")
    assert (acme["shortfall_steps"], acme["credit_pct"], acme["capped"], acme["credit_amount"]) == (
        7, Decimal("25.0000"), True, Decimal("2500.00"))
    assert (beta["shortfall_steps"], beta["credit_pct"], beta["capped"], beta["credit_amount"]) == (
        5, Decimal("25.0000"), False, Decimal("2500.00"))


def test_r19_jpy_has_no_minor_unit(case):
    late_contract(case, fee="1000000", currency="JPY")
    tenant_outage(case, "acme", 72)
    case.run()
    credit = case.credit()
    # fee base = 1,000,000 × 36000/44640 = 806451.61… → 806452 yen; 5 % = 40322.6 → 40323 yen
    assert (credit["fee_base"], credit["credit_amount"]) == (Decimal("806452"), Decimal("40323"))
    assert (credit["fee_base_minor"], credit["credit_amount_minor"]) == (806_452, 40_323)
    assert money_string(credit["credit_amount"], credit["minor_unit"]) == "40323"


def test_r19_half_up_at_a_half_cent(case):
    case.contracts.clear()
    case.contract("C-small", "acme", "enterprise", "500.10", "EUR", "2026-01-01", None)
    tenant_outage(case, "acme", 90)  # (90000 - 44640) // 44640 = 1 step → 5 %
    case.run()
    credit = case.credit()
    # 5 % × 500.10 = 25.005 → 25.01 (half-even would give 25.00)
    assert (credit["fee_base"], credit["credit_amount"]) == (Decimal("500.10"), Decimal("25.01"))


def test_r19_fee_base_is_rounded_per_contract_then_summed(case):
    case.contracts.clear()
    case.contract("C-1", "acme", "enterprise", "0.05", "EUR", "2026-01-01", "2026-10-11")
    case.contract("C-2", "acme", "enterprise", "0.05", "EUR", "2026-10-11", None)
    case.run()
    fees = {r["contract_id"]: r["fee_base_minor"] for r in case.rows("SELECT * FROM intermediate.credit_fee_bases")}
    # 5 cents × 14400/44640 = 1.6129 → 2 cents; 5 cents × 30240/44640 = 3.3871 → 3 cents
    assert fees == {"C-1": 2, "C-2": 3}
    credit = case.credit()
    assert credit["fee_base"] == Decimal("0.05")
    assert credit["contract_ids"] == "C-1, C-2"
    assert case.uptime()["total_minutes"] == 44_640


def test_r19_two_currencies_in_one_customer_month_stop_the_run(case):
    case.contracts.clear()
    case.contract("C-eur", "acme", "enterprise", "100.00", "EUR", "2026-01-01", "2026-10-15")
    case.contract("C-usd", "acme", "enterprise", "100.00", "USD", "2026-10-15", None)
    with pytest.raises(CurrencyClashError, match="customer acme") as raised:
        case.run()
    assert "C-eur (EUR)" in str(raised.value) and "C-usd (USD)" in str(raised.value)


def test_r19_a_growth_contract_in_another_currency_is_no_clash(case):
    case.contracts.clear()
    case.contract("C-g", "acme", "growth", "100.00", "USD", "2026-01-01", "2026-10-15")
    case.contract("C-e", "acme", "enterprise", "100.00", "EUR", "2026-10-15", None)
    case.run()
    assert case.credit()["currency"] == "EUR"


def test_r18_met_target_gives_a_zero_credit_row(case):
    case.run()
    credit = case.credit()
    assert (credit["shortfall_steps"], credit["credit_pct"], credit["credit_amount"], credit["capped"]) == (
        0, Decimal("0.0000"), Decimal("0.00"), False)
    assert credit["shortfall_numerator"] == -44_640  # 0 - 44640 × 0.001 × 1000: above target


def test_r18_policy_decimals_become_integers_over_one_scale():
    params = credit_parameters(Scheme(step=Decimal("0.0005"), credit_per_step_pct=Decimal("2.5")), Decimal("0.9995"))
    assert params == {"target_gap": 5, "credit_step": 5, "credit_per_step": 25000, "credit_cap": 250000,
                      "credit_scale": 10_000, "credit_mode": "whole_steps"}
    with pytest.raises(ValueError, match="mode"):
        credit_parameters(Scheme(mode="rounded"), Decimal("0.999"))
