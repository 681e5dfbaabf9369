"""Statements of the committed sample month through the real engines (R21).

The drop in `data/sample` (2026-10) goes through ingestion, the support engine and the uptime engine
into a temporary warehouse; then every enterprise statement is rendered and read back: its
`statement.json` against `credits`, its text against `uptime_monthly`, and the sample's hard names
(`Smith <&> "Quotes" O'Brien GmbH`, `Kyoto AI 株式会社`) as text drawn with the bundled fonts.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from pipeline.money import minor_unit
from pipeline.month import build_month
from pipeline.policy import load_policy
from pipeline.settings import DEFAULT_POLICY_FILE, PROJECT_ROOT
from pipeline.statements import render_month
from pipeline.statements.inspect import pdf_font_names, pdf_text, statement_json_of
from pipeline.statements.render import render_messages
from pipeline.warehouse import connect

MONTH = "2026-10"
DROP = PROJECT_ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    if not (DROP / "customers.csv").exists():
        pytest.skip("no sample drop in data/sample")
    root = tmp_path_factory.mktemp("sample")
    con = connect(root / "wh.duckdb")
    version = load_policy(DEFAULT_POLICY_FILE).version_for(MONTH)
    params = build_month(con, DROP, MONTH, version)
    as_of = params.as_of
    with render_messages() as messages:
        records = render_month(con, MONTH, root / "out", as_of=as_of, workers=1, credit_scheme=version.credits)
    assert messages == [], messages
    yield con, root / "out" / MONTH, {r.customer_id: r for r in records}, as_of
    con.close()


def test_r21_one_statement_per_enterprise_credit_row(sample):
    con, folder, records, _ = sample
    expected = [
        r[0] for r in con.execute("SELECT customer_id FROM credits WHERE month = ? ORDER BY 1", [MONTH]).fetchall()
    ]
    assert expected and sorted(records) == expected
    growth_only = con.execute(
        "SELECT customer_id FROM uptime_monthly WHERE month = ? GROUP BY customer_id HAVING bool_and(plan = 'growth')",
        [MONTH],
    ).fetchall()
    for (customer_id,) in growth_only:
        assert not (folder / f"{customer_id}.pdf").exists()


def test_r21_statement_json_and_text_match_the_marts(sample):
    con, folder, records, as_of = sample
    rows = con.execute(
        "SELECT c.customer_id, c.currency, c.fee_base, c.credit_pct, c.credit_amount, c.capped, c.shortfall_steps, "
        "u.total_minutes, u.unavailable_minutes, u.no_data_minutes, u.uptime "
        "FROM credits c JOIN uptime_monthly u ON u.customer_id = c.customer_id AND u.month = c.month "
        "AND u.plan = 'enterprise' WHERE c.month = ?",
        [MONTH],
    ).fetchall()
    for (
        customer_id,
        currency,
        fee_base,
        credit_pct,
        credit_amount,
        capped,
        steps,
        total,
        unavailable,
        no_data,
        uptime,
    ) in rows:
        pdf = (folder / f"{customer_id}.pdf").read_bytes()
        document = statement_json_of(pdf)
        digits = minor_unit(currency)
        assert document["credit"] == {
            "currency": currency,
            "minor_unit": digits,
            "fee_base": f"{fee_base:.{digits}f}",
            "credit_pct": document["credit"]["credit_pct"],
            "credit_amount": f"{credit_amount:.{digits}f}",
            "capped": capped,
        }
        assert Decimal(document["credit"]["credit_pct"]) == credit_pct
        assert document["uptime"]["total_minutes"] == total
        assert document["uptime"]["unavailable_minutes"] == unavailable
        assert document["uptime"]["shortfall_steps"] == steps
        assert document["as_of"] == as_of.isoformat().replace("+00:00", "Z")
        text = pdf_text(pdf)
        shown = (uptime * 100).quantize(Decimal("0.001"), rounding="ROUND_DOWN")
        assert f"Uptime = 1 − U / T {shown} %" in text
        assert f"Unavailable minutes U {unavailable:,} " in text
        assert f"Full steps below target (R18), step 0.1 point {steps} 5 % for each full step" in text
        assert "CREDIT CAP (25 %)" in text
        assert document["credit_terms"] == {
            "mode": "whole_steps",
            "step_points": "0.1",
            "credit_per_step_pct": "5",
            "cap_pct": "25",
        }
        assert f"No probe data {no_data:,} " in text
        assert f"Service credit {credit_amount:,.{digits}f} {currency}" in text
        assert sum(p["minutes"] for p in document["unavailable_periods"]) == unavailable
        assert records[customer_id].sha256 == hashlib.sha256(pdf).hexdigest()


def test_r21_sample_names_escaped_and_drawn_with_bundled_fonts(sample):
    con, folder, records, _ = sample
    names = dict(con.execute("SELECT customer_id, name FROM intermediate.valid_customers").fetchall())
    for customer_id in records:
        pdf = (folder / f"{customer_id}.pdf").read_bytes()
        assert names[customer_id] in pdf_text(pdf)
        assert all(font.startswith("Statement-") for font in pdf_font_names(pdf))
    tricky = [c for c in records if "<&>" in names[c]]
    cjk = [c for c in records if any(ord(ch) > 0x3000 for ch in names[c])]
    assert tricky and cjk, "the sample should hold a name with <&> and a CJK name"
    assert any(f.startswith("Statement-Fallback") for f in pdf_font_names((folder / f"{cjk[0]}.pdf").read_bytes()))


def test_r9_breached_ticket_row_shows_the_segment_that_breached(sample):
    """Issue 13 part 6: T-R9-2 breached its S1 response target (2 h > 1 h) and was then lowered to S2;
    its row shows the S1 segment (target 1:00, elapsed 2:00, breached 09:00 UTC) and the history, not
    the last segment's S2 target of 4:00 bh that it never exceeded."""
    con, folder, _, _ = sample
    rows = [
        r for r in statement_json_of(folder / "globex.pdf")["breached_tickets"]
        if r["ticket_id"] == "T-R9-2"
    ]
    assert rows == [{
        "ticket_id": "T-R9-2", "created_at": "2026-10-10T08:00:00Z", "channel": "dedicated_contact",
        "severity": "S1", "clock": "response", "business_time": False,
        "target_seconds": 3600, "elapsed_seconds": 7200,
        "due_at": None, "breached_at": "2026-10-10T09:00:00Z",
        "subject": "Prod chat completions failing for EU users", "segments": "S1 for 2:00, then S2",
    }]
    # the analysts' mart keeps R9's reading: the last segment in ticket_sla, the breaching one named
    assert con.execute(
        "SELECT s.severity, s.target_seconds, s.breached_segment_no, g.severity, g.elapsed_seconds "
        "FROM ticket_sla s JOIN ticket_sla_segments g USING (month, ticket_id, clock) "
        "WHERE s.ticket_id = 'T-R9-2' AND s.clock = 'response' AND g.segment_no = s.breached_segment_no"
    ).fetchall() == [("S2", 14400, 1, "S1", 7200)]
    text = " ".join(pdf_text(folder / "globex.pdf").split())
    assert "S1 for 2:00, then S2" in text


