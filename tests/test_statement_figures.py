"""How statements write figures: R17 truncation, R19/R21 money strings, durations, instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest

from pipeline.statements import figures
from pipeline.statements.viewmodel import Attainment, Uptime


def test_r17_percentages_are_truncated_never_rounded_up():
    assert figures.percent_of_ratio(Decimal("0.99899999")) == "99.899"
    assert figures.percent_of_ratio(Fraction(44640 - 90, 44640)) == "99.798"
    assert figures.percent_of_ratio(Decimal("1")) == "100.000"
    assert figures.percent_of_ratio(Fraction(2, 3), 1) == "66.6"


def test_r21_money_strings_have_exactly_the_minor_unit_digits():
    assert figures.money_string(Decimal("0"), 2) == "0.00"
    assert figures.money_string(Decimal("100.8100"), 2) == "100.81"
    assert figures.money_string(Decimal("312500.0000"), 0) == "312500"
    assert figures.money_text(Decimal("1096.77"), 2) == "1,096.77"
    assert figures.money_text(Decimal("312500"), 0) == "312,500"
    with pytest.raises(figures.FigureError):
        figures.money_string(Decimal("25.005"), 2)  # never re-rounded here: the marts round (R19)


def test_monthly_fee_keeps_digits_beyond_the_minor_unit():
    assert figures.fee_string(Decimal("1000.0000"), 2) == "1000.00"
    assert figures.fee_string(Decimal("1000.1250"), 2) == "1000.125"
    assert figures.fee_string(Decimal("312500.0000"), 0) == "312500"


def test_r18_shortfall_points_show_a_partial_step():
    # 49 of 24,480 minutes: 0.10016… points below 99.9 % — one full step, shown truncated as 0.100.
    # The exact fraction is the credits mart's (tests/test_credits.py pins its arithmetic).
    shortfall = Fraction(49, 24480) - Fraction(1, 1000)
    uptime = Uptime(24480, 49, 0, 0, 0, 10, Decimal("0.99799836"), Decimal("0.999"), shortfall)
    assert figures.floor_decimals(uptime.shortfall_points, 3) == "0.100"
    assert uptime.coverage == Fraction(24470, 24480)
    surplus = Fraction(10, 44640) - Fraction(1, 1000)
    better = Uptime(44640, 10, 0, 0, 0, 0, Decimal("0.99977598"), Decimal("0.999"), surplus)
    assert better.shortfall < 0 and better.shortfall_points == 0


def test_r12_attainment_from_counts_and_null_without_decided_tickets():
    assert Attainment(2, 1, 5).attainment == Fraction(2, 3)
    assert Attainment(0, 0, 3).attainment is None


def test_instants_and_durations():
    brussels = timezone(timedelta(hours=2))
    instant = datetime(2025, 3, 30, 3, 15, tzinfo=brussels)
    assert figures.utc_text(instant) == "2025-03-30 01:15"
    assert figures.utc_iso(instant) == "2025-03-30T01:15:00Z"
    assert figures.utc_short(datetime(2025, 3, 3, 10, 5, tzinfo=UTC)) == "03 Mar 10:05"
    assert figures.month_label(datetime(2025, 3, 1, tzinfo=UTC)) == "March 2025"
    assert figures.hours_minutes(16200) == "4:30" and figures.hours_minutes(90000) == "25:00"
    assert figures.duration_text(95 * 60) == "1 h 35 min" and figures.duration_text(45 * 60) == "45 min"
