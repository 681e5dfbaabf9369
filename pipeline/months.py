"""Reporting months (R2) and the parameters every SQL model of a run may bind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
FIRST_MONTH = "2024-01"


class MonthError(ValueError):
    pass


def parse_month(month: str) -> tuple[datetime, datetime]:
    """`'YYYY-MM'` → `[first instant, first instant of next month)` in UTC (R2)."""
    match = _MONTH.match(month or "")
    if not match:
        raise MonthError(f"month must look like YYYY-MM, got {month!r}")
    year, mon = int(match.group(1)), int(match.group(2))
    start = datetime(year, mon, 1, tzinfo=UTC)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=UTC)
    return start, end


def month_of(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m")


def month_range(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included; refuses a range that runs backwards."""
    start, _ = parse_month(first)
    end, _ = parse_month(last)
    if end < start:
        raise MonthError(f"--to {last} comes before --from {first}")
    months, cursor = [], start
    while cursor <= end:
        months.append(month_of(cursor))
        cursor = parse_month(months[-1])[1]
    return months


@dataclass(frozen=True)
class RunParams:
    """The bound parameters of one run; `as_dict()` is what the SQL runner receives."""

    month: str
    as_of: datetime | None
    run_started_at: datetime

    @property
    def month_start(self) -> datetime:
        return parse_month(self.month)[0]

    @property
    def month_end(self) -> datetime:
        return parse_month(self.month)[1]

    def as_dict(self) -> dict[str, object]:
        """Bindable parameters; `as_of` is absent until resolved, so a model needing it fails by name."""
        params: dict[str, object] = {
            "month": self.month,
            "month_start": self.month_start,
            "month_end": self.month_end,
            "run_started_at": self.run_started_at,
        }
        if self.as_of is not None:
            params["as_of"] = self.as_of
        return params


__all__ = ["RunParams", "parse_month", "month_of", "month_range", "MonthError", "FIRST_MONTH"]
