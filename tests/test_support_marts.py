"""The two support marts as analysts see them: month scope (R4), policy versions (R5) and
attainment (R12), asserted by value on real warehouses."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from fixtures.support import Desk, H, brief, bxl

from pipeline.policy import load_policy
from pipeline.settings import DEFAULT_POLICY_FILE
from pipeline.support import SUPPORT_MODELS


@pytest.fixture()
def desk(tmp_path):
    desk = Desk.open(tmp_path)
    yield desk
    desk.con.close()


def ticket_ids(desk, month):
    return sorted(
        r[0]
        for r in desk.con.execute("SELECT DISTINCT ticket_id FROM main.ticket_sla WHERE month = ?", [month]).fetchall()
    )


def test_r4_marts_hold_the_tickets_of_their_month_only(desk):
    desk.ticket("FEB", bxl("2025-02-28 16:00"), "S2", (bxl("2025-03-03 10:00"), "agent_reply"))
    desk.ticket("MAR", bxl("2025-03-03 09:00"), "S2", (bxl("2025-03-03 10:00"), "agent_reply"))
    # 00:30 in Brussels on April 1st is still March in UTC (R2: months are UTC).
    desk.ticket("MAR_UTC", bxl("2025-04-01 00:30"), "S2")
    desk.ticket("APR", bxl("2025-04-01 09:00"), "S2")
    counts = desk.run("2025-03")
    assert ticket_ids(desk, "2025-03") == ["MAR", "MAR_UTC"]
    assert counts["marts/ticket_sla"] == 4
    assert set(counts) >= {f"{m}" for m in SUPPORT_MODELS}
    desk.run("2025-02")
    assert ticket_ids(desk, "2025-02") == ["FEB"]
    assert ticket_ids(desk, "2025-03") == ["MAR", "MAR_UTC"]  # the February run left March alone
    # The February ticket's reply came in March: its clock still reads it (events of later months count).
    assert brief(desk.sla("FEB", "response")) == ("met", "S2", 2 * H, 4 * H)
    # Rerunning March with an earlier as-of replaces March only.
    desk.run("2025-03", as_of=bxl("2025-03-03 09:30"))
    assert ticket_ids(desk, "2025-03") == ["MAR"]
    assert ticket_ids(desk, "2025-02") == ["FEB"]


def test_r4_plan_at_creation_decides_the_targets(desk):
    # Same S1 ticket, answered after 2 business hours: enterprise 1 h calendar vs growth 4 bh.
    for ticket, plan in (("ENT", "enterprise"), ("GRO", "growth")):
        desk.ticket(ticket, bxl("2025-03-17 09:00"), "S1", (bxl("2025-03-17 11:00"), "agent_reply"), plan=plan)
    desk.run("2025-03")
    enterprise, growth = desk.sla("ENT", "response"), desk.sla("GRO", "response")
    assert (enterprise["plan"], brief(enterprise), enterprise["business_time"]) == (
        "enterprise",
        ("breached", "S1", 2 * H, 1 * H),
        False,
    )
    assert (growth["plan"], brief(growth), growth["business_time"]) == ("growth", ("met", "S1", 2 * H, 4 * H), True)
    growth_resolution = desk.sla("GRO", "resolution")  # growth has no resolution target, still running
    assert (growth_resolution["status"], growth_resolution["target_seconds"]) == ("no_target", None)


def test_r5_a_month_is_computed_with_the_policy_version_in_force(tmp_path, desk):
    raw = yaml.safe_load(DEFAULT_POLICY_FILE.read_text())
    newer = yaml.safe_load(yaml.safe_dump(raw["versions"][0]))
    newer["effective_from"] = "2025-04"
    newer["support"]["targets"]["enterprise"]["S2"]["response"] = {"business_hours": 2}
    raw["versions"].append(newer)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw))
    policy = load_policy(path)
    desk.ticket("MAR", bxl("2025-03-17 09:00"), "S2", (bxl("2025-03-17 12:00"), "agent_reply"))
    desk.ticket("APR", bxl("2025-04-14 09:00"), "S2", (bxl("2025-04-14 12:00"), "agent_reply"))
    desk.run("2025-03", version=policy.version_for("2025-03"))
    desk.run("2025-04", version=policy.version_for("2025-04"))
    march, april = desk.sla("MAR", "response"), desk.sla("APR", "response")
    assert (brief(march), march["policy_version"]) == (("met", "S2", 3 * H, 4 * H), "2024-01")
    assert (brief(april), april["policy_version"]) == (("breached", "S2", 3 * H, 2 * H), "2025-04")
    # Rerunning March after the policy changed reproduces March.
    desk.run("2025-03", version=policy.version_for("2025-03"))
    assert desk.sla("MAR", "response") == march


def test_r12_attainment_is_met_over_decided_with_pending_apart(desk):
    for ticket, reply in (("M1", "10:00"), ("M2", "12:00"), ("B1", "15:00")):
        desk.ticket(ticket, bxl("2025-03-17 09:00"), "S2", (bxl(f"2025-03-17 {reply}"), "agent_reply"))
    desk.ticket("P1", bxl("2025-03-17 15:30"), "S2")
    desk.ticket("P2", bxl("2025-03-17 15:30"), "S3")
    desk.run("2025-03", as_of=bxl("2025-03-17 16:00"))
    rows = {(r["severity"], r["clock"]): r for r in desk.attainment("2025-03")}
    s2 = rows[("S2", "response")]
    assert (s2["met"], s2["breached"], s2["pending"]) == (2, 1, 1)
    assert s2["attainment"] == Decimal("0.666666")  # truncated, never rounded up
    s3 = rows[("S3", "response")]
    assert (s3["met"], s3["breached"], s3["pending"], s3["attainment"]) == (0, 0, 1, None)
    resolution = rows[("S2", "resolution")]  # nothing confirmed, 7 bh < 8: all pending, no attainment
    assert (resolution["met"], resolution["breached"], resolution["pending"], resolution["attainment"]) == (
        0,
        0,
        4,
        None,
    )


def test_r12_no_decided_ticket_means_null_never_100_percent(desk):
    desk.ticket("P", bxl("2025-03-17 09:00"), "S3")
    desk.ticket("N", bxl("2025-03-17 09:00"), "S4", plan="growth")
    desk.run("2025-03", as_of=bxl("2025-03-17 10:00"))
    for row in desk.attainment("2025-03"):
        assert row["attainment"] is None, row
    growth = [r for r in desk.attainment("2025-03") if r["plan"] == "growth"]
    assert {(r["clock"], r["no_target"]) for r in growth} == {("response", 1), ("resolution", 1)}


def test_r12_all_met_is_exactly_one(desk):
    desk.ticket("M", bxl("2025-03-17 09:00"), "S2", (bxl("2025-03-17 10:00"), "agent_reply"))
    desk.run("2025-03")
    row = next(r for r in desk.attainment("2025-03") if r["clock"] == "response")
    assert row["attainment"] == Decimal("1.000000")


def test_r12_customer_changing_plan_mid_month_gets_a_row_per_plan(desk):
    desk.ticket(
        "G",
        bxl("2025-03-03 09:00"),
        "S2",
        (bxl("2025-03-03 10:00"), "agent_reply"),
        plan="growth",
        customer_id="switcher",
    )
    desk.ticket(
        "E",
        bxl("2025-03-24 09:00"),
        "S2",
        (bxl("2025-03-24 15:00"), "agent_reply"),
        plan="enterprise",
        customer_id="switcher",
    )
    desk.run("2025-03")
    rows = [
        (r["plan"], r["severity"], r["met"], r["breached"], r["attainment"])
        for r in desk.attainment("2025-03")
        if r["clock"] == "response"
    ]
    assert rows == [("enterprise", "S2", 0, 1, Decimal(0)), ("growth", "S2", 1, 0, Decimal(1))]


def test_r4_month_without_tickets_builds_empty_marts(desk):
    desk.ticket("OTHER", bxl("2025-02-03 09:00"), "S2")
    counts = desk.run("2025-03", as_of=bxl("2025-03-31 12:00"))
    assert counts["marts/ticket_sla"] == 0 and counts["marts/support_attainment"] == 0
    assert desk.con.execute("SELECT count(*) FROM main.ticket_sla WHERE month = '2025-03'").fetchone()[0] == 0


def test_r6_rerun_of_an_old_month_with_a_far_as_of_still_has_a_calendar(desk):
    # A 2024 ticket still open when a 2026 drop is run: its calendar must reach from 2024 to past as-of.
    desk.ticket("OLD", bxl("2024-01-15 09:00"), "S3")
    desk.run("2024-01", as_of=bxl("2026-06-01 12:00"))
    response = desk.sla("OLD", "response")
    assert brief(response) == ("breached", "S3", response["elapsed_seconds"], 8 * H)
    assert response["due_at"] == bxl("2024-01-15 17:00")
    assert response["breached_at"] == bxl("2024-01-16 09:00")
