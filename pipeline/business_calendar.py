"""Opening intervals of a schedule, in UTC, with cumulative business time (R6).

Business time is defined in local time: a schedule opens at 09:00 Europe/Brussels, which is 08:00 UTC
in winter and 07:00 UTC in summer. We therefore build, in Python, the list of opening intervals of
each local day (weekly hours minus public holidays and extra closures), convert each to UTC with
zoneinfo, and store them with the business seconds accumulated before each interval. SQL then turns
any instant into "business time since the calendar origin" with one ASOF join, so business time
between two instants is a subtraction and a deadline is a lookup — set-wise, no per-ticket loops.

Table `intermediate.business_intervals` — one row per schedule × opening interval:
`schedule`, `open_at`, `close_at` (TIMESTAMPTZ), `open_us`, `close_us` (epoch microseconds),
`cum_open_us` / `cum_close_us` (business microseconds of the schedule before `open_at` / up to
`close_at`; `cum_open_us` is 0 at the first interval).
Table `intermediate.business_calendar_range` — one row per schedule: `covers_from`, `covers_until`:
cumulative time is known for every instant in that range (SQL refuses instants outside it).

Wall-clock times that do not exist or repeat on a DST change day are read with `fold=0` (the offset
before the change); with the default 09:00–17:00 hours this never happens in Brussels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import duckdb
import pyarrow as pa

from pipeline.policy import Schedule

_US = 1_000_000
MAX_CALENDAR_DAYS = 366 * 10  # a schedule needing more than this to cover a target is a policy error


class CalendarError(RuntimeError):
    """The calendar cannot cover what the run needs (e.g. a schedule that closes for years)."""


def _local(day: date, minute: int, schedule: Schedule) -> datetime:
    """The UTC instant of local `day` + `minute` minutes (1440 = next local midnight)."""
    day, minute = (day + timedelta(days=1), 0) if minute == 1440 else (day, minute)
    wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=schedule.zone)
    return wall.astimezone(UTC)


def local_midnight(day: date, schedule: Schedule) -> datetime:
    return _local(day, 0, schedule)


def opening_intervals(schedule: Schedule, first_day: date, last_day: date) -> list[tuple[datetime, datetime]]:
    """Opening intervals (UTC, half-open) of local days `first_day` … `last_day` inclusive.

    Adjacent intervals (a 24/7 schedule, or 12:00-13:00 followed by 13:00-17:00) are merged, so each
    row is a maximal open stretch.
    """
    closed = schedule.holiday_calendar(range(first_day.year, last_day.year + 1))
    intervals: list[tuple[datetime, datetime]] = []
    day = first_day
    while day <= last_day:
        if day not in closed and day not in schedule.extra_closures:
            for start, end in schedule.opening_minutes[day.weekday()]:
                opens, closes = _local(day, start, schedule), _local(day, end, schedule)
                if closes <= opens:  # a wall-clock span swallowed by a DST gap
                    continue
                if intervals and intervals[-1][1] >= opens:
                    intervals[-1] = (intervals[-1][0], max(intervals[-1][1], closes))
                else:
                    intervals.append((opens, closes))
        day += timedelta(days=1)
    return intervals


@dataclass(frozen=True)
class CalendarSpan:
    """The local days one schedule's calendar covers."""

    schedule: Schedule
    first_day: date
    last_day: date

    @property
    def covers_from(self) -> datetime:
        return local_midnight(self.first_day, self.schedule)

    @property
    def covers_until(self) -> datetime:
        return local_midnight(self.last_day + timedelta(days=1), self.schedule)


