"""The designed ticket cases of the sample drop (data/sample/README.md, "Tickets: designed cases"),
asserted by value after real ingestion (`pipeline.ingest`) and the support engine, for the months the
cases belong to. A change in either that moves a designed outcome fails here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.ingest.as_of import default_as_of
from pipeline.ingest.validate import ingest_csv_inputs
from pipeline.months import RunParams
from pipeline.policy import load_policy
from pipeline.settings import DEFAULT_POLICY_FILE, PROJECT_ROOT
from pipeline.support import build_support
from pipeline.warehouse import connect

SAMPLE = PROJECT_ROOT / "data" / "sample"
MONTHS = ("2026-09", "2026-10", "2026-11")


def z(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("sample") / "warehouse.duckdb")
    started = datetime.now(UTC)
    ingest_csv_inputs(con, SAMPLE, RunParams("2026-10", started, started))
    as_of = default_as_of(con)
    policy = load_policy(DEFAULT_POLICY_FILE)
    for month in MONTHS:
        build_support(con, RunParams(month, as_of, started), policy.version_for(month))
    yield con
    con.close()


def sla(con, ticket_id):
    cur = con.execute("SELECT * FROM main.ticket_sla WHERE ticket_id = ? ORDER BY clock DESC", [ticket_id])
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    assert [r["clock"] for r in rows] == ["response", "resolution"], ticket_id
    return rows


# ticket: (month, plan, response (status, severity, elapsed, target), resolution (...))
DESIGNED = {
    "T-R9-1": ("2026-10", "enterprise", ("met", "S2", 14400, 14400), ("met", "S2", 25200, 28800)),
    "T-R9-2": ("2026-10", "enterprise", ("breached", "S2", 3600, 14400), ("met", "S2", 21600, 28800)),
    "T-R9-3": ("2026-10", "enterprise", ("met", "S2", 3600, 14400), ("met", "S2", 10800, 28800)),
    "T-R9-4": ("2026-10", "enterprise", ("met", "S2", 1800, 14400), ("met", "S2", 3600, 28800)),
    "T-DST-1": ("2026-10", "enterprise", ("met", "S2", 14400, 14400), ("met", "S2", 25200, 28800)),
    "T-DST-2": ("2026-10", "enterprise", ("met", "S2", 12600, 14400), ("met", "S2", 25200, 28800)),
    "T-DST-3": ("2026-10", "enterprise", ("met", "S1", 3000, 3600), ("met", "S1", 9000, 14400)),
    "T-DST-4": ("2026-10", "enterprise", ("breached", "S2", 18000, 14400), ("met", "S2", 25200, 28800)),
    "T-AUTO-1": ("2026-10", "enterprise", ("breached", "S1", 5400, 3600), ("met", "S1", 10800, 14400)),
    "T-AUTO-2": ("2026-10", "enterprise", ("met", "S3", 14400, 28800), ("met", "S3", 14400, 144000)),
    "T-PAUSE-1": ("2026-10", "enterprise", ("met", "S2", 1800, 14400), ("met", "S2", 12600, 28800)),
    "T-REOPEN-1": ("2026-10", "enterprise", ("met", "S3", 7200, 28800), ("met", "S3", 72000, 144000)),
    "T-UNCONF-1": ("2026-10", "enterprise", ("met", "S2", 3600, 14400), ("pending", "S2", 14400, 28800)),
    "T-LOWER-1": ("2026-10", "enterprise", ("breached", "S4", 25200, 86400), ("no_target", "S4", None, None)),
    "T-SAMESEV-1": ("2026-10", "enterprise", ("breached", "S3", 32400, 28800), ("met", "S3", 72000, 144000)),
    "T-TIE-1": ("2026-10", "enterprise", ("met", "S1", 0, 3600), ("met", "S1", 10800, 14400)),
    "T-BACKFILL-1": ("2026-10", "enterprise", ("met", "S3", 3600, 28800), ("met", "S3", 28800, 144000)),
    "T-SEPT-1": ("2026-09", "enterprise", ("met", "S3", 3600, 28800), ("met", "S3", 46800, 144000)),
    "T-HOL-1": ("2026-10", "enterprise", ("met", "S3", 1800, 28800), ("met", "S3", 120600, 144000)),
    "T-HOL-2": ("2026-11", "enterprise", ("met", "S2", 12600, 14400), ("met", "S2", 25200, 28800)),
    "T-GROWTH-1": ("2026-10", "growth", ("breached", "S1", 18000, 14400), ("no_target", "S1", None, None)),
    "T-PLAN-0": ("2026-10", "growth", ("met", "S2", 7200, 28800), ("no_target", "S2", None, None)),
    "T-PLAN-B": ("2026-10", "growth", ("met", "S3", 18000, 86400), ("no_target", "S3", None, None)),
    "T-PLAN-1": ("2026-10", "enterprise", ("met", "S2", 10800, 14400), ("met", "S2", 25200, 28800)),
    "T-S4-1": ("2026-10", "growth", ("no_target", "S4", None, None), ("no_target", "S4", None, None)),
    "T-UMB-1": ("2026-10", "enterprise", ("met", "S1", 2400, 3600), ("met", "S1", 6600, 14400)),
    "T-EVCONFLICT-1": ("2026-10", "growth", ("met", "S3", 28800, 86400), ("no_target", "S3", None, None)),
    "T-EARLY-1": ("2026-10", "growth", ("met", "S2", 14400, 28800), ("no_target", "S2", None, None)),
    "T-BADSEV-1": ("2026-10", "enterprise", ("met", "S3", 18000, 28800), ("breached", "S3", 504000, 144000)),
    "T-MULTILINE-1": ("2026-10", "enterprise", ("met", "S4", 13500, 86400), ("no_target", "S4", None, None)),
    "T-QUOTE-SUBJ": ("2026-10", "enterprise", ("met", "S4", 3600, 86400), ("no_target", "S4", None, None)),
    "T-VAND-SEP": ("2026-09", "growth", ("met", "S3", 7200, 86400), ("no_target", "S3", None, None)),
}

BREACHED_AT = {
    ("T-R9-2", "response"): "2026-10-10T09:00:00Z",
    ("T-DST-4", "response"): "2026-10-26T12:00:00Z",
    ("T-AUTO-1", "response"): "2026-10-01T21:00:00Z",
    ("T-LOWER-1", "response"): "2026-10-15T11:00:00Z",
    ("T-SAMESEV-1", "response"): "2026-10-13T08:00:00Z",
    ("T-GROWTH-1", "response"): "2026-10-14T08:00:00Z",
    ("T-BADSEV-1", "resolution"): "2026-10-27T13:00:00Z",
}


def test_r11_sample_as_of_is_the_documented_instant(con):
    assert default_as_of(con) == z("2026-11-16T09:00:00Z")  # the 2099 rows were rejected upstream
    assert {r[0] for r in con.execute("SELECT DISTINCT as_of FROM main.ticket_sla").fetchall()} == {
        z("2026-11-16T09:00:00Z")
    }


@pytest.mark.parametrize("ticket_id", sorted(DESIGNED))
def test_r7_to_r10_sample_designed_ticket(con, ticket_id):
    month, plan, response, resolution = DESIGNED[ticket_id]
    rows = sla(con, ticket_id)
    for row, (status, severity, elapsed, target) in zip(rows, (response, resolution)):
        assert (row["month"], row["plan"]) == (month, plan)
        got = (row["status"], row["severity"], row["elapsed_seconds"], row["target_seconds"])
        if status == "no_target":  # the designed table leaves the elapsed time of best-effort clocks open
            got = got[:2] + (None, row["target_seconds"])
        assert got == (status, severity, elapsed, target), row["clock"]
        expected_breach = BREACHED_AT.get((ticket_id, row["clock"]))
        assert row["breached_at"] == (None if expected_breach is None else z(expected_breach)), row["clock"]


def test_r10_sample_due_at_semantics(con):
    # Met exactly at the target: due_at is the reply. Breached: when the target was reached.
    # Stopped or paused before the target (T-UNCONF-1 resolved, never confirmed): no due_at.
    rows = con.execute("SELECT ticket_id, clock, due_at FROM main.ticket_sla").fetchall()
    due = {(ticket, clock): due_at for ticket, clock, due_at in rows}
    assert due[("T-R9-1", "response")] == z("2026-10-07T13:00:00Z")
    assert due[("T-DST-1", "response")] == z("2026-10-26T11:00:00Z")
    assert due[("T-DST-4", "response")] == z("2026-10-26T12:00:00Z")
    assert due[("T-BADSEV-1", "resolution")] == z("2026-10-27T13:00:00Z")
    assert due[("T-UNCONF-1", "resolution")] is None
    assert due[("T-R9-2", "response")] is None
    assert due[("T-LOWER-1", "resolution")] is None


def test_r4_sample_rejected_tickets_and_duplicates(con):
    ids = [r[0] for r in con.execute("SELECT ticket_id FROM main.ticket_sla WHERE clock = 'response'").fetchall()]
    assert "T-VAND-OCT" not in ids and "T-NOCONTRACT-1" not in ids and "T-CONFLICT-1" not in ids
    assert ids.count("T-DUP-1") == 1
    months = dict(
        con.execute("SELECT month, count(*) FROM main.ticket_sla WHERE clock = 'response' GROUP BY 1").fetchall()
    )
    assert months == {"2026-09": 5, "2026-10": 145, "2026-11": 1}


def test_r12_sample_attainment_counts_every_clock_once_and_hooli_has_a_row_per_plan(con):
    by_status = dict(
        con.execute("SELECT status, count(*) FROM main.ticket_sla WHERE month = '2026-10' GROUP BY 1").fetchall()
    )
    sums = con.execute(
        "SELECT sum(met), sum(breached), sum(pending), sum(no_target) FROM main.support_attainment"
        " WHERE month = '2026-10'"
    ).fetchone()
    assert sums == (by_status["met"], by_status["breached"], by_status["pending"], by_status["no_target"])
    hooli = con.execute(
        "SELECT DISTINCT plan FROM main.support_attainment WHERE customer_id = 'hooli' AND month = '2026-10'"
        " ORDER BY plan"
    ).fetchall()
    assert hooli == [("enterprise",), ("growth",)]
    # Nothing decided → NULL, never 1: every NULL row has met + breached = 0, every other row has a value.
    assert (
        con.execute(
            "SELECT count(*) FROM main.support_attainment WHERE (attainment IS NULL) <> (met + breached = 0)"
        ).fetchone()[0]
        == 0
    )
