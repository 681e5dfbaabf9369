"""Minute classification and uptime (R13-R17, R20), each asserted by value against hand-computed figures.

Every case runs the real engine on a temporary warehouse: shared health and chat pass in every minute
of October 2026 (44,640 minutes) except the minutes a test claims, where it writes its own results.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from fixtures.uptime import UptimeCase, probe

OCT_MINUTES = 44_640


@pytest.fixture
def case(tmp_path):
    made = UptimeCase(tmp_path)
    yield made
    made.close()


def shared_minute(case: UptimeCase, minute: str, chat: list[int | str], health: list[int | str] = (200,),
                  errors: list[str] | None = None) -> list[dict]:
    """Rows of one claimed minute: shared health results and shared chat results (one region each)."""
    case.hole(minute)
    rows = [probe(minute.replace(":00Z", f":{10 + i:02d}Z"), "health_live", s, region=f"r{i}") for i, s in enumerate(health)]
    errors = errors or [""] * len(chat)
    rows += [probe(minute.replace(":00Z", f":{30 + i:02d}Z"), "chat_completions", s, region=f"r{i}", error=e)
             for i, (s, e) in enumerate(zip(chat, errors, strict=True))]
    return rows


# --- R15 quorum ------------------------------------------------------------------------------------


def test_r15_one_failure_of_two_results_fails_the_set(case):
    case.write("cases.csv", shared_minute(case, "2026-10-03T10:00:00Z", chat=[200, 503]))
    case.run()
    assert case.state("2026-10-03T10:00:00Z") == "unavailable"
    assert case.uptime()["unavailable_minutes"] == 1


def test_r15_one_failure_of_three_results_does_not(case):
    case.write("cases.csv", shared_minute(case, "2026-10-03T10:00:00Z", chat=[200, 503, 200]))
    case.run()
    assert case.states() == {}
    assert case.uptime()["unavailable_minutes"] == 0
    assert case.uptime()["uptime"] == Decimal("1.00000000")


def test_r15_failing_tenant_probe_beside_passing_shared_regions_is_down(case):
    rows = shared_minute(case, "2026-10-03T10:00:00Z", chat=[200, 200, 200])
    rows.append(probe("2026-10-03T10:00:40Z", "chat_completions", 500, customer="acme"))
    case.write("cases.csv", rows)
    case.run()
    assert case.state("2026-10-03T10:00:00Z") == "unavailable"


def test_r15_failing_health_makes_the_minute_down_even_if_chat_answered(case):
    case.write("cases.csv", shared_minute(case, "2026-10-03T10:00:00Z", chat=[200], health=[503]))
    case.run()
    assert case.state("2026-10-03T10:00:00Z") == "unavailable"


def test_r15_passing_health_and_no_chat_result_is_up_and_covered(case):
    case.write("cases.csv", shared_minute(case, "2026-10-03T10:00:00Z", chat=[], health=[200]))
    case.run()
    assert case.states() == {}
    assert case.uptime()["covered_minutes"] == OCT_MINUTES


def test_r15_r17_minute_without_any_result_is_no_data_and_never_lowers_uptime(case):
    case.hole("2026-10-16T05:00:00Z", minutes=10)
    case.run()
    states = case.states()
    assert len(states) == 10 and set(states.values()) == {"no_data"}
    row = case.uptime()
    assert (row["no_data_minutes"], row["unavailable_minutes"], row["covered_minutes"]) == (10, 0, OCT_MINUTES - 10)
    assert row["uptime"] == Decimal("1.00000000")
    assert row["coverage"] == Decimal("0.99977598")  # 44630 / 44640 = 0.999775985… truncated


def test_r15_tenant_health_result_covers_a_minute_without_shared_results(case):
    case.hole("2026-10-16T05:00:00Z")
    case.write("cases.csv", [probe("2026-10-16T05:00:20Z", "health_live", 200, customer="acme")])
    case.run()
    assert case.states() == {}


def test_r15_duplicate_copy_does_not_outvote_a_failure(case):
    # 1 fail + 1 pass fails the set; a second identical copy of the pass must not make it 1 of 3.
    rows = shared_minute(case, "2026-10-03T10:00:00Z", chat=[200, 503])
    case.write("a.csv", rows)
    case.write("b.jsonl", [rows[1]])  # the passing chat row again, in another file and format
    counts = case.run()
    assert case.state("2026-10-03T10:00:00Z") == "unavailable"
    assert counts["probe_rows_collapsed"] == 1


# --- R16 classification ----------------------------------------------------------------------------


def test_r16_maintenance_needs_more_than_48_hours_notice(case):
    case.window("M-exact", "2026-10-05T02:00:00Z", "2026-10-05T02:05:00Z", announced_at="2026-10-03T02:00:00Z")
    case.window("M-early", "2026-10-06T02:00:00Z", "2026-10-06T02:05:00Z", announced_at="2026-10-04T01:59:59Z")
    rows = []
    for day in ("05", "06"):
        for minute in range(5):
            rows += shared_minute(case, f"2026-10-{day}T02:0{minute}:00Z", chat=[503], health=[503])
    case.write("cases.csv", rows)
    case.run()
    states = case.states()
    assert [states[f"2026-10-05T02:0{m}:00Z"] for m in range(5)] == ["unavailable"] * 5  # exactly 48 h
    assert [states[f"2026-10-06T02:0{m}:00Z"] for m in range(5)] == ["maintenance"] * 5
    row = case.uptime()
    assert (row["unavailable_minutes"], row["maintenance_minutes"]) == (5, 5)
    windows = {r["window_id"]: r for r in case.rows("SELECT * FROM main.exclusion_windows")}
    assert (windows["M-exact"]["qualifies"], windows["M-exact"]["excused_minutes"]) == (False, 0)
    assert (windows["M-early"]["qualifies"], windows["M-early"]["excused_minutes"]) == (True, 5)


def test_r16_the_notice_is_a_policy_value_for_what_if_policies(case):
    """The contract's 48 h is the policy's uptime.maintenance_notice_hours (default 48); a proposed
    policy (sla-report simulate) may change it: with 24 h, a window announced 30 h ahead qualifies."""
    case.window("M-30h", "2026-10-06T02:00:00Z", "2026-10-06T02:05:00Z", announced_at="2026-10-04T20:00:00Z")
    rows = []
    for minute in range(5):
        rows += shared_minute(case, f"2026-10-06T02:0{minute}:00Z", chat=[503], health=[503])
    case.write("cases.csv", rows)
    case.run(notice_hours=24)
    assert (case.uptime()["maintenance_minutes"], case.uptime()["unavailable_minutes"]) == (5, 0)
    windows = {r["window_id"]: r for r in case.rows("SELECT * FROM main.exclusion_windows")}
    assert (windows["M-30h"]["qualifies"], windows["M-30h"]["notice_minutes"]) == (True, 30 * 60)


def test_r14_r16_maintenance_covers_only_minutes_wholly_inside(case):
    case.window("M-1", "2026-10-06T02:00:30Z", "2026-10-06T02:03:00Z", announced_at="2026-09-01T00:00:00Z")
    rows = []
    for minute in range(4):
        rows += shared_minute(case, f"2026-10-06T02:0{minute}:00Z", chat=[503], health=[503])
    case.write("cases.csv", rows)
    case.run()
    assert case.states() == {
        "2026-10-06T02:00:00Z": "unavailable",  # starts 30 s into the minute
        "2026-10-06T02:01:00Z": "maintenance",
        "2026-10-06T02:02:00Z": "maintenance",
        "2026-10-06T02:03:00Z": "unavailable",  # the window ended at 02:03:00
    }


def test_r16_maintenance_for_another_customer_does_not_apply(case):
    case.customers.append(("beta", "Beta"))
    case.window("M-beta", "2026-10-06T02:00:00Z", "2026-10-06T03:00:00Z", "2026-09-01T00:00:00Z", customer_id="beta")
    case.write("cases.csv", shared_minute(case, "2026-10-06T02:10:00Z", chat=[503], health=[503]))
    case.run()
    assert case.state("2026-10-06T02:10:00Z") == "unavailable"


def test_r16_overlapping_windows_never_double_count(case):
    case.window("M-1", "2026-10-06T02:00:00Z", "2026-10-06T02:10:00Z", "2026-09-01T00:00:00Z")
    case.window("M-2", "2026-10-06T02:05:00Z", "2026-10-06T02:15:00Z", "2026-09-01T00:00:00Z", customer_id="acme")
    rows = []
    for minute in range(15):
        rows += shared_minute(case, f"2026-10-06T02:{minute:02d}:00Z", chat=[503], health=[503])
    case.write("cases.csv", rows)
    case.run()
    row = case.uptime()
    assert (row["maintenance_minutes"], row["unavailable_minutes"]) == (15, 0)
    assert row["total_minutes"] == OCT_MINUTES


def test_r16_upstream_502_needs_health_up(case):
    rows = shared_minute(case, "2026-10-07T09:00:00Z", chat=[502], health=[503], errors=["upstream_error"])
    rows += shared_minute(case, "2026-10-07T09:01:00Z", chat=[502], health=[], errors=["upstream_error"])
    rows += shared_minute(case, "2026-10-07T09:02:00Z", chat=[502], health=[200], errors=["upstream_error"])
    case.write("cases.csv", rows)
    case.run()
    assert case.states() == {
        "2026-10-07T09:00:00Z": "unavailable",  # health down
        "2026-10-07T09:01:00Z": "unavailable",  # no health result: no evidence the gateway was up
        "2026-10-07T09:02:00Z": "upstream",
    }
    row = case.uptime()
    assert (row["unavailable_minutes"], row["upstream_minutes"]) == (2, 1)


def test_r16_502_without_the_passthrough_code_is_unavailable(case):
    case.write("cases.csv", shared_minute(case, "2026-10-07T09:00:00Z", chat=[502], errors=["timeout"]))
    case.run()
    assert case.state("2026-10-07T09:00:00Z") == "unavailable"


def test_r16_customer_caused_incident_while_health_fails_is_unavailable(case):
    case.incident("I-1", "2026-10-08T12:00:00Z", "2026-10-08T13:00:00Z", "customer_caused", customer_id="acme")
    rows = shared_minute(case, "2026-10-08T12:10:00Z", chat=[503], health=[503])
    rows += shared_minute(case, "2026-10-08T12:11:00Z", chat=[503], health=[200])
    case.write("cases.csv", rows)
    case.run()
    assert case.states() == {"2026-10-08T12:10:00Z": "unavailable", "2026-10-08T12:11:00Z": "customer_caused"}
    (window,) = case.rows("SELECT * FROM main.exclusion_windows WHERE window_id = 'I-1'")
    assert (window["qualifies"], window["excused_minutes"]) == (True, 1)


def test_r16_upstream_and_platform_incidents_change_no_minute(case):
    case.incident("I-up", "2026-10-08T12:00:00Z", "2026-10-08T13:00:00Z", "upstream")
    case.incident("I-pf", "2026-10-08T12:00:00Z", "2026-10-08T13:00:00Z", "platform")
    case.write("cases.csv", shared_minute(case, "2026-10-08T12:10:00Z", chat=[503]))
    case.run()
    assert case.state("2026-10-08T12:10:00Z") == "unavailable"
    assert {r["window_id"] for r in case.rows("SELECT window_id FROM main.exclusion_windows")} == {"I-up", "I-pf"}


def test_r16_customer_own_invalid_key_is_customer_caused(case):
    case.write("cases.csv", [probe("2026-10-09T08:00:40Z", "chat_completions", 401, customer="acme", error="invalid_api_key")])
    case.run()
    assert case.state("2026-10-09T08:00:00Z") == "customer_caused"
    assert case.uptime()["customer_caused_minutes"] == 1


def test_r16_upstream_502_and_customer_invalid_key_in_the_same_minute_is_upstream(case):
    rows = shared_minute(case, "2026-10-09T08:00:00Z", chat=[502], errors=["upstream_error"])
    rows.append(probe("2026-10-09T08:00:40Z", "chat_completions", 401, customer="acme", error="invalid_api_key"))
    case.write("cases.csv", rows)
    case.run()
    assert case.state("2026-10-09T08:00:00Z") == "upstream"


def test_r16_customer_code_on_a_shared_probe_is_not_customer_caused(case):
    case.write("cases.csv", shared_minute(case, "2026-10-09T08:00:00Z", chat=[401], errors=["invalid_api_key"]))
    case.run()
    assert case.state("2026-10-09T08:00:00Z") == "unavailable"


def test_r16_another_customers_invalid_key_does_not_touch_acme(case):
    case.customers.append(("beta", "Beta"))
    case.contract("C-beta", "beta", "enterprise", "100.00", "EUR", "2026-01-01", None)
    case.write("cases.csv", [probe("2026-10-09T08:00:40Z", "chat_completions", 401, customer="beta", error="invalid_api_key")])
    case.run()
    assert case.states("acme") == {}
    assert case.states("beta") == {"2026-10-09T08:00:00Z": "customer_caused"}


# --- R17 measured period, R20 growth ---------------------------------------------------------------


def test_r17_contract_starting_mid_month_ignores_earlier_outages(case):
    case.contracts.clear()
    case.contract("C-late", "acme", "enterprise", "10000.00", "EUR", "2026-10-07", None)
    rows = []
    for minute in range(30):  # an outage before the contract starts: never counts
        rows += shared_minute(case, f"2026-10-03T10:{minute:02d}:00Z", chat=[503])
    for minute in range(72):  # 72 minutes after it started
        rows += shared_minute(case, f"2026-10-10T{minute // 60:02d}:{minute % 60:02d}:00Z", chat=[503])
    case.write("cases.csv", rows)
    case.run()
    row = case.uptime()
    assert (row["total_minutes"], row["unavailable_minutes"]) == (36_000, 72)
    assert row["uptime"] == Decimal("0.99800000")
    assert min(case.states()) == "2026-10-10T00:00:00Z"


def test_r17_uptime_is_truncated_not_rounded(case):
    rows = []
    for minute in range(45):  # 1 - 45/44640 = 0.99899193548… → 0.99899193
        rows += shared_minute(case, f"2026-10-10T00:{minute:02d}:00Z", chat=[503])
    case.write("cases.csv", rows)
    case.run()
    assert case.uptime()["uptime"] == Decimal("0.99899193")


def test_r17_r20_plan_change_mid_month_gives_a_row_per_plan(case):
    case.contracts.clear()
    case.contract("C-g", "acme", "growth", "500.00", "EUR", "2026-01-01", "2026-10-11")
    case.contract("C-e", "acme", "enterprise", "10000.00", "EUR", "2026-10-11", None)
    rows = shared_minute(case, "2026-10-05T10:00:00Z", chat=[503]) + shared_minute(case, "2026-10-20T10:00:00Z", chat=[503])
    case.write("cases.csv", rows)
    case.run()
    growth, enterprise = case.uptime(plan="growth"), case.uptime(plan="enterprise")
    assert (growth["total_minutes"], growth["unavailable_minutes"], growth["target"]) == (14_400, 1, None)
    assert growth["uptime"] == Decimal("0.99993055")  # 14399/14400 = 0.999930555… truncated
    assert (enterprise["total_minutes"], enterprise["unavailable_minutes"]) == (30_240, 1)
    assert enterprise["target"] == Decimal("0.999")
    plans = {r["plan"] for r in case.rows("SELECT plan FROM main.availability_minutes")}
    assert plans == {"growth", "enterprise"}


def test_r20_growth_only_customer_is_measured_but_never_credited(case):
    case.contracts.clear()
    case.contract("C-g", "acme", "growth", "500.00", "EUR", "2026-01-01", None)
    rows = []
    for minute in range(100):
        rows += shared_minute(case, f"2026-10-10T01:{minute % 60:02d}:00Z".replace("T01:", f"T{1 + minute // 60:02d}:"), chat=[503])
    case.write("cases.csv", rows)
    case.run()
    assert case.uptime(plan="growth")["unavailable_minutes"] == 100
    assert case.rows("SELECT * FROM main.credits") == []


def test_r17_customer_without_contract_in_the_month_gets_no_row(case):
    case.customers.append(("gone", "Gone Ltd"))
    case.contract("C-gone", "gone", "enterprise", "100.00", "EUR", "2025-01-01", "2026-10-01")
    case.run()
    assert [r["customer_id"] for r in case.rows("SELECT customer_id FROM main.uptime_monthly")] == ["acme"]


# --- tenant sets with several results (pass 2 recounts them) ---------------------------------------


def test_r15_tenant_retry_beside_a_failure_is_one_of_two(case):
    case.write("t.csv", [
        probe("2026-10-11T07:00:10Z", "chat_completions", 500, customer="acme"),
        probe("2026-10-11T07:00:40Z", "chat_completions", 200, customer="acme"),
        probe("2026-10-11T07:01:10Z", "chat_completions", 500, customer="acme"),
        probe("2026-10-11T07:01:30Z", "chat_completions", 200, customer="acme"),
        probe("2026-10-11T07:01:50Z", "chat_completions", 200, customer="acme"),
    ])
    case.run()
    assert case.states() == {"2026-10-11T07:00:00Z": "unavailable"}  # 1 of 2 fails; 1 of 3 does not


def test_r15_passing_tenant_duplicate_is_collapsed_and_counted_once(case):
    passing = probe("2026-10-11T07:00:40Z", "chat_completions", 200, customer="acme")
    failing = probe("2026-10-11T07:00:10Z", "chat_completions", 500, customer="acme")
    case.write("a.csv", [failing, passing])
    case.write("b.parquet", [passing])  # the same passing row again: must not make it 1 of 3
    counts = case.run()
    assert case.states() == {"2026-10-11T07:00:00Z": "unavailable"}
    assert counts["probe_rows_collapsed"] == 1
    (row,) = case.rows("SELECT * FROM intermediate.probe_file_accounting WHERE source_file = 'probes/b.parquet'")
    assert (row["rows_read"], row["rows_collapsed"], row["rows_used"]) == (1, 1, 0)


def test_r15_tenant_health_passing_in_a_minute_without_shared_health_is_evidence(case):
    # shared health missing, shared chat 502 passthrough: the tenant's own passing health result is
    # the evidence that the gateway was up, so the minute is upstream, not unavailable
    case.hole("2026-10-12T03:00:00Z")
    case.write("t.csv", [
        probe("2026-10-12T03:00:05Z", "chat_completions", 502, error="upstream_error"),
        probe("2026-10-12T03:00:20Z", "health_live", 200, customer="acme"),
    ])
    case.customers.append(("beta", "Beta"))
    case.contract("C-beta", "beta", "enterprise", "100.00", "EUR", "2026-01-01", None)
    case.run()
    assert case.states("acme") == {"2026-10-12T03:00:00Z": "upstream"}
    assert case.states("beta") == {"2026-10-12T03:00:00Z": "unavailable"}  # no health result for beta
