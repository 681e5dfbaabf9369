"""R6 property test: the SQL business time and deadlines (ASOF joins over the cumulative calendar)
agree to the microsecond with a slow, obviously-correct Python reference, over random instants that
favour DST weeks, public holidays, weekends and opening/closing instants.

The reference reads the definition literally: for every local day around the range, skip it if it is
a public holiday, an extra closure or has no hours; turn each wall-clock opening interval into UTC with
zoneinfo; sum the parts inside [a, b). A deadline walks the same intervals forward from the start,
spending the remaining time. It shares nothing with the production code but the Schedule value.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from fixtures.support import find_deadlines, measure_spans
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.policy import Schedule, load_policy
from pipeline.settings import DEFAULT_POLICY_FILE
from pipeline.support.business_calendar import CalendarSpan, write_business_calendar
from pipeline.warehouse import connect

EXAMPLES = 500
# Random instants fall in 2025, which holds both DST changes of Brussels and of New York; the
# calendar reaches past it by the longest span (40 days) and deadline (120 h plus holidays).
FIRST, LAST = date(2025, 1, 1), date(2025, 12, 31)
CAL_FIRST, CAL_LAST = date(2024, 12, 1), date(2026, 3, 31)

BRUSSELS = load_policy(DEFAULT_POLICY_FILE).version_for("2024-01").schedules["brussels"]
# New York: split hours, a Saturday morning, US/NY holidays, extra closures (its DST weeks differ).
NEW_YORK = Schedule(
    "new_york",
    "America/New_York",
    (((8 * 60, 12 * 60), (13 * 60, 17 * 60 + 30)),) * 5 + (((10 * 60, 14 * 60),), ()),
    "US",
    "NY",
    frozenset({date(2025, 12, 24), date(2025, 11, 28), date(2026, 1, 2)}),
)
# Brussels nights: Sunday hours that straddle the DST change (02:30 does not exist on the spring
# Sunday and happens twice in autumn) and a Sunday that runs into Monday 03:30 (merged in UTC).
NIGHTS = Schedule(
    "nights",
    "Europe/Brussels",
    (((0, 210),), (), (), (), (), ((22 * 60, 24 * 60),), ((60, 150), (165, 1440))),
    None,
    None,
    frozenset(),
)
SCHEDULES = {s.name: s for s in (BRUSSELS, NEW_YORK, NIGHTS)}


# --- the reference ----------------------------------------------------------------------------------


def _closed_days(schedule: Schedule) -> set[date]:
    closed = set(schedule.extra_closures)
    if schedule.holiday_country:
        closed |= set(
            holidays.country_holidays(
                schedule.holiday_country, subdiv=schedule.holiday_subdivision, years=range(2024, 2027)
            )
        )
    return closed


CLOSED = {name: _closed_days(s) for name, s in SCHEDULES.items()}


def _wall(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """Local `day` + `minute` (1440 = the next midnight) as a UTC instant; plain datetime rules (fold=0)."""
    if minute == 1440:
        day, minute = day + timedelta(days=1), 0
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)


def reference_intervals(name: str, first: date):
    schedule = SCHEDULES[name]
    zone = ZoneInfo(schedule.timezone)
    day = first
    while True:
        if day not in CLOSED[name]:
            for start, end in schedule.opening_minutes[day.weekday()]:
                yield _wall(day, start, zone), _wall(day, end, zone)
        day += timedelta(days=1)


def us(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def reference_business_us(name: str, a: datetime, b: datetime) -> int:
    total = 0
    zone = ZoneInfo(SCHEDULES[name].timezone)
    for opens, closes in reference_intervals(name, a.astimezone(zone).date() - timedelta(days=1)):
        if opens >= b:
            break
        low, high = max(opens, a), min(closes, b)
        if high > low:
            total += us(high - low)
    return total


def reference_deadline(name: str, start: datetime, remaining: int, exceed: bool) -> datetime:
    zone = ZoneInfo(SCHEDULES[name].timezone)
    for opens, closes in reference_intervals(name, start.astimezone(zone).date() - timedelta(days=1)):
        low = max(opens, start)
        if closes <= low:
            continue
        available = us(closes - low)
        if remaining < available or (remaining == available and not exceed):
            return low + timedelta(microseconds=remaining)
        remaining -= available
    raise AssertionError("unreachable")


# --- random instants --------------------------------------------------------------------------------

DST_WEEKS = [date(2025, 3, 30), date(2025, 10, 26)] + [date(2025, 3, 9), date(2025, 11, 2)]  # Europe, New York
BELGIAN_HOLIDAYS = [date(2025, m, d) for m, d in ((1, 1), (4, 21), (5, 1), (5, 29), (6, 9), (7, 21), (8, 15), (11, 11))]
NEW_YORK_CLOSED = [date(2025, 7, 4), date(2025, 11, 27), date(2025, 11, 28), date(2025, 12, 24), date(2025, 12, 25)]
HOLIDAYS = BELGIAN_HOLIDAYS + NEW_YORK_CLOSED
EDGES = [time(h, m) for h, m in ((0, 0), (1, 0), (2, 30), (2, 45), (3, 30), (8, 0), (9, 0), (12, 0), (13, 0), (14, 0))]
EDGES += [time(17), time(17, 30), time(22), time(8, 59, 59), time(17, 0, 1), time(23, 59, 59, 999999)]

days = st.one_of(
    st.builds(
        lambda d, k: min(LAST, max(FIRST, d + timedelta(days=k))),
        st.sampled_from(DST_WEEKS + HOLIDAYS),
        st.integers(-4, 4),
    ),
    st.dates(FIRST, LAST),
)
wall_times = st.one_of(st.sampled_from(EDGES), st.times())
zones = st.sampled_from([ZoneInfo("Europe/Brussels"), ZoneInfo("America/New_York"), UTC])
instants = st.builds(
    lambda d, t, z, fold: datetime.combine(d, t, tzinfo=z).replace(fold=fold).astimezone(UTC),
    days,
    wall_times,
    zones,
    st.integers(0, 1),
)
lengths = st.one_of(
    st.just(timedelta(0)),
    st.sampled_from([timedelta(hours=h) for h in (1, 2, 4, 8, 16, 24, 48, 72, 168)]),
    st.timedeltas(timedelta(0), timedelta(days=3)),
    st.timedeltas(timedelta(0), timedelta(days=40)),
)
HOUR = 3_600_000_000
remainders = st.one_of(
    st.sampled_from([h * HOUR for h in (1, 2, 4, 8, 24, 40, 41, 3.5)]).map(int),
    st.integers(1, 60_000_000),
    st.integers(1, 120 * HOUR),
)
schedule_names = st.sampled_from(sorted(SCHEDULES))
span_cases = st.lists(st.tuples(schedule_names, instants, lengths), min_size=1, max_size=12)
deadline_cases = st.lists(st.tuples(schedule_names, instants, remainders, st.booleans()), min_size=1, max_size=12)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("business_property") / "warehouse.duckdb")
    write_business_calendar(con, [CalendarSpan(s, CAL_FIRST, CAL_LAST) for s in SCHEDULES.values()])
    yield con
    con.close()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spans=span_cases, deadlines=deadline_cases)
def test_r6_sql_business_time_and_deadlines_match_the_reference(con, spans, deadlines):
    measured = measure_spans(con, [(name, start, start + length) for name, start, length in spans])
    expected = [reference_business_us(name, start, start + length) for name, start, length in spans]
    assert measured == expected
    found = find_deadlines(con, deadlines)
    assert found == [reference_deadline(*case) for case in deadlines]


def test_r6_reference_agrees_with_a_minute_by_minute_walk():
    """The reference itself, checked against the plainest reading: is each minute of a DST week open?
    (Not for wall-clock hours inside a DST gap or overlap: there an opening interval runs from its
    opening instant to its closing instant, read with fold=0, which a minute-by-minute walk cannot say.)"""
    for name, first in (
        ("brussels", datetime(2025, 3, 28, tzinfo=UTC)),
        ("brussels", datetime(2025, 10, 24, tzinfo=UTC)),
        ("nights", datetime(2025, 11, 7, tzinfo=UTC)),
        ("new_york", datetime(2025, 3, 7, tzinfo=UTC)),
        ("new_york", datetime(2025, 12, 22, tzinfo=UTC)),
    ):
        schedule = SCHEDULES[name]
        zone = ZoneInfo(schedule.timezone)
        open_minutes = 0
        for minute in range(4 * 24 * 60):
            instant = first + timedelta(minutes=minute)
            local = instant.astimezone(zone)
            minute_of_day = local.hour * 60 + local.minute
            if local.date() not in CLOSED[name] and any(
                s <= minute_of_day < e for s, e in schedule.opening_minutes[local.weekday()]
            ):
                open_minutes += 1
        assert reference_business_us(name, first, first + timedelta(days=4)) == open_minutes * 60_000_000, name
