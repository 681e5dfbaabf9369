"""How statements write numbers: money per R19/R21, percentages truncated per R17, minutes, instants.

Money strings and truncation come from `pipeline.money` (the project's one implementation of R17 and
R19); this module adds what only documents need: thousands separators, durations, UTC instants,
English month names. Every function takes exact values (`Decimal`, `Fraction`, `int`) and never rounds
up. Money is never re-rounded here: the marts rounded it half-up to the minor unit (R19); a value with
more digits than its currency's minor unit is a bug upstream and raises.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

from pipeline import money

FigureError = money.MoneyError


def money_string(amount: Decimal, minor_unit: int) -> str:
    """The R21 JSON form: a plain decimal string with exactly `minor_unit` digits ("0.00", "312500")."""
    return money.money_string(amount, minor_unit)


def decimal_string(value: Decimal, minimum_digits: int = 0) -> str:
    """An exact decimal without exponent, trailing zeros dropped but at least `minimum_digits` decimals."""
    text = format(value.normalize(), "f") if value != 0 else "0"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    frac = frac + "0" * max(0, minimum_digits - len(frac))
    return f"{whole}.{frac}" if frac else whole


def group_thousands(text: str) -> str:
    """'1234567.50' → '1,234,567.50' (the printed form; JSON keeps the plain string)."""
    sign = "-" if text.startswith("-") else ""
    whole, dot, frac = text.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}{dot}{frac}"


def money_text(amount: Decimal, minor_unit: int) -> str:
    """Printed money: exact minor-unit digits with thousands separators ('1,000.00', '312,500')."""
    return group_thousands(money_string(amount, minor_unit))


def fee_string(amount: Decimal, minor_unit: int) -> str:
    """A contract's monthly fee as given: at least the minor-unit digits, more only if the fee has them."""
    return decimal_string(amount, minor_unit)


def floor_decimals(value: Decimal | Fraction | int, decimals: int) -> str:
    """`value` truncated (never rounded up) to `decimals` digits, as a plain string."""
    return str(money.truncate(value, decimals))


def percent_of_ratio(ratio: Decimal | Fraction | int, decimals: int = 3) -> str:
    """A ratio (0.99899999) as a percentage truncated to `decimals` (R17): '99.899'."""
    return money.format_pct_truncated(ratio, decimals)


def minutes_text(minutes: int) -> str:
    return f"{minutes:,}"


def duration_text(seconds: int | None) -> str:
    """Elapsed time for people: '45 min', '4 h 05 min', '2 d 3 h 10 min' (seconds floored to minutes)."""
    if seconds is None:
        return "—"
    minutes = int(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h {mins:02d} min"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


def hours_minutes(seconds: int | None) -> str:
    """Elapsed time as h:mm (seconds floored to minutes): 16200 → '4:30', 90000 → '25:00'."""
    if seconds is None:
        return "—"
    hours, mins = divmod(int(seconds) // 60, 60)
    return f"{hours}:{mins:02d}"


# English month names spelled out here: strftime's %b/%B follow the process locale.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_label(instant: datetime | date) -> str:
    """'March 2025'."""
    return f"{MONTH_NAMES[instant.month - 1]} {instant.year}"


def utc_short(instant: datetime | None) -> str:
    """'03 Mar 10:05' (UTC) for narrow columns whose year is the statement's."""
    if instant is None:
        return "—"
    utc = instant.astimezone(UTC)
    return f"{utc.day:02d} {MONTH_NAMES[utc.month - 1][:3]} {utc:%H:%M}"


def utc_text(instant: datetime | None) -> str:
    """'2025-03-04 10:15' (UTC; the column header says so)."""
    if instant is None:
        return "—"
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def utc_iso(instant: datetime | None) -> str | None:
    """Machine form of an instant: ISO 8601 in UTC with 'Z', seconds precision unless sub-second."""
    if instant is None:
        return None
    text = instant.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def date_iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


__all__ = [
    "FigureError",
    "money_string",
    "money_text",
    "fee_string",
    "decimal_string",
    "group_thousands",
    "floor_decimals",
    "percent_of_ratio",
    "minutes_text",
    "duration_text",
    "utc_text",
    "utc_short",
    "month_label",
    "hours_minutes",
    "utc_iso",
    "date_iso",
]
