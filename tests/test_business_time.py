"""Business time and deadlines (R6) on known cases: the examples businesstimedelta's own tests and
README pin, the Zendesk/Freshdesk-style "Friday 16:00 + 2 business hours", Belgian holidays, DST
weeks, and the calendar reaching past as-of. Every figure is computed by the production SQL models
(`business_spans`, `business_deadlines`) over a calendar written by `write_business_calendar`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pytest
from fixtures.support import H, bxl, find_deadlines, measure_spans

from pipeline.policy import Schedule, load_policy
from pipeline.settings import DEFAULT_POLICY_FILE
from pipeline.support.business_calendar import (
    CalendarError,
    CalendarSpan,
    opening_intervals,
    span_reaching,
    write_business_calendar,
)
from pipeline.warehouse import connect
from pipeline.warehouse.sqlrunner import ModelError

US = 1_000_000
WEEKDAYS_9_17 = (((9 * 60, 17 * 60),),) * 5 + ((), ())
LUNCH_9_18 = (((9 * 60, 12 * 60), (13 * 60, 18 * 60)),) * 5 + ((), ())


def schedule(name, tz, hours=WEEKDAYS_9_17, country=None, subdivision=None, closures=()):
    return Schedule(name, tz, hours, country, subdivision, frozenset(closures))


BRUSSELS = load_policy(DEFAULT_POLICY_FILE).version_for("2025-01").schedules["brussels"]
UTC_9_17 = schedule("utc_9_17", "UTC")
UTC_LUNCH = schedule("utc_lunch", "UTC", LUNCH_9_18)
CA_LUNCH = schedule("ca_lunch", "UTC", LUNCH_9_18, country="US", subdivision="CA")
SANTIAGO_LUNCH = schedule("santiago_lunch", "America/Santiago", LUNCH_9_18)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("business_time") / "warehouse.duckdb")
    spans = [
        CalendarSpan(s, date(2015, 12, 1), date(2016, 2, 29)) for s in (UTC_9_17, UTC_LUNCH, CA_LUNCH, SANTIAGO_LUNCH)
    ] + [CalendarSpan(BRUSSELS, date(2024, 12, 1), date(2026, 1, 31))]
    write_business_calendar(con, spans)
    yield con
    con.close()


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_r6_friday_1600_plus_two_business_hours_is_monday_1000(con):
    # The Zendesk / Freshdesk worked example on a 9–17 Mon–Fri calendar.
    friday = bxl("2025-03-14 16:00")
    assert find_deadlines(con, [("brussels", friday, 2 * H * US, False)]) == [bxl("2025-03-17 10:00")]
    assert measure_spans(con, [("brussels", friday, bxl("2025-03-17 10:00"))]) == [2 * H * US]


@pytest.mark.parametrize(
    ("sched", "start", "hours", "expected"),
    [
        ("utc_9_17", utc(2016, 1, 23, 13, 14), 2, utc(2016, 1, 25, 11, 0)),  # Saturday + 2 h
        ("utc_9_17", utc(2016, 1, 22, 9, 0), 8, utc(2016, 1, 22, 17, 0)),  # exactly one day
        ("utc_9_17", utc(2016, 1, 23, 13, 14), 12, utc(2016, 1, 26, 13, 0)),  # more than one day
        ("utc_lunch", utc(2016, 1, 18, 9, 0), 40, utc(2016, 1, 22, 18, 0)),  # the README, lunch excluded
    ],
)
def test_r6_deadlines_agree_with_businesstimedelta(con, sched, start, hours, expected):
    assert find_deadlines(con, [(sched, start, hours * H * US, False)]) == [expected]


def test_r6_business_time_agrees_with_businesstimedelta_readme(con):
    santiago_start = datetime(2016, 1, 18, 9, tzinfo=ZoneInfo("America/Los_Angeles"))
    santiago_end = datetime(2016, 1, 18, 18, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert measure_spans(
        con,
        [
            ("utc_lunch", utc(2016, 1, 18, 9), utc(2016, 1, 25, 9)),  # 40 h
            ("ca_lunch", utc(2015, 12, 21, 9), utc(2015, 12, 28, 9)),  # Christmas (CA holiday): 32 h
            ("santiago_lunch", santiago_start, santiago_end),  # 14:00–23:00 Santiago: 4 h
            ("utc_9_17", utc(2016, 1, 21, 10, 0), utc(2016, 1, 21, 10, 0, 5)),  # 5 s
        ],
    ) == [40 * H * US, 32 * H * US, 4 * H * US, 5 * US]


def test_r6_start_outside_opening_hours_starts_at_the_next_opening(con):
    assert find_deadlines(
        con,
        [
            ("brussels", bxl("2025-03-15 10:00"), 1 * H * US, False),  # Saturday → Monday 10:00
            ("brussels", bxl("2025-03-17 07:00"), 4 * H * US, False),  # before opening → 13:00
            ("brussels", bxl("2025-03-17 17:00"), 1, False),  # at closing, 1 µs → Tuesday 09:00:00.000001
        ],
    ) == [bxl("2025-03-17 10:00"), bxl("2025-03-17 13:00"), bxl("2025-03-18 09:00") + timedelta(microseconds=1)]


def test_r6_deadline_is_the_earliest_instant_and_exceeding_starts_at_the_next_opening(con):
    start = bxl("2025-03-17 09:00")
    assert find_deadlines(con, [("brussels", start, 8 * H * US, False), ("brussels", start, 8 * H * US, True)]) == [
        bxl("2025-03-17 17:00"),
        bxl("2025-03-18 09:00"),
    ]


def test_r6_dst_moves_opening_instants_in_utc(con):
    # Brussels switches to CEST on Sunday 2025-03-30: 09:00 local is 08:00 UTC before, 07:00 UTC after.
    friday, monday = bxl("2025-03-28 15:00"), bxl("2025-03-31 11:00")
    assert friday.astimezone(UTC).hour == 14 and monday.astimezone(UTC).hour == 9
    assert measure_spans(con, [("brussels", friday, monday)]) == [4 * H * US]
    assert find_deadlines(con, [("brussels", friday, 4 * H * US, False)]) == [monday]
    # And back to CET on Sunday 2025-10-26.
    assert find_deadlines(con, [("brussels", bxl("2025-10-24 16:00"), 2 * H * US, False)]) == [bxl("2025-10-27 10:00")]
    intervals = opening_intervals(BRUSSELS, date(2025, 3, 28), date(2025, 3, 31))
    assert [(o.hour, c.hour) for o, c in intervals] == [(8, 16), (7, 15)]


def test_r6_belgian_public_holidays_are_closed(con):
    # Thursday 1 May 2025 (Labour Day) and Monday 21 April 2025 (Easter Monday).
    assert measure_spans(
        con,
        [
            ("brussels", bxl("2025-04-30 15:00"), bxl("2025-05-02 11:00")),
            ("brussels", bxl("2025-04-18 16:00"), bxl("2025-04-22 10:00")),
        ],
    ) == [4 * H * US, 2 * H * US]
    assert find_deadlines(con, [("brussels", bxl("2025-12-24 16:00"), 2 * H * US, False)]) == [bxl("2025-12-26 10:00")]


def test_r6_extra_closures_from_the_policy_are_closed(tmp_path):
    closed = schedule("closed_friday", "Europe/Brussels", country="BE", closures={date(2025, 3, 21)})
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("SET TimeZone = 'UTC'")
        write_business_calendar(con, [CalendarSpan(closed, date(2025, 3, 1), date(2025, 4, 30))])
        assert find_deadlines(con, [("closed_friday", bxl("2025-03-20 16:00"), 2 * H * US, False)]) == [
            bxl("2025-03-24 10:00")
        ]


def test_r6_calendar_reaches_past_as_of_by_the_longest_target_plus_holidays():
    # As-of on Christmas Eve 2025; 40 bh (enterprise S3 resolution) needs 5 business days, and
    # Christmas and New Year's Day fall in between: the calendar must reach past January 2nd.
    as_of = bxl("2025-12-24 17:00")
    span = span_reaching(BRUSSELS, bxl("2025-12-01 00:00"), as_of, 40 * H)
    after = sum(
        (c - max(o, as_of)).total_seconds()
        for o, c in opening_intervals(BRUSSELS, span.first_day, span.last_day)
        if c > as_of
    )
    assert after >= 40 * H
    assert span.last_day >= date(2026, 1, 2)
    assert span.covers_from <= bxl("2025-12-01 00:00")


def test_r6_schedule_closed_for_years_is_an_error():
    never = schedule("never", "UTC", closures={date(2025, 1, 1) + timedelta(days=i) for i in range(4000)})
    with pytest.raises(CalendarError, match="never"):
        span_reaching(never, utc(2025, 1, 1), utc(2025, 1, 1), 40 * H)


def test_r6_instant_outside_the_written_calendar_is_an_error_not_a_short_figure(con):
    with pytest.raises(ModelError, match="outside the business calendar of schedule brussels"):
        measure_spans(con, [("brussels", bxl("2025-03-17 09:00"), bxl("2027-03-17 09:00"))])
    with pytest.raises(ModelError, match="outside the business calendar"):
        find_deadlines(con, [("brussels", bxl("2026-01-30 09:00"), 100 * H * US, False)])


def test_r6_calendar_targets_are_elapsed_real_time(con):
    saturday = bxl("2025-03-29 22:00")  # across the spring-forward night: 5 real hours, 6 on the wall
    assert measure_spans(con, [(None, saturday, bxl("2025-03-30 04:00"))]) == [5 * H * US]
    assert find_deadlines(con, [(None, saturday, 4 * H * US, False)]) == [bxl("2025-03-30 03:00")]
