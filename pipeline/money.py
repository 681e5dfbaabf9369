"""Money and truncated ratios: exact to the cent and to the printed digit (R17, R19).

Amounts are `Decimal` (or integer minor units) end to end. Rounding is half-up to the currency's ISO 4217
minor unit (JPY has none: 0 digits) — never Python's default half-even, never a binary float: 25.005 EUR
is 25.01 EUR. Displayed ratios (uptime, coverage) are truncated, never rounded up: 0.998999 shows as
99.899 (R17). The ISO 4217 minor-unit table below is the one ingestion's currency check loads too.

Funds and precious-metal codes without a minor unit (XAU, XDR, …) are not billing currencies and are
left out on purpose: a contract in them is rejected as an unknown currency.

A code withdrawn from ISO 4217 stays in the table with its withdrawal date (`WITHDRAWN`): past months
reproduce, and a contract in it is valid only for months that end by that date (docs/ingestion.md).
tests/test_currencies.py checks the table against the `iso4217` package (ISO's List One).
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS "
    "GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL "
    "MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK "
    "PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS "
    "TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XAD XCD XCG YER ZAR ZMW ZWG"
)

MINOR_UNITS: dict[str, int] = {
    **{code: 0 for code in _ZERO.split()},
    **{code: 2 for code in _TWO.split()},
    **{code: 3 for code in _THREE.split()},
    **{code: 4 for code in _FOUR.split()},
}

# Codes withdrawn from ISO 4217 → the first day they are no longer valid. Only dates we can stand behind:
# BGN — Bulgaria adopted the euro on 2026-01-01; the lev is absent from List One of that date.
# ANG — replaced by the Caribbean guilder (XCG, introduced at the end of March 2025); List One of 2026-01-01 no longer
#   has it. ISO's exact withdrawal month is not in our sources, so 2026-01-01 is the latest date it can
#   be: months up to 2025-12 stay valid rather than rejecting a contract that may still have been good.
WITHDRAWN: dict[str, date] = {
    "BGN": date(2026, 1, 1),
    "ANG": date(2026, 1, 1),
}

Exact = Decimal | Fraction | int


class MoneyError(ValueError):
    """An amount or currency that cannot be handled exactly; the message says which."""


def minor_unit(currency: str) -> int:
    """Digits after the decimal point of an ISO 4217 currency (2 for EUR, 0 for JPY, 3 for KWD)."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise MoneyError(f"unknown ISO 4217 currency code {currency!r}") from None


def withdrawn_on(currency: str) -> date | None:
    """The day `currency` stopped being an ISO 4217 code (None while it is current)."""
    minor_unit(currency)
    return WITHDRAWN.get(currency)


def _exact(value: Exact) -> Fraction:
    if isinstance(value, float):
        raise MoneyError(f"refusing binary float {value!r}: use Decimal, Fraction or int")
    return value if isinstance(value, Fraction) else Fraction(value)


def half_up_units(value: Exact, digits: int) -> int:
    """`value` × 10**digits rounded half-up (half away from zero) to an integer."""
    scaled = _exact(value) * 10**digits
    units = math.floor(abs(scaled) + Fraction(1, 2))
    return -units if scaled < 0 else units


def from_minor_units(units: int, digits: int) -> Decimal:
    """Integer minor units → Decimal with exactly `digits` decimals (12345, 2 → Decimal('123.45'))."""
    return Decimal(units).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def round_half_up(value: Exact, digits: int) -> Decimal:
    """Round half-up to `digits` decimals: 25.005 → 25.01, 0.125 → 0.13 (never half-even)."""
    return from_minor_units(half_up_units(value, digits), digits)


def to_minor_units(amount: Exact, digits: int) -> int:
    """An amount already rounded to the minor unit → integer minor units; raises if it has more digits."""
    scaled = _exact(amount) * 10**digits
    if scaled.denominator != 1:
        raise MoneyError(f"{amount} has more digits than the minor unit ({digits})")
    return scaled.numerator


def money_string(amount: Exact, digits: int) -> str:
    """Decimal string with exactly the minor-unit digits: '0.00', '100.81', '312500' (R21).

    The amount must already be rounded (the marts did that); more digits raise instead of re-rounding."""
    units = to_minor_units(amount, digits)
    sign, units = ("-" if units < 0 else ""), abs(units)
    if digits == 0:
        return f"{sign}{units}"
    whole, fraction = divmod(units, 10**digits)
    return f"{sign}{whole}.{fraction:0{digits}d}"


def truncate(value: Exact, digits: int) -> Decimal:
    """`value` truncated toward zero to `digits` decimals, as a Decimal with exactly those digits."""
    scaled = _exact(value) * 10**digits
    units = math.floor(abs(scaled))
    return from_minor_units(-units if scaled < 0 else units, digits)


def format_pct_truncated(ratio: Exact, digits: int = 3) -> str:
    """A ratio shown as a percentage truncated to `digits` decimals, without the % sign (R17).

    `ratio` is the stored fraction (uptime 0.99899990 → '99.899'; 1 → '100.000'); never rounded up, so
    an uptime just below the target never prints as meeting it."""
    return str(truncate(_exact(ratio) * 100, digits))


__all__ = [
    "MINOR_UNITS",
    "WITHDRAWN",
    "MoneyError",
    "withdrawn_on",
    "minor_unit",
    "half_up_units",
    "from_minor_units",
    "round_half_up",
    "to_minor_units",
    "money_string",
    "truncate",
    "format_pct_truncated",
]
