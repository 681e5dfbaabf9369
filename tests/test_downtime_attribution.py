"""Downtime attribution (issue 13 part 3): every not-up minute counted once, by cause, deciding check
and region, on designed October 2026 data through the real uptime engine (R14–R16).

The baseline writes shared health and chat passes (region eu-west) in every minute a test does not
claim; each test writes its own results in the minutes it claims.
"""

from __future__ import annotations

import pytest
from fixtures.uptime import UptimeCase, probe


@pytest.fixture
def case(tmp_path):
    made = UptimeCase(tmp_path)
    yield made
    made.close()


def attribution(case: UptimeCase, customer: str = "acme") -> list[tuple]:
    return [
        (r["plan"], r["cause"], r["cause_id"], r["counts_against_uptime"], r["check"], r["region"], r["minutes"])
        for r in case.rows(
            "SELECT * FROM main.downtime_attribution WHERE customer_id = ? AND month = ? ORDER BY ALL",
            [customer, case.month],
        )
    ]


def down_minutes(case: UptimeCase, first: str, minutes: int, *, health=200, chat=(503, 503),
                 regions=("us-east", "eu-west"), customer: str = "", error: str = "") -> list[dict]:
    """Claimed minutes where a shared health result says `health` and chat results fail in `regions`."""
    rows = []
    for minute in case.hole(first, minutes):
        stamp = minute.strftime("%Y-%m-%dT%H:%M")
        rows.append(probe(f"{stamp}:05Z", "health_live", health, region="eu-west"))
        for i, (status, region) in enumerate(zip(chat, regions, strict=True)):
            rows.append(probe(f"{stamp}:{20 + i:02d}Z", "chat_completions", status, region=region, customer=customer,
                              error=error))
    return rows


def test_unavailable_minutes_are_platform_incident_when_one_overlaps_else_unattributed(case):
    # 10 minutes of chat failures; a platform incident for everyone overlaps the last 4 (12:06–12:10,
    # the first of them only partly: attribution counts any overlap, R16 exclusion is not involved)
    case.incident("I-pf", "2026-10-08T12:06:30Z", "2026-10-08T12:20:00Z", "platform")
    case.write("down.csv", down_minutes(case, "2026-10-08T12:00:00Z", 10, chat=(503, 503, 200),
                                        regions=("us-east", "us-east", "eu-west")))
    case.run()
    assert attribution(case) == [
        ("enterprise", "platform_incident", "I-pf", True, "chat_completions", "us-east", 4),
        ("enterprise", "unattributed", None, True, "chat_completions", "us-east", 6),
    ]
    assert case.uptime()["unavailable_minutes"] == 10


def test_failing_health_decides_the_minute_and_its_region(case):
    rows = down_minutes(case, "2026-10-09T03:00:00Z", 3, health=503, chat=(200,), regions=("ap-northeast",))
    case.write("health.csv", rows)
    case.run()
    assert attribution(case) == [("enterprise", "unattributed", None, True, "health_live", "eu-west", 3)]


def test_excluded_minutes_keep_their_class_and_window_id(case):
    # maintenance announced a week ahead (R16.1) over 5 down minutes; upstream passthrough (R16.4) for 2
    case.window("M-7", "2026-10-06T02:00:00Z", "2026-10-06T02:05:00Z", "2026-09-29T00:00:00Z")
    rows = down_minutes(case, "2026-10-06T02:00:00Z", 5)
    rows += down_minutes(case, "2026-10-07T10:00:00Z", 2, chat=(502, 502), regions=("eu-west", "eu-west"),
                         error="upstream_error")
    case.write("excluded.csv", rows)
    case.run()
    assert attribution(case) == [
        # one failure in us-east and one in eu-west each minute: a tie goes to the region name first in order
        ("enterprise", "maintenance", "M-7", False, "chat_completions", "eu-west", 5),
        ("enterprise", "upstream", None, False, "chat_completions", "eu-west", 2),
    ]
    row = case.uptime()
    assert (row["maintenance_minutes"], row["upstream_minutes"], row["unavailable_minutes"]) == (5, 2, 0)


def test_customer_caused_by_error_code_has_no_incident_id(case):
    rows = down_minutes(case, "2026-10-10T08:00:00Z", 4, chat=(401,), regions=("eu-west",), customer="acme",
                        error="invalid_api_key")
    case.write("tenant.csv", rows)
    case.run()
    assert attribution(case) == [("enterprise", "customer_caused", None, False, "chat_completions", "eu-west", 4)]


def test_no_data_minutes_are_not_attributed_and_sums_match_uptime(case):
    case.hole("2026-10-16T05:00:00Z", minutes=10)  # no result at all: no_data
    case.write("down.csv", down_minutes(case, "2026-10-12T12:00:00Z", 3))
    case.run()
    assert attribution(case) == [("enterprise", "unattributed", None, True, "chat_completions", "eu-west", 3)]
    row = case.uptime()
    assert row["no_data_minutes"] == 10
    total = case.rows("SELECT sum(minutes) AS m FROM main.downtime_attribution WHERE customer_id = 'acme'")[0]["m"]
    assert total == row["unavailable_minutes"] + row["maintenance_minutes"] + row["customer_caused_minutes"] + row[
        "upstream_minutes"
    ] == 3