def span_reaching(schedule: Schedule, start: datetime, reach: datetime, business_seconds_after: int) -> CalendarSpan:
    """The smallest whole-week span from `start` that holds `business_seconds_after` of opening time
    after `reach` (R6: past as-of by the longest target plus the holidays in between), plus a day."""
    first_day = start.astimezone(schedule.zone).date() - timedelta(days=1)
    reach_day = max(start, reach).astimezone(schedule.zone).date()
    weeks = -(-business_seconds_after // schedule.weekly_open_seconds) + 1
    while True:
        last_day = reach_day + timedelta(days=7 * weeks + 1)
        if (last_day - first_day).days > MAX_CALENDAR_DAYS:
            raise CalendarError(
                f"schedule {schedule.name!r} has fewer than {business_seconds_after} business seconds in the "
                f"{MAX_CALENDAR_DAYS} days after {reach:%Y-%m-%d}: check its holidays and closures"
            )
        after = sum(
            (close - max(opens, reach)).total_seconds()
            for opens, close in opening_intervals(schedule, reach_day, last_day)
            if close > reach
        )
        if after >= business_seconds_after:
            return CalendarSpan(schedule, first_day, last_day)
        weeks *= 2


def _epoch_us(instant: datetime) -> int:
    delta = instant - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds


def calendar_table(spans: Iterable[CalendarSpan]) -> tuple[pa.Table, pa.Table]:
    """The interval rows (with cumulative business microseconds) and the range rows, as Arrow tables."""
    names, opens, closes, open_us, close_us, cum_open, cum_close = [], [], [], [], [], [], []
    range_names, range_from, range_until = [], [], []
    for span in spans:
        cumulative = 0
        for start, end in opening_intervals(span.schedule, span.first_day, span.last_day):
            start_us, end_us = _epoch_us(start), _epoch_us(end)
            names.append(span.schedule.name)
            opens.append(start)
            closes.append(end)
            open_us.append(start_us)
            close_us.append(end_us)
            cum_open.append(cumulative)
            cumulative += end_us - start_us
            cum_close.append(cumulative)
        range_names.append(span.schedule.name)
        range_from.append(span.covers_from)
        range_until.append(span.covers_until)
    ts = pa.timestamp("us", tz="UTC")
    intervals = pa.table(
        {
            "schedule": pa.array(names, pa.string()),
            "open_at": pa.array(opens, ts),
            "close_at": pa.array(closes, ts),
            "open_us": pa.array(open_us, pa.int64()),
            "close_us": pa.array(close_us, pa.int64()),
            "cum_open_us": pa.array(cum_open, pa.int64()),
            "cum_close_us": pa.array(cum_close, pa.int64()),
        }
    )
    ranges = pa.table(
        {
            "schedule": pa.array(range_names, pa.string()),
            "covers_from": pa.array(range_from, ts),
            "covers_until": pa.array(range_until, ts),
        }
    )
    return intervals, ranges


def write_business_calendar(con: duckdb.DuckDBPyConnection, spans: Iterable[CalendarSpan]) -> int:
    """(Re)write `intermediate.business_intervals` and `intermediate.business_calendar_range`; return
    the number of intervals. Set-wise: one Arrow table per table, no row-by-row inserts."""
    spans = list(spans)
    if len({s.schedule.name for s in spans}) != len(spans):
        raise CalendarError("one calendar span per schedule")
    intervals, ranges = calendar_table(spans)
    con.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
    con.register("_business_intervals_in", intervals)
    con.register("_business_calendar_range_in", ranges)
    try:
        con.execute(
            "CREATE OR REPLACE TABLE intermediate.business_intervals AS "
            "SELECT schedule, open_at::TIMESTAMPTZ AS open_at, close_at::TIMESTAMPTZ AS close_at, "
            "open_us, close_us, cum_open_us, cum_close_us FROM _business_intervals_in ORDER BY schedule, open_at"
        )
        con.execute(
            "CREATE OR REPLACE TABLE intermediate.business_calendar_range AS "
            "SELECT schedule, covers_from::TIMESTAMPTZ AS covers_from, covers_until::TIMESTAMPTZ AS covers_until "
            "FROM _business_calendar_range_in"
        )
    finally:
        con.unregister("_business_intervals_in")
        con.unregister("_business_calendar_range_in")
    return intervals.num_rows


__all__ = [
    "CalendarError",
    "CalendarSpan",
    "calendar_table",
    "local_midnight",
    "opening_intervals",
    "span_reaching",
    "write_business_calendar",
]
