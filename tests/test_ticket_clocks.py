"""Ticket clocks by value: the response clock (R7), the resolution state machine (R8), status and
due_at (R10) and the as-of instant (R11). Enterprise targets of the default policy; times are
Europe/Brussels wall-clock times in March 2025 (CET, no public holiday; Mon 17 – Fri 21)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fixtures.support import Desk, H, brief, bxl

from pipeline.ingest.as_of import default_as_of


@pytest.fixture()
def desk(tmp_path):
    desk = Desk.open(tmp_path)
    yield desk
    desk.con.close()


# --- R7 response clock ------------------------------------------------------------------------------


def test_r7_auto_reply_never_stops_the_response_clock(desk):
    desk.ticket(
        "A",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 09:01"), "auto_reply"),
        (bxl("2025-03-17 11:00"), "agent_reply"),
    )
    desk.run("2025-03")
    row = desk.sla("A", "response")
    assert brief(row) == ("met", "S2", 2 * H, 4 * H)
    assert row["stopped_at"] == bxl("2025-03-17 11:00")


def test_r7_resolved_before_any_reply_stops_the_response_clock(desk):
    desk.ticket(
        "A",
        bxl("2025-03-17 09:00"),
        "S3",
        (bxl("2025-03-17 12:00"), "resolved"),
        (bxl("2025-03-17 13:00"), "agent_reply"),
    )
    desk.run("2025-03")
    row = desk.sla("A", "response")
    assert brief(row) == ("met", "S3", 3 * H, 8 * H)
    assert row["stopped_at"] == bxl("2025-03-17 12:00")


def test_r7_customer_confirmed_before_any_reply_stops_the_response_clock(desk):
    desk.ticket("A", bxl("2025-03-17 09:00"), "S3", (bxl("2025-03-17 10:30"), "customer_confirmed"))
    desk.run("2025-03")
    assert desk.sla("A", "response")["stopped_at"] == bxl("2025-03-17 10:30")
    assert brief(desk.sla("A", "response")) == ("met", "S3", 5400, 8 * H)


def test_r7_response_clock_never_pauses(desk):
    # awaiting_customer pauses resolution only: the response clock runs 09:00 → 15:00 = 6 bh > 4.
    desk.ticket(
        "A",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 10:00"), "awaiting_customer"),
        (bxl("2025-03-17 15:00"), "agent_reply"),
    )
    desk.run("2025-03")
    row = desk.sla("A", "response")
    assert brief(row) == ("breached", "S2", 6 * H, 4 * H)
    assert row["breached_at"] == row["due_at"] == bxl("2025-03-17 13:00")


def test_r7_response_pending_until_the_first_agent_reply(desk):
    desk.ticket("A", bxl("2025-03-17 13:00"), "S3", (bxl("2025-03-17 13:05"), "auto_reply"))
    desk.run("2025-03", as_of=bxl("2025-03-17 15:00"))
    row = desk.sla("A", "response")
    assert brief(row) == ("pending", "S3", 2 * H, 8 * H)
    assert row["stopped_at"] is None
    assert row["due_at"] == bxl("2025-03-18 13:00")  # 4 bh Monday + 4 bh Tuesday
    assert row["clock_state"] == "running"


def test_r7_calendar_target_is_elapsed_real_time(desk):
    # Enterprise S1 response is 1 h 24/7: a Saturday night counts in full.
    desk.ticket("A", bxl("2025-03-15 23:30"), "S1", (bxl("2025-03-16 00:20"), "agent_reply"))
    desk.run("2025-03")
    row = desk.sla("A", "response")
    assert brief(row) == ("met", "S1", 50 * 60, H)
    assert row["business_time"] is False


# --- R8 resolution clock ----------------------------------------------------------------------------


def test_r8_awaiting_customer_pauses_and_customer_reply_resumes(desk):
    desk.ticket(
        "B",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 09:30"), "agent_reply"),
        (bxl("2025-03-17 10:00"), "awaiting_customer"),
        (bxl("2025-03-17 14:00"), "customer_reply"),
        (bxl("2025-03-17 15:00"), "resolved"),
        (bxl("2025-03-18 10:00"), "customer_confirmed"),
    )
    desk.run("2025-03")
    row = desk.sla("B", "resolution")
    assert brief(row) == ("met", "S2", 2 * H, 8 * H)  # [09:00, 10:00) + [14:00, 15:00)
    assert row["stopped_at"] == bxl("2025-03-18 10:00")
    assert row["due_at"] is None


def test_r8_thanks_after_resolved_does_not_resume(desk):
    desk.ticket(
        "B",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 11:00"), "resolved"),
        (bxl("2025-03-17 11:30"), "customer_reply"),
    )
    desk.run("2025-03", as_of=bxl("2025-03-18 17:00"))
    row = desk.sla("B", "resolution")
    # Resolved but never confirmed: not stopped (pending), paused since 11:00, no deadline.
    assert brief(row) == ("pending", "S2", 2 * H, 8 * H)
    assert row["clock_state"] == "paused"
    assert row["stopped_at"] is None and row["due_at"] is None


def test_r8_resolved_never_confirmed_does_not_stop_the_clock(desk):
    desk.ticket(
        "B", bxl("2025-03-17 09:00"), "S2", (bxl("2025-03-17 10:00"), "resolved"), (bxl("2025-03-17 11:00"), "reopened")
    )
    desk.run("2025-03", as_of=bxl("2025-03-17 16:00"))
    row = desk.sla("B", "resolution")
    assert brief(row) == ("pending", "S2", 6 * H, 8 * H)  # [09:00, 10:00) + [11:00, 16:00)
    assert row["due_at"] == bxl("2025-03-18 10:00")  # 2 bh left: 16:00–17:00, then Tue 09:00–10:00


def test_r8_reopen_after_confirmation_accumulates(desk):
    desk.ticket(
        "B",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 12:00"), "resolved"),
        (bxl("2025-03-17 13:00"), "customer_confirmed"),
        (bxl("2025-03-18 09:00"), "reopened"),
        (bxl("2025-03-18 15:00"), "customer_confirmed"),
    )
    desk.run("2025-03")
    row = desk.sla("B", "resolution")
    # 3 bh before the first confirmation + 6 bh after the reopen = 9 bh > 8: the 8th hour ran out at 14:00.
    assert brief(row) == ("breached", "S2", 9 * H, 8 * H)
    assert row["breached_at"] == row["due_at"] == bxl("2025-03-18 14:00")
    assert row["stopped_at"] == bxl("2025-03-18 15:00")


def test_r8_reopened_from_stopped_runs_until_as_of(desk):
    desk.ticket(
        "B",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 10:00"), "customer_confirmed"),
        (bxl("2025-03-17 15:00"), "reopened"),
    )
    desk.run("2025-03", as_of=bxl("2025-03-17 16:00"))
    row = desk.sla("B", "resolution")
    assert brief(row) == ("pending", "S2", 2 * H, 8 * H)
    assert row["clock_state"] == "running" and row["stopped_at"] is None
    assert row["due_at"] == bxl("2025-03-18 14:00")  # 6 bh left: 16:00–17:00, then Tue 09:00–14:00


def test_r8_customer_confirmed_from_awaiting_stops(desk):
    desk.ticket(
        "B",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 10:00"), "awaiting_customer"),
        (bxl("2025-03-17 16:00"), "customer_confirmed"),
    )
    desk.run("2025-03")
    row = desk.sla("B", "resolution")
    assert brief(row) == ("met", "S2", 1 * H, 8 * H)
    assert row["stopped_at"] == bxl("2025-03-17 16:00")


def test_r8_reopened_from_awaiting_runs_and_reply_while_running_does_nothing(desk):
    desk.ticket(
        "B",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 09:30"), "customer_reply"),
        (bxl("2025-03-17 10:00"), "awaiting_customer"),
        (bxl("2025-03-17 10:30"), "awaiting_customer"),
        (bxl("2025-03-17 11:00"), "reopened"),
        (bxl("2025-03-17 11:30"), "reopened"),
        (bxl("2025-03-17 12:00"), "customer_confirmed"),
    )
    desk.run("2025-03")
    assert brief(desk.sla("B", "resolution")) == ("met", "S2", 2 * H, 8 * H)


def test_r8_stopped_ignores_everything_but_reopened(desk):
    desk.ticket(
        "B",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 10:00"), "customer_confirmed"),
        (bxl("2025-03-17 11:00"), "customer_reply"),
        (bxl("2025-03-17 12:00"), "awaiting_customer"),
        (bxl("2025-03-17 13:00"), "resolved"),
        (bxl("2025-03-17 14:00"), "customer_confirmed"),
    )
    desk.run("2025-03")
    row = desk.sla("B", "resolution")
    assert brief(row) == ("met", "S2", 1 * H, 8 * H)
    assert row["stopped_at"] == bxl("2025-03-17 10:00")


def test_r8_resolved_from_awaiting_then_reply_stays_resolved(desk):
    desk.ticket(
        "B",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 10:00"), "awaiting_customer"),
        (bxl("2025-03-17 11:00"), "resolved"),
        (bxl("2025-03-17 12:00"), "customer_reply"),
        (bxl("2025-03-17 12:30"), "awaiting_customer"),
    )
    desk.run("2025-03", as_of=bxl("2025-03-17 17:00"))
    row = desk.sla("B", "resolution")
    assert brief(row) == ("pending", "S2", 1 * H, 8 * H)
    assert row["clock_state"] == "paused"


@pytest.mark.parametrize(("awaiting_id", "reply_id", "elapsed"), [(10, 11, 3 * H), (11, 10, 1 * H)])
def test_r8_ties_are_ordered_by_event_id(desk, awaiting_id, reply_id, elapsed):
    # Both at 10:00: awaiting then reply resumes (runs to 12:00); reply then awaiting stays paused.
    desk.ticket(
        "B",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 10:00"), "customer_reply", None, reply_id),
        (bxl("2025-03-17 10:00"), "awaiting_customer", None, awaiting_id),
    )
    desk.run("2025-03", as_of=bxl("2025-03-17 12:00"))
    assert desk.sla("B", "resolution")["elapsed_seconds"] == elapsed


def test_r8_calendar_resolution_counts_nights_and_weekends(desk):
    # Enterprise S1 resolution: 4 h 24/7. Awaiting the customer overnight does not count.
    desk.ticket(
        "B",
        bxl("2025-03-15 22:00"),
        "S1",
        (bxl("2025-03-15 22:10"), "agent_reply"),
        (bxl("2025-03-15 23:00"), "awaiting_customer"),
        (bxl("2025-03-16 08:00"), "customer_reply"),
        (bxl("2025-03-16 10:00"), "customer_confirmed"),
    )
    desk.run("2025-03")
    row = desk.sla("B", "resolution")
    assert brief(row) == ("met", "S1", 3 * H, 4 * H)
    assert row["business_time"] is False


# --- R10 status and due_at --------------------------------------------------------------------------


def test_r10_running_clock_past_its_target_is_breached_with_due_at(desk):
    desk.ticket("C", bxl("2025-03-17 09:00"), "S2")
    desk.run("2025-03", as_of=bxl("2025-03-17 15:00"))
    row = desk.sla("C", "response")
    assert brief(row) == ("breached", "S2", 6 * H, 4 * H)
    assert row["due_at"] == row["breached_at"] == bxl("2025-03-17 13:00")
    resolution = desk.sla("C", "resolution")
    assert brief(resolution) == ("pending", "S2", 6 * H, 8 * H)
    assert resolution["due_at"] == bxl("2025-03-17 17:00")
    assert resolution["breached_at"] is None


def test_r10_exactly_at_target_is_met(desk):
    desk.ticket("C", bxl("2025-03-17 09:00"), "S2", (bxl("2025-03-17 13:00"), "agent_reply"))
    desk.run("2025-03")
    row = desk.sla("C", "response")
    assert brief(row) == ("met", "S2", 4 * H, 4 * H)
    assert row["due_at"] == bxl("2025-03-17 13:00") and row["breached_at"] is None


def test_r10_one_second_over_target_is_breached(desk):
    desk.ticket("C", bxl("2025-03-17 09:00"), "S2", (datetime(2025, 3, 17, 12, 0, 1, tzinfo=UTC), "agent_reply"))
    desk.run("2025-03")
    row = desk.sla("C", "response")
    assert brief(row) == ("breached", "S2", 4 * H + 1, 4 * H)
    assert row["breached_at"] == bxl("2025-03-17 13:00")


def test_r10_growth_s4_and_enterprise_s4_resolution_have_no_target(desk):
    desk.ticket("G4", bxl("2025-03-17 09:00"), "S4", (bxl("2025-03-20 09:00"), "agent_reply"), plan="growth")
    desk.ticket("E4", bxl("2025-03-17 09:00"), "S4", (bxl("2025-03-17 10:00"), "agent_reply"))
    desk.run("2025-03", as_of=bxl("2025-03-21 09:00"))
    for ticket, clock in (("G4", "response"), ("G4", "resolution"), ("E4", "resolution")):
        row = desk.sla(ticket, clock)
        assert row["status"] == "no_target", (ticket, clock)
        assert row["target_seconds"] is None and row["due_at"] is None and row["breached_at"] is None
        assert row["business_time"] is False  # without a target, elapsed time is real time
    assert desk.sla("G4", "resolution")["elapsed_seconds"] == 4 * 24 * H
    assert brief(desk.sla("E4", "response")) == ("met", "S4", 1 * H, 24 * H)


def test_r10_paused_before_target_has_no_due_at_and_stays_pending(desk):
    desk.ticket(
        "C",
        bxl("2025-03-17 09:00"),
        "S3",
        (bxl("2025-03-17 09:10"), "agent_reply"),
        (bxl("2025-03-17 10:00"), "awaiting_customer"),
    )
    desk.run("2025-03", as_of=bxl("2025-03-21 17:00"))
    row = desk.sla("C", "resolution")
    assert brief(row) == ("pending", "S3", 1 * H, 40 * H)
    assert row["due_at"] is None


def test_r10_paused_after_target_keeps_due_at_and_is_breached(desk):
    desk.ticket("C", bxl("2025-03-17 09:00"), "S2", (bxl("2025-03-18 11:00"), "awaiting_customer"))
    desk.run("2025-03", as_of=bxl("2025-03-19 17:00"))
    row = desk.sla("C", "resolution")
    assert brief(row) == ("breached", "S2", 10 * H, 8 * H)
    assert row["clock_state"] == "paused"
    # The 8 bh were reached at Monday's closing (due_at: the earliest such instant); the target was
    # first exceeded when the desk reopened on Tuesday.
    assert row["due_at"] == bxl("2025-03-17 17:00")
    assert row["breached_at"] == bxl("2025-03-18 09:00")


def test_r10_target_reached_at_a_pause_is_exceeded_when_the_clock_resumes(desk):
    # Enterprise S1 resolution, 4 h calendar: running Sat 10:00–14:00 reaches 4 h exactly as the ticket
    # goes to awaiting_customer; the customer replies at 16:00 and the clock runs on to as-of (17:00).
    desk.ticket(
        "C",
        bxl("2025-03-15 10:00"),
        "S1",
        (bxl("2025-03-15 10:30"), "agent_reply"),
        (bxl("2025-03-15 14:00"), "awaiting_customer"),
        (bxl("2025-03-15 16:00"), "customer_reply"),
    )
    desk.run("2025-03", as_of=bxl("2025-03-15 17:00"))
    row = desk.sla("C", "resolution")
    assert brief(row) == ("breached", "S1", 5 * H, 4 * H)
    assert row["due_at"] == bxl("2025-03-15 14:00")
    assert row["breached_at"] == bxl("2025-03-15 16:00")


def test_r10_breach_instant_is_never_before_the_segment_began(desk):
    # S2 from Mon 09:00, raised to S1 at 12:50, lowered to S2 at 13:10, reply 13:30. S1 (20 min) is fine;
    # S2 counts from creation and passed 4 bh at 13:00 — while the ticket was S1 — so the breach
    # is dated when the S2 segment began.
    desk.ticket(
        "C",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 12:50"), "severity_changed", "S1"),
        (bxl("2025-03-17 13:10"), "severity_changed", "S2"),
        (bxl("2025-03-17 13:30"), "agent_reply"),
    )
    desk.run("2025-03")
    row = desk.sla("C", "response")
    assert brief(row) == ("breached", "S2", 4 * H + 1800, 4 * H)
    assert row["breached_at"] == bxl("2025-03-17 13:10")
    assert row["due_at"] == bxl("2025-03-17 13:00")


# --- R11 as-of --------------------------------------------------------------------------------------


def test_r11_events_after_as_of_are_ignored(desk):
    desk.ticket(
        "D",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 10:00"), "agent_reply"),
        (bxl("2025-03-17 12:00"), "customer_confirmed"),
    )
    desk.run("2025-03", as_of=bxl("2025-03-17 09:30"))
    row = desk.sla("D", "response")
    assert brief(row) == ("pending", "S2", 1800, 4 * H)
    assert row["stopped_at"] is None and row["as_of"] == bxl("2025-03-17 09:30")
    assert desk.sla("D", "resolution")["status"] == "pending"


def test_r11_event_exactly_at_as_of_counts(desk):
    desk.ticket("D", bxl("2025-03-17 09:00"), "S2", (bxl("2025-03-17 10:00"), "agent_reply"))
    desk.run("2025-03", as_of=bxl("2025-03-17 10:00"))
    assert desk.sla("D", "response")["status"] == "met"


def test_r11_default_as_of_is_the_newest_timestamp_of_the_whole_drop(desk):
    assert default_as_of(desk.con) is None
    desk.ticket("MAR", bxl("2025-03-17 09:00"), "S2", (bxl("2025-03-17 10:00"), "agent_reply"))
    desk.ticket("FEB", bxl("2025-02-17 09:00"), "S2", (bxl("2025-04-02 10:00"), "agent_reply"))
    assert default_as_of(desk.con) == bxl("2025-04-02 10:00")
    desk.ticket("APR", bxl("2025-04-03 09:00"), "S2")
    assert default_as_of(desk.con) == bxl("2025-04-03 09:00")
    assert default_as_of(desk.con).tzinfo is not None
    # The March run uses it: a March ticket without events is measured up to April 3rd.
    desk.ticket("OPEN", bxl("2025-03-31 16:00"), "S3")
    desk.run("2025-03")
    row = desk.sla("OPEN", "response")
    assert row["as_of"] == bxl("2025-04-03 09:00")
    assert brief(row) == ("breached", "S3", 1 * H + 2 * 8 * H, 8 * H)  # Mon 31 (CEST) 1 h, Apr 1 and 2


def test_r11_ticket_created_after_as_of_is_not_reported(desk):
    desk.ticket("EARLY", bxl("2025-03-17 09:00"), "S2")
    desk.ticket("LATE", bxl("2025-03-20 09:00"), "S2")
    desk.run("2025-03", as_of=bxl("2025-03-18 09:00"))
    ids = {r[0] for r in desk.con.execute("SELECT ticket_id FROM main.ticket_sla").fetchall()}
    assert ids == {"EARLY"}
