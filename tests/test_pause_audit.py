"""Pause audit (issue 13 part 5): the three kinds of suspicious pause, by value on designed tickets.

Resolution clocks run in the policy's Brussels schedule (09:00–17:00 on weekdays) for business
targets; S1 resolution is 4 calendar hours, S2 one business day (8 bh). March 2025: Brussels is UTC+1.
Thresholds (policy `pause_audit`): 30 min after a customer reply, 60 min before the deadline, 3 pauses.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from fixtures.support import Desk, bxl

from pipeline.policy import PauseAuditRule, load_policy
from pipeline.settings import DEFAULT_POLICY_FILE
from pipeline.warehouse.sqlchecks import run_check

MONTH = "2025-03"


@pytest.fixture()
def desk(tmp_path):
    desk = Desk.open(tmp_path)
    yield desk
    desk.con.close()


def audit(desk: Desk) -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {}
    for r in desk.con.execute(
        "SELECT ticket_id, remaining_seconds, seconds_since_customer_reply, pause_cycles, after_customer_reply,"
        " near_deadline, many_cycles, reasons FROM main.ticket_pause_audit WHERE month = ? ORDER BY paused_at",
        [MONTH],
    ).fetchall():
        rows.setdefault(r[0], []).append(r[1:])
    return rows


def test_a_pause_twenty_minutes_after_the_customer_replied_is_flagged(desk):
    desk.ticket("REPLY-20", bxl("2025-03-04 09:00"), "S1",
                (bxl("2025-03-04 09:40"), "customer_reply"), (bxl("2025-03-04 10:00"), "awaiting_customer"))
    desk.ticket("REPLY-45", bxl("2025-03-04 09:00"), "S1",
                (bxl("2025-03-04 09:15"), "customer_reply"), (bxl("2025-03-04 10:00"), "awaiting_customer"))
    desk.run(MONTH)
    # 1 h of the 4 h S1 target ran before the pause: 3 h left, far from the deadline
    assert audit(desk) == {
        "REPLY-20": [(3 * 3600, 20 * 60, 1, True, False, False, "paused 20 min after the customer replied")],
        "REPLY-45": [(3 * 3600, 45 * 60, 1, False, False, False, "")],
    }


def test_pauses_near_the_deadline_in_calendar_and_business_time(desk):
    created = bxl("2025-03-04 09:00")  # S1: due 13:00 local
    desk.ticket("CAL-30", created, "S1", (bxl("2025-03-04 12:30"), "awaiting_customer"))
    desk.ticket("CAL-60", created, "S1", (bxl("2025-03-04 12:00"), "awaiting_customer"))
    desk.ticket("CAL-61", created, "S1", (bxl("2025-03-04 11:59"), "awaiting_customer"))
    desk.ticket("CAL-LATE", created, "S1", (bxl("2025-03-04 13:30"), "awaiting_customer"))
    # S2, 8 bh: created Monday 09:00, paused 16:30 after 7.5 bh → 30 business minutes left
    desk.ticket("BH-30", bxl("2025-03-03 09:00"), "S2", (bxl("2025-03-03 16:30"), "awaiting_customer"))
    desk.run(MONTH)
    rows = audit(desk)
    assert rows["CAL-30"] == [
        (1800, None, 1, False, True, False, "paused with 30 min left on the S1 resolution target")
    ]
    assert rows["CAL-60"][0][:5] == (3600, None, 1, False, True)  # at most N minutes: 60 is inside
    assert rows["CAL-61"][0][:5] == (3660, None, 1, False, False)
    # already over its target: the pause saves nothing, so it is not "near" the deadline
    assert rows["CAL-LATE"][0][:5] == (-1800, None, 1, False, False)
    assert rows["BH-30"] == [
        (1800, None, 1, False, True, False, "paused with 30 min (business time) left on the S2 resolution target")
    ]


def test_three_pause_cycles_flag_every_pause_of_the_ticket_and_a_repeated_pause_is_not_a_new_one(desk):
    desk.ticket(
        "CYCLES", bxl("2025-03-05 09:00"), "S3",
        (bxl("2025-03-05 10:00"), "awaiting_customer"),
        (bxl("2025-03-05 10:30"), "awaiting_customer"),  # already awaiting: no new pause (R8 "—")
        (bxl("2025-03-05 11:00"), "customer_reply"),
        (bxl("2025-03-05 12:00"), "awaiting_customer"),  # 60 min after the reply: not "after a reply"
        (bxl("2025-03-05 13:00"), "customer_reply"),
        (bxl("2025-03-05 14:00"), "awaiting_customer"),
    )
    desk.ticket("TWICE", bxl("2025-03-05 09:00"), "S3",
                (bxl("2025-03-05 10:00"), "awaiting_customer"), (bxl("2025-03-05 11:00"), "customer_reply"),
                (bxl("2025-03-05 12:00"), "awaiting_customer"))
    desk.run(MONTH)
    rows = audit(desk)
    assert [(r[2], r[5], r[6]) for r in rows["CYCLES"]] == [(3, True, "ticket paused 3 times")] * 3
    assert [(r[2], r[5]) for r in rows["TWICE"]] == [(2, False), (2, False)]


def test_thresholds_come_from_the_policy_and_the_warn_check_lists_flagged_pauses(desk):
    desk.ticket("REPLY-45", bxl("2025-03-04 09:00"), "S1",
                (bxl("2025-03-04 09:15"), "customer_reply"), (bxl("2025-03-04 10:00"), "awaiting_customer"))
    desk.ticket("QUIET", bxl("2025-03-04 09:00"), "S3", (bxl("2025-03-04 10:00"), "awaiting_customer"))
    desk.run(MONTH)
    assert run_check(desk.con, "suspicious_pauses", {"month": MONTH}).rows == []
    version = load_policy(DEFAULT_POLICY_FILE).version_for(MONTH)
    wider = replace(version, pause_audit=PauseAuditRule(customer_reply_within_minutes=45))
    desk.run(MONTH, version=wider)
    outcome = run_check(desk.con, "suspicious_pauses", {"month": MONTH})
    assert not outcome.passed
    assert [(r[0], r[-1]) for r in outcome.rows] == [("REPLY-45", "paused 45 min after the customer replied")]


def test_the_audit_is_internal_no_statement_query_reads_it():
    from pipeline.statements.queries import statement_inputs

    assert "ticket_pause_audit" not in statement_inputs()
