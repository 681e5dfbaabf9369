"""Money rounding and display (R17, R19): half-up to the ISO 4217 minor unit, truncated percentages."""

from decimal import Decimal
from fractions import Fraction

import pytest

from pipeline.money import (
    MoneyError,
    format_pct_truncated,
    from_minor_units,
    half_up_units,
    minor_unit,
    money_string,
    round_half_up,
    to_minor_units,
    truncate,
)


def test_r19_minor_units_follow_iso4217():
    assert (minor_unit("EUR"), minor_unit("USD"), minor_unit("GBP")) == (2, 2, 2)
    assert minor_unit("JPY") == 0
    assert minor_unit("KWD") == 3
    with pytest.raises(MoneyError, match="XYZ"):
        minor_unit("XYZ")


def test_r19_half_up_at_a_half_cent():
    assert round_half_up(Decimal("25.005"), 2) == Decimal("25.01")
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")  # half-even would give 0.12
    assert round_half_up(Decimal("0.124999"), 2) == Decimal("0.12")
    assert round_half_up(Fraction(1, 8), 2) == Decimal("0.13")
    assert round_half_up(Decimal("-25.005"), 2) == Decimal("-25.01")  # half away from zero


def test_r19_jpy_rounds_to_whole_yen():
    assert round_half_up(Decimal("312499.5"), 0) == Decimal("312500")
    assert round_half_up(Decimal("312499.49"), 0) == Decimal("312499")
    assert money_string(Decimal("312500"), 0) == "312500"


def test_r21_money_strings_have_exactly_the_minor_digits():
    assert money_string(Decimal("0"), 2) == "0.00"
    assert money_string(Decimal("100.81"), 2) == "100.81"
    assert money_string(Decimal("100.8"), 2) == "100.80"
    assert money_string(Decimal("1.5"), 3) == "1.500"
    assert money_string(Decimal("-3.20"), 2) == "-3.20"
    with pytest.raises(MoneyError, match="more digits"):
        money_string(Decimal("1.005"), 2)


def test_minor_unit_conversions_are_exact():
    assert to_minor_units(Decimal("123.45"), 2) == 12345
    assert from_minor_units(12345, 2) == Decimal("123.45")
    assert str(from_minor_units(5, 2)) == "0.05"
    assert str(from_minor_units(312500, 0)) == "312500"
    assert half_up_units(Fraction(5, 2), 0) == 3
    with pytest.raises(MoneyError, match="float"):
        round_half_up(0.1, 2)  # type: ignore[arg-type]


def test_r17_percentages_are_truncated_never_rounded_up():
    assert format_pct_truncated(Decimal("0.998999")) == "99.899"
    assert format_pct_truncated(Decimal("0.99899999")) == "99.899"
    assert format_pct_truncated(Decimal("0.999")) == "99.900"
    assert format_pct_truncated(Decimal(1)) == "100.000"
    assert format_pct_truncated(Fraction(35928, 36000)) == "99.800"
    assert format_pct_truncated(Fraction(2, 3), digits=1) == "66.6"
    assert truncate(Decimal("12.3456"), 2) == Decimal("12.34")
