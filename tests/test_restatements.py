"""Restatements that mean something (issue 9, R21): a new version only when a figure changes, and the
new version says what it supersedes, when that was produced and what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fixtures.statements import ACME, AS_OF, ENTERPRISE, MONTH

from pipeline.statements import render_month
from pipeline.statements.inspect import pdf_text, statement_json_of
from pipeline.statements.month import NEW, RESTATED, UNCHANGED
from pipeline.statements.restatement import describe_changes, figures_digest

FIRST_RUN = datetime(2025, 4, 5, 6, 0, tzinfo=UTC)
SECOND_RUN = datetime(2025, 4, 9, 6, 0, tzinfo=UTC)


def _render(con, out: Path, policy, *, as_of=AS_OF, produced_at=FIRST_RUN):
    records = render_month(con, MONTH, out, as_of=as_of, workers=1, credit_scheme=policy.credits, produced_at=produced_at)
    return {r.customer_id: r for r in records}


@pytest.fixture
def rendered(statement_month, statement_con, tmp_path):
    out = tmp_path / "out"
    first = _render(statement_con, out, statement_month.policy)
    return statement_con, out, first


def test_r21_same_figures_keep_the_current_file_byte_for_byte(rendered, statement_month):
    con, out, first = rendered
    before = {c: (out / MONTH / f"{c}.pdf").read_bytes() for c in ENTERPRISE}
    # A later run (another produced-at) on the same figures: nothing is restated.
    again = _render(con, out, statement_month.policy, produced_at=SECOND_RUN)
    assert {c: r.status for c, r in again.items()} == dict.fromkeys(ENTERPRISE, UNCHANGED)
    assert {c: (out / MONTH / f"{c}.pdf").read_bytes() for c in ENTERPRISE} == before
    assert {c: (r.version, r.statement_id, r.sha256) for c, r in again.items()} == {
        c: (1, first[c].statement_id, first[c].sha256) for c in ENTERPRISE
    }
    assert not list((out / MONTH).glob("*.v*.pdf"))
    assert con.execute("SELECT count(*), min(produced_at) FROM statements").fetchone() == (len(ENTERPRISE), FIRST_RUN)


def test_r21_a_later_as_of_that_moves_no_figure_makes_no_new_version(rendered, statement_month):
    con, out, first = rendered
    later = AS_OF + timedelta(seconds=1)
    again = _render(con, out, statement_month.policy, as_of=later, produced_at=SECOND_RUN)
    # No clock of the designed month is still running at as-of: one second later moves no figure.
    assert {c: (r.status, r.version, r.sha256) for c, r in again.items()} == {
        c: (UNCHANGED, 1, first[c].sha256) for c in ENTERPRISE
    }
    for customer_id in ENTERPRISE:
        # the kept file still says the as-of it was produced with, and so does its row
        assert statement_json_of(out / MONTH / f"{customer_id}.pdf")["as_of"] == "2025-04-02T08:00:00Z"
    assert con.execute("SELECT DISTINCT as_of FROM statements").fetchall() == [(AS_OF,)]


def test_r21_a_changed_credit_is_a_new_version_that_says_what_it_replaces(rendered, statement_month):
    con, out, first = rendered
    old_bytes = (out / MONTH / f"{ACME}.pdf").read_bytes()
    con.execute("UPDATE main.credits SET credit_amount = 60.0000 WHERE customer_id = ?", [ACME])
    again = _render(con, out, statement_month.policy, produced_at=SECOND_RUN)
    acme = again[ACME]
    assert (acme.status, acme.version, acme.supersedes) == (RESTATED, 2, 1)
    assert acme.supersedes_statement_id == first[ACME].statement_id
    assert acme.restatement_reason == "credit 50.00 → 60.00 EUR"
    assert {c: r.status for c, r in again.items() if c != ACME} == dict.fromkeys(set(ENTERPRISE) - {ACME}, UNCHANGED)
    # The old version is kept byte for byte beside the new one.
    assert (out / MONTH / f"{ACME}.v1.pdf").read_bytes() == old_bytes
    text = " ".join(pdf_text(out / MONTH / f"{ACME}.pdf").split())
    assert (
        f"This statement replaces statement {first[ACME].statement_id} (version 1, produced 2025-04-05 06:00 UTC)"
        in text
    )
    assert "What changed: credit 50.00 → 60.00 EUR." in text
    restates = statement_json_of(out / MONTH / f"{ACME}.pdf")["restates"]
    assert restates == {
        "statement_id": first[ACME].statement_id,
        "version": 1,
        "produced_at": "2025-04-05T06:00:00Z",
        "changes": "credit 50.00 → 60.00 EUR",
    }
    rows = con.execute(
        "SELECT version, is_current, supersedes, supersedes_statement_id, restatement_reason, produced_at, path"
        " FROM statements WHERE customer_id = ? ORDER BY version",
        [ACME],
    ).fetchall()
    assert [(v, c, s, sid, why, at, Path(p).name) for v, c, s, sid, why, at, p in rows] == [
        (1, False, None, None, None, FIRST_RUN, f"{ACME}.v1.pdf"),
        (2, True, 1, first[ACME].statement_id, "credit 50.00 → 60.00 EUR", SECOND_RUN, f"{ACME}.pdf"),
    ]
    # Rerunning on the restated figures keeps version 2 as it is.
    third = _render(con, out, statement_month.policy, produced_at=SECOND_RUN + timedelta(days=1))
    assert (third[ACME].status, third[ACME].version) == (UNCHANGED, 2)


def test_r21_a_first_version_says_nothing_about_restatement(rendered):
    con, out, first = rendered
    assert {r.status for r in first.values()} == {NEW}
    assert "restates" not in statement_json_of(out / MONTH / f"{ACME}.pdf")
    assert "Restatement" not in pdf_text(out / MONTH / f"{ACME}.pdf")


def test_figures_leave_out_as_of_id_and_fingerprint_only():
    base = {"statement_id": "a", "as_of": "x", "input_fingerprint": {"hex": "1"}, "credit": {"credit_amount": "1.00"}}
    same = {**base, "statement_id": "b", "as_of": "y", "input_fingerprint": {"hex": "2"}}
    assert figures_digest(base) == figures_digest(same)
    assert figures_digest(base) != figures_digest({**base, "credit": {"credit_amount": "1.01"}})


def test_change_description_names_credit_and_uptime_like_the_issue():
    old = {"credit": {"credit_amount": "0.00", "currency": "EUR", "fee_base": "1.00"},
           "uptime": {"uptime_percent": "99.912", "unavailable_minutes": 39}}
    new = {"credit": {"credit_amount": "100.81", "currency": "EUR", "fee_base": "1.00"},
           "uptime": {"uptime_percent": "99.874", "unavailable_minutes": 56}}
    assert describe_changes(old, new) == (
        "credit 0.00 → 100.81 EUR; uptime 99.912 % → 99.874 %; unavailable minutes 39 → 56"
    )