def test_r9_a_clock_that_never_changed_severity_prints_no_history(sample):
    _, folder, _, _ = sample
    rows = statement_json_of(folder / "globex.pdf")["breached_tickets"]
    single = [r for r in rows if r["ticket_id"] == "TK-24165"]
    assert [(r["severity"], r["segments"]) for r in single] == [("S3", "")]


def test_statement_annex_lists_minutes_by_cause_adding_up_to_unavailable(sample):
    """Issue 13 part 3: globex's annex table, from downtime_attribution (platform incidents I-3, I-5 of
    the sample overlap down minutes; M-1 is announced > 48 h ahead, R16.1)."""
    con, folder, _, _ = sample
    document = statement_json_of(folder / "globex.pdf")
    rows = [(d["cause"], d["cause_id"], d["counts_against_uptime"], d["minutes"]) for d in document["downtime_by_cause"]]
    assert rows == [
        ("unattributed", None, True, 78),
        ("platform_incident", "I-5", True, 7),
        ("platform_incident", "I-3", True, 5),
        ("maintenance", "M-1", False, 30),
        ("upstream", None, False, 25),
    ]
    assert document["downtime_by_cause"][0]["sources"] == [
        {"check": "chat_completions", "region": "us-east", "minutes": 59},
        {"check": "health_live", "region": "eu-west", "minutes": 19},
    ]
    assert sum(m for _, _, against, m in rows if against) == document["uptime"]["unavailable_minutes"] == 90
    text = " ".join(pdf_text(folder / "globex.pdf").split())
    assert "Downtime by cause" in text and "Platform incident I-5 yes 7" in text
    summary = " ".join(pdf_text(folder / "_summary.pdf").split())
    assert "Unattributed yes 7 837" in summary and "Platform incident yes 7 74" in summary
