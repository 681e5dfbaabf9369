"""Credit notes for billing and month-end accruals (issue #10, §2 and §3).

One module-scoped story on real files: the sample month is published, approved and issued (as .eml
files); then globex's contract fee changes in the drop and the real job reruns the month, which
restates globex as version 2 (a new draft); that is approved and issued, voiding the first credit note.
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from fixtures.finance import MONTH

from pipeline.cli import main
from pipeline.finance.accruals import ACCRUAL_COLUMNS, accrual_rows
from pipeline.finance.actions import approve, issue
from pipeline.finance.credit_notes import COLUMNS, CreditNote, credit_note_id, live_totals, month_credit_notes, render
from pipeline.finance.ledger import Ledger
from pipeline.finance.status import read_versions, statement_states
from pipeline.warehouse import connection

ISSUE_COLUMNS = [
    "credit_note_id", "kind", "customer_id", "billing_email", "month", "statement_id", "statement_version",
    "currency", "amount", "amount_minor", "replaces", "approved_by", "approved_at", "issued_at", "memo",
]


def _accruals(settings):
    return {(r["month"], r["currency"]): r for r in accrual_rows(settings)}


@pytest.fixture(scope="module")
def story(finance_month, tmp_path_factory):
    root = tmp_path_factory.mktemp("credit-notes")
    world = finance_month.copy(root / "world", with_files=True)
    settings = world.settings()
    chapters = {"before": _accruals(settings)}
    approve(settings, MONTH, "Ann Approver")
    chapters["approved"] = _accruals(settings)
    first = issue(settings, MONTH, "Ian Issuer")
    assert first.failed == [
        "quote-co v1: not issued, still approved — customer quote-co has no billing_email in customers.csv"
    ]
    chapters["issued"] = _accruals(settings)
    chapters["notes_v1"] = month_credit_notes(settings, MONTH)

    drop = root / "drop"
    shutil.copytree(world.data, drop)
    contracts = (drop / "contracts.csv").read_text()
    assert "C-GLOBEX-2,globex,enterprise,20000.10,USD" in contracts
    (drop / "contracts.csv").write_text(contracts.replace("C-GLOBEX-2,globex,enterprise,20000.10,USD",
                                                          "C-GLOBEX-2,globex,enterprise,30000.00,USD"))
    world.rerun(drop)
    chapters["restated"] = _accruals(settings)
    with connection(world.warehouse, read_only=True) as con:
        chapters["states_restated"] = {
            (s.customer_id, s.statement.version): s.status
            for s in statement_states(read_versions(con, MONTH), Ledger(world.ledger).events())
        }
    approve(settings, MONTH, "Ann Approver", ["globex"])
    assert issue(settings, MONTH, "Ian Issuer", ["globex"]).ok
    chapters["reissued"] = _accruals(settings)
    return world, settings, chapters


def test_a_restatement_of_an_issued_statement_is_a_new_draft(story):
    _, _, chapters = story
    states = chapters["states_restated"]
    assert states[("globex", 1)] == "issued"
    assert states[("globex", 2)] == "draft"
    assert states[("umbrella", 1)] == "issued"  # unchanged figures: same version, still issued
    assert ("umbrella", 2) not in states


def test_the_portal_shows_what_the_restatement_changed(story):
    from fixtures.portal import Client, add_portal_users, running_portal

    world, settings, _ = story
    add_portal_users(settings)
    with running_portal(settings) as base:
        client = Client(base)
        client.sign_in("vic")
        page = client.get(f"/months/{MONTH}/customers/globex")
    assert page.status == 200
    assert "first version" in page.text
    assert "credit 1000.01 → 1500.00 USD" in page.text
    assert "globex.v1.pdf" in page.text and "globex.pdf" in page.text


def test_credit_notes_have_exactly_the_issue_columns_and_one_line_per_credit_and_void(story, monkeypatch, capsys):
    world, _, _ = story
    for name, value in world.env().items():
        if name.startswith("SLA_"):
            monkeypatch.setenv(name, value)
    assert main(["credit-notes", "--month", MONTH]) == 0
    target = world.statements / MONTH / "credit_notes.csv"
    assert capsys.readouterr().out.startswith(f"{target}: 4 credit, 1 void lines")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ISSUE_COLUMNS == list(COLUMNS)
    lines = [(r["kind"], r["customer_id"], r["statement_version"], r["currency"], r["amount"], r["amount_minor"])
             for r in rows]
    assert lines == [
        ("credit", "globex", "1", "USD", "1000.01", "100001"),
        ("credit", "kyoto-ai", "1", "JPY", "150000", "150000"),
        ("credit", "umbrella", "1", "USD", "246.77", "24677"),
        ("void", "globex", "2", "USD", "1000.01", "100001"),
        ("credit", "globex", "2", "USD", "1500.00", "150000"),
    ]
    globex_v1, void, globex_v2 = rows[0], rows[3], rows[4]
    assert void["replaces"] == globex_v1["credit_note_id"] == globex_v2["replaces"]
    assert globex_v1["replaces"] == "" and globex_v1["billing_email"] == "ap@globex.example"
    assert globex_v1["memo"] == "SLA credit, October 2026: uptime 99.798 % against 99.9 %, 1 step × 5 %"
    assert rows[1]["memo"] == "SLA credit, October 2026: uptime 99.699 % against 99.9 %, 2 steps × 5 %"
    assert void["memo"] == f"Void of {globex_v1['credit_note_id']}: SLA credit, October 2026, restated by version 2"
    assert globex_v1["approved_by"] == "Ann Approver"
    assert globex_v1["approved_at"] < globex_v1["issued_at"] < void["issued_at"] == globex_v2["issued_at"]


def test_credit_note_ids_are_deterministic_per_statement_version(story):
    world, settings, chapters = story
    again = month_credit_notes(settings, MONTH)
    assert [n.credit_note_id for n in again[:3]] == [n.credit_note_id for n in chapters["notes_v1"]]
    with connection(world.warehouse, read_only=True) as con:
        (sid, sha), = con.execute(
            "SELECT statement_id, sha256 FROM statements WHERE customer_id = 'globex' AND version = 1"
        ).fetchall()
    assert again[0].credit_note_id == credit_note_id(sid, 1, sha)
    ids = [n.credit_note_id for n in again]
    assert len(set(ids)) == len(ids)


def test_live_credits_per_currency_equal_the_current_issued_statements(story):
    world, settings, _ = story
    notes = month_credit_notes(settings, MONTH)
    with connection(world.warehouse, read_only=True) as con:
        states = statement_states(read_versions(con, MONTH), Ledger(world.ledger).events())
    latest_issued = {}
    for s in states:
        if s.status == "issued":
            latest_issued[s.customer_id] = s.statement  # versions come oldest first
    expected: dict[str, int] = {}
    for st in latest_issued.values():
        digits = 0 if st.currency == "JPY" else 2
        expected[st.currency] = expected.get(st.currency, 0) + int(st.credit_amount * 10**digits)
    expected = {c: v for c, v in expected.items() if v}
    assert live_totals(notes) == expected == {"JPY": 150000, "USD": 150000 + 24677}


def test_jsonl_output_carries_the_same_rows(story, tmp_path, monkeypatch):
    world, settings, _ = story
    for name, value in world.env().items():
        if name.startswith("SLA_"):
            monkeypatch.setenv(name, value)
    out = tmp_path / "notes.jsonl"
    assert main(["credit-notes", "--month", MONTH, "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["credit_note_id"] for r in rows] == [n.credit_note_id for n in month_credit_notes(settings, MONTH)]
    assert rows[-1]["amount"] == "1500.00" and rows[-1]["amount_minor"] == 150000 and rows[-1]["statement_version"] == 2


def test_text_that_looks_like_a_formula_is_neutralised():
    note = CreditNote(
        credit_note_id="CN-1", kind="credit", customer_id="acme", billing_email='=HYPERLINK("http://x","y")',
        month=MONTH, statement_id="+SLA", statement_version=1, currency="EUR", amount="1.00", amount_minor=100,
        replaces="", approved_by="@ann", approved_at="", issued_at="", memo="-1 step",
    )
    (row,) = list(csv.DictReader(io.StringIO(render([note], jsonl=False).decode())))
    assert row["billing_email"] == '\'=HYPERLINK("http://x","y")'
    assert (row["statement_id"], row["approved_by"], row["memo"]) == ("'+SLA", "'@ann", "'-1 step")
    assert json.loads(render([note], jsonl=True))["billing_email"] == '=HYPERLINK("http://x","y")'


def test_accruals_follow_the_lifecycle_per_month_and_currency(story):
    world, _, chapters = story
    pick = lambda chapter, cur: {k: v for k, v in chapters[chapter][(MONTH, cur)].items() if k != "month"}  # noqa: E731
    assert pick("before", "USD") == {
        "currency": "USD", "draft_credit": "1246.78", "approved_credit": "0.00", "owed_not_issued": "1246.78",
        "issued_credit": "0.00", "issued_to_void": "0.00", "statements_owed": 2, "statements_issued": 0,
    }
    assert pick("approved", "EUR")["approved_credit"] == "1250.00"
    assert pick("issued", "EUR")["owed_not_issued"] == "1250.00"  # quote-co could not be sent
    assert pick("issued", "JPY") == {
        "currency": "JPY", "draft_credit": "0", "approved_credit": "0", "owed_not_issued": "0",
        "issued_credit": "150000", "issued_to_void": "0", "statements_owed": 0, "statements_issued": 1,
    }
    restated = pick("restated", "USD")
    assert (restated["draft_credit"], restated["issued_credit"], restated["issued_to_void"]) == (
        "1500.00", "1246.78", "1000.01"
    )
    reissued = pick("reissued", "USD")
    assert (reissued["owed_not_issued"], reissued["issued_credit"], reissued["issued_to_void"]) == (
        "0.00", "1746.77", "0.00"
    )
    # the file finance takes to the close says the same
    rows = list(csv.DictReader(io.StringIO((world.statements / "credit_accruals.csv").read_text())))
    assert list(rows[0]) == list(ACCRUAL_COLUMNS)
    assert {(r["currency"], r["issued_credit"]) for r in rows} == {("EUR", "0.00"), ("JPY", "150000"), ("USD", "1746.77")}
    # and so does the warehouse view on a read-only session
    with connection(world.warehouse, read_only=True) as con:
        assert con.execute(
            "SELECT currency, issued_credit::VARCHAR FROM credit_accruals WHERE month = $m ORDER BY 1", {"m": MONTH}
        ).fetchall() == [("EUR", "0.0000"), ("JPY", "150000.0000"), ("USD", "1746.7700")]
