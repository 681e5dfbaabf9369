"""R9 severity segments: the four worked examples of the rules, and what a segment is."""

from __future__ import annotations

import pytest
from fixtures.support import Desk, H, brief, bxl


@pytest.fixture()
def desk(tmp_path):
    desk = Desk.open(tmp_path)
    yield desk
    desk.con.close()


def test_r9_example_raise_starts_stricter_target_when_raised(desk):
    # S4 at Wed 10:00, raised to S2 at 11:00, reply at 15:00: S4 1 bh ≤ 24; S2 from 11:00: 4 bh ≤ 4.
    desk.ticket(
        "T1",
        bxl("2025-03-12 10:00"),
        "S4",
        (bxl("2025-03-12 11:00"), "severity_changed", "S2"),
        (bxl("2025-03-12 15:00"), "agent_reply"),
    )
    desk.run("2025-03")
    row = desk.sla("T1", "response")
    assert brief(row) == ("met", "S2", 4 * H, 4 * H)
    assert row["business_time"] is True
    assert row["started_at"] == bxl("2025-03-12 10:00")
    assert row["stopped_at"] == bxl("2025-03-12 15:00")
    assert row["due_at"] == bxl("2025-03-12 15:00")  # reached exactly at the reply: met, not breached
    assert row["breached_at"] is None
    assert row["segments"] == 2


def test_r9_downgrade_never_erases_breach(desk):
    # S1 at Sat 10:00, lowered to S2 at Sat 12:00, reply Mon 10:00: the S1 segment ends with 2 h > 1 h.
    desk.ticket(
        "T2",
        bxl("2025-03-15 10:00"),
        "S1",
        (bxl("2025-03-15 12:00"), "severity_changed", "S2"),
        (bxl("2025-03-17 10:00"), "agent_reply"),
    )
    desk.run("2025-03")
    row = desk.sla("T2", "response")
    assert brief(row) == ("breached", "S2", 1 * H, 4 * H)  # reported: the last (S2) segment, 1 bh
    assert row["breached_at"] == bxl("2025-03-15 11:00")
    assert row["due_at"] is None  # the S2 clock stopped before reaching its target


def test_r9_early_downgrade_counts_lower_severity_from_creation(desk):
    # S1 at Sat 10:00, lowered to S2 at 10:30, reply Mon 10:00: S1 0.5 h ≤ 1; S2 from creation 1 bh ≤ 4.
    desk.ticket(
        "T3",
        bxl("2025-03-15 10:00"),
        "S1",
        (bxl("2025-03-15 10:30"), "severity_changed", "S2"),
        (bxl("2025-03-17 10:00"), "agent_reply"),
    )
    desk.run("2025-03")
    row = desk.sla("T3", "response")
    assert brief(row) == ("met", "S2", 1 * H, 4 * H)
    assert row["breached_at"] is None and row["due_at"] is None


def test_r9_continuously_at_or_above_counts_from_the_raise(desk):
    # S3 Mon 09:00, raised to S1 at 14:00, lowered to S2 at 14:15, reply 14:30: S3 5 bh ≤ 8;
    # S1 0.25 h ≤ 1; S2 counted from 14:00 (at S2 or above since then): 0.5 bh ≤ 4.
    desk.ticket(
        "T4",
        bxl("2025-03-17 09:00"),
        "S3",
        (bxl("2025-03-17 14:00"), "severity_changed", "S1"),
        (bxl("2025-03-17 14:15"), "severity_changed", "S2"),
        (bxl("2025-03-17 14:30"), "agent_reply"),
    )
    desk.run("2025-03")
    row = desk.sla("T4", "response")
    assert brief(row) == ("met", "S2", 1800, 4 * H)
    assert row["segments"] == 3


def test_r9_change_to_same_severity_starts_no_segment(desk):
    # Without a new segment the S2 clock keeps counting from creation: 09:00 → 14:00 = 5 bh > 4.
    desk.ticket(
        "T5",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 12:00"), "severity_changed", "S2"),
        (bxl("2025-03-17 14:00"), "agent_reply"),
    )
    desk.run("2025-03")
    row = desk.sla("T5", "response")
    assert brief(row) == ("breached", "S2", 5 * H, 4 * H)
    assert row["segments"] == 1
    assert row["breached_at"] == bxl("2025-03-17 13:00")


def test_r9_severity_change_after_the_stop_does_not_concern_the_clock(desk):
    desk.ticket(
        "T6",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 10:00"), "agent_reply"),
        (bxl("2025-03-17 11:00"), "severity_changed", "S1"),
    )
    desk.run("2025-03", as_of=bxl("2025-03-17 12:00"))
    response = desk.sla("T6", "response")
    assert brief(response) == ("met", "S2", 1 * H, 4 * H)
    # The resolution clock is still running: its S1 segment started at 11:00 (calendar, 4 h).
    resolution = desk.sla("T6", "resolution")
    assert brief(resolution) == ("pending", "S1", 1 * H, 4 * H)
    assert resolution["business_time"] is False
    assert resolution["due_at"] == bxl("2025-03-17 15:00")


def test_r9_raised_segment_breach_survives_a_later_downgrade_to_no_target(desk):
    # Resolution clock: S2 (8 bh) from Mon 09:00; still open Tue 10:00 (9 bh) when lowered to S4, which
    # has no resolution target: the S2 breach stands (R10: breached even when the last has no target).
    desk.ticket(
        "T7",
        bxl("2025-03-17 09:00"),
        "S2",
        (bxl("2025-03-17 09:30"), "agent_reply"),
        (bxl("2025-03-18 10:00"), "severity_changed", "S4"),
        (bxl("2025-03-18 11:00"), "customer_confirmed"),
    )
    desk.run("2025-03")
    row = desk.sla("T7", "resolution")
    assert row["status"] == "breached"
    assert row["severity"] == "S4" and row["target_seconds"] is None
    # 8 bh were reached at Monday 17:00 and exceeded from Tuesday's opening.
    assert row["breached_at"] == bxl("2025-03-18 09:00")
    assert row["due_at"] is None
