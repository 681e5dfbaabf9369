"""Credit statements end to end (R21): render a month from a warehouse, read the PDFs back, compare.

The warehouse is the designed statement month of `fixtures/statements.py`: a small data drop run
through the real pipeline (`pipeline.month.build_month`), built once per session (`conftest.py`). One
module-scoped copy is rendered once in-process; tests read the files. Tests that change data work on
their own copy (`statement_con`). Expected figures are derived by hand from the designed rows (see the
derivations there and below). Any WeasyPrint warning or error fails a test.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fixtures.statements import (
    ACCENTED_NAME,
    ACME,
    AS_OF,
    ENTERPRISE,
    FORMERCO,
    GROWTHCO,
    MONTH,
    SMITH,
    TRICKY_NAME,
    ZURICH,
    at,
    build_into,
    build_statement_month,
    statement_drop,
)

from pipeline.statements import render_month
from pipeline.statements.builder import build_views, input_fingerprints
from pipeline.statements.inspect import (
    pdf_attachments,
    pdf_font_names,
    pdf_text,
    pdf_xmp,
    statement_json_of,
)
from pipeline.statements.render import render_messages, statement_html
from pipeline.statements.viewmodel import StatementError
from pipeline.warehouse import connection


@pytest.fixture(autouse=True)
def no_weasyprint_warnings():
    with render_messages() as messages:
        yield
    assert messages == [], f"WeasyPrint or the statement code logged: {messages}"


def _render(con, out: Path, *, policy, workers: int = 1, **kwargs):
    """render_month as the pipeline calls it: the month's credit scheme is printed."""
    return render_month(con, MONTH, out, as_of=AS_OF, workers=workers, credit_scheme=policy.credits, **kwargs)


@pytest.fixture(scope="module")
def month(statement_month, tmp_path_factory):
    """The statement month rendered once: connection, statements dir, records."""
    root = tmp_path_factory.mktemp("statements")
    con = statement_month.connect_copy(root)
    with render_messages() as messages:
        records = _render(con, root / "out", policy=statement_month.policy)
    assert messages == []
    yield con, root / "out" / MONTH, {r.customer_id: r for r in records}
    con.close()


def _pdf(month, customer_id: str) -> bytes:
    return (month[1] / f"{customer_id}.pdf").read_bytes()


def test_r21_one_statement_per_enterprise_customer_none_for_growth(month):
    con, folder, records = month
    assert sorted(records) == ENTERPRISE
    assert sorted(p.name for p in folder.glob("*.pdf")) == sorted([f"{c}.pdf" for c in ENTERPRISE] + ["_summary.pdf"])
    assert not (folder / f"{GROWTHCO}.pdf").exists()  # R1: growth gets no statement
    assert not (folder / f"{FORMERCO}.pdf").exists()  # its enterprise contract ended before the month
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], "temporary files left behind"
    # Zero credit still gets a statement.
    assert records["smith-gmbh"].credit_amount == 0


# The designed figures (derivations in fixtures/statements.py; March: T = 31 × 1,440 = 44,640).
# (customer, plan): (T, U, maintenance, customer_caused, upstream, no_data, uptime truncated to 8 decimals)
EXPECTED_UPTIME = {
    # U = 45 + 15 + 30 = 90; MW-1 02:00–04:00 = 120; INC-7 14:00–14:15 = 15; 502s 08:00–08:30 = 30;
    # shared gap 04:00–04:20 = 20; 1 − 90/44,640 = 44,550/44,640 = 0.99798387|09…
    ("acme", "enterprise"): (44640, 90, 120, 15, 30, 20, Decimal("0.99798387")),
    # 1 − 10/44,640 = 44,630/44,640 = 0.99977598|56…
    ("smith-gmbh", "enterprise"): (44640, 10, 0, 0, 0, 0, Decimal("0.99977598")),
    # T = 03-15 … 04-01 = 17 × 1,440 = 24,480; U = 35; 24,445/24,480 = 0.99857026|14…
    ("switcher", "enterprise"): (24480, 35, 0, 0, 0, 0, Decimal("0.99857026")),
    # T = 03-01 … 03-15 = 14 × 1,440 = 20,160; U = 240; 19,920/20,160 = 0.98809523|80…
    ("switcher", "growth"): (20160, 240, 0, 0, 0, 0, Decimal("0.98809523")),
    # U = 420 + 180 = 600; shared gap 01:00–01:05 = 5 no_data; 44,040/44,640 = 0.98655913|97…
    ("zurich", "enterprise"): (44640, 600, 0, 0, 0, 5, Decimal("0.98655913")),
    # U = 100; 44,540/44,640 = 0.99775985|66…
    ("growthco", "growth"): (44640, 100, 0, 0, 0, 0, Decimal("0.99775985")),
}
# customer: (currency, fee_base, steps, credit_pct, credit_amount, capped); steps = ⌊(1000·U − T) / T⌋ (R18)
EXPECTED_CREDITS = {
    # ⌊(90,000 − 44,640) / 44,640⌋ = ⌊45,360 / 44,640⌋ = 1 → 5 %; 5 % × 1,000.00 = 50.00
    "acme": ("EUR", Decimal("1000.00"), 1, Decimal("5"), Decimal("50.00"), False),
    # 10,000 − 44,640 < 0 → 0 steps, 0 %
    "smith-gmbh": ("USD", Decimal("2500.00"), 0, Decimal("0"), Decimal("0.00"), False),
    # ⌊(35,000 − 24,480) / 24,480⌋ = ⌊10,520 / 24,480⌋ = 0; fee_base = 2,000.00 × 24,480 / 44,640
    # = 1,096.774… → 1,096.77 (R19, half-up); the growth contract adds nothing
    "switcher": ("EUR", Decimal("1096.77"), 0, Decimal("0"), Decimal("0.00"), False),
    # ⌊(600,000 − 44,640) / 44,640⌋ = ⌊555,360 / 44,640⌋ = 12 → 60 % > 25 % cap; 25 % × 312,500 = 78,125
    "zurich": ("JPY", Decimal("312500"), 12, Decimal("25"), Decimal("78125"), True),
}


def test_r17_r18_r19_marts_hold_the_designed_figures(month):
    con = month[0]
    uptime = con.execute(
        "SELECT customer_id, plan, total_minutes, unavailable_minutes, maintenance_minutes, "
        "customer_caused_minutes, upstream_minutes, no_data_minutes, uptime FROM uptime_monthly "
        "WHERE month = ? ORDER BY customer_id, plan",
        [MONTH],
    ).fetchall()
    assert {(r[0], r[1]): tuple(r[2:]) for r in uptime} == EXPECTED_UPTIME  # no row for formerco
    credits = con.execute(
        "SELECT customer_id, currency, fee_base, shortfall_steps, credit_pct, credit_amount, capped FROM credits "
        "WHERE month = ? ORDER BY customer_id",
        [MONTH],
    ).fetchall()
    assert {r[0]: tuple(r[1:]) for r in credits} == EXPECTED_CREDITS  # enterprise customer-months only
    assert con.execute("SELECT count(*) FROM credits WHERE month <> ?", [MONTH]).fetchone()[0] == 0


def test_r21_pdf_text_figures_match_the_marts(month):
    con, folder, _ = month
    for customer_id in ENTERPRISE:
        text = pdf_text(_pdf(month, customer_id))
        u = con.execute(
            "SELECT total_minutes, unavailable_minutes, maintenance_minutes, customer_caused_minutes, "
            "upstream_minutes, no_data_minutes, uptime FROM uptime_monthly "
            "WHERE customer_id = ? AND month = ? AND plan = 'enterprise'",
            [customer_id, MONTH],
        ).fetchone()
        c = con.execute(
            "SELECT currency, fee_base, credit_pct, credit_amount, capped, shortfall_steps FROM credits "
            "WHERE customer_id = ? AND month = ?",
            [customer_id, MONTH],
        ).fetchone()
        total, unavailable, maintenance, customer_caused, upstream, no_data, uptime = u
        currency, fee_base, credit_pct, credit_amount, capped, steps = c
        assert f"Measured period T (minutes covered by the enterprise\ncontract)\n{total:,} of 44,640" in text
        assert f"Unavailable minutes U {unavailable:,} " in text
        assert f"Excluded: scheduled maintenance (announced > 48 h ahead) {maintenance:,} " in text
        assert f"Excluded: customer-caused {customer_caused:,} " in text
        assert f"Excluded: upstream LLM outage while TapPass was up {upstream:,} " in text
        assert f"No probe data {no_data:,} " in text
        # R17: truncated to 3 decimals, never rounded up.
        shown = str((uptime * 100).quantize(Decimal("0.001"), rounding="ROUND_DOWN"))
        assert f"Uptime = 1 − U / T {shown} %" in text
        minor = 0 if currency == "JPY" else 2
        amount = f"{credit_amount:,.{minor}f}"
        assert f"Service credit {amount} {currency}" in text
        # Rendered with the month's credit scheme (as the pipeline does), which the statement prints.
        assert f"Full steps below target (R18), step 0.1 point {steps} 5 % for each full step" in text
        assert ("CREDIT CAP (25 %)\nApplied" in text) == capped
        assert ("CREDIT CAP (25 %)\nNot applied" in text) == (not capped)
        assert f"{fee_base:,.{minor}f} {currency} rounded half-up (R19)" in text


def test_r17_uptime_is_truncated_not_rounded(month):
    # zurich: U = 600 of 44,640 → 98.65591…% → shows 98.655, never 98.656.
    text = pdf_text(_pdf(month, "zurich"))
    assert "98.655 %" in text and "98.656" not in text


def test_r21_statement_json_matches_credits(month):
    con, folder, _ = month
    rows = con.execute(
        "SELECT customer_id, currency, fee_base, credit_pct, credit_amount, capped, shortfall_steps FROM credits "
        "WHERE month = ? ORDER BY customer_id",
        [MONTH],
    ).fetchall()
    for customer_id, currency, fee_base, credit_pct, credit_amount, capped, steps in rows:
        document = statement_json_of(_pdf(month, customer_id))
        credit = document["credit"]
        minor = 0 if currency == "JPY" else 2
        assert credit["currency"] == currency
        assert credit["fee_base"] == f"{fee_base:.{minor}f}"
        assert credit["credit_amount"] == f"{credit_amount:.{minor}f}"
        assert Decimal(credit["credit_pct"]) == credit_pct
        assert credit["capped"] is capped
        assert document["uptime"]["shortfall_steps"] == steps
        assert document["customer"]["customer_id"] == customer_id
        assert document["month"] == MONTH
        assert document["as_of"] == "2025-04-02T08:00:00Z"


def test_r21_money_in_json_is_a_string_with_exact_minor_digits(month):
    raw = pdf_attachments(_pdf(month, "zurich"))["statement.json"].decode()
    document = json.loads(raw, parse_float=lambda s: pytest.fail(f"JSON float {s} in statement.json"))
    assert document["credit"] == {
        "currency": "JPY",
        "minor_unit": 0,
        "fee_base": "312500",
        "credit_pct": "25",
        "credit_amount": "78125",
        "capped": True,
    }
    assert statement_json_of(_pdf(month, "smith-gmbh"))["credit"]["credit_amount"] == "0.00"
    assert statement_json_of(_pdf(month, "acme"))["credit"]["credit_amount"] == "50.00"


def test_r21_periods_merged_and_excluded_with_reason(month):
    document = statement_json_of(_pdf(month, "acme"))
    unavailable = [(p["starts_at"], p["ends_at"], p["minutes"]) for p in document["unavailable_periods"]]
    assert unavailable == [
        ("2025-03-03T10:00:00Z", "2025-03-03T10:45:00Z", 45),
        ("2025-03-03T10:50:00Z", "2025-03-03T11:05:00Z", 15),
        ("2025-03-17T22:30:00Z", "2025-03-17T23:00:00Z", 30),
    ]
    excluded = {p["state"]: p for p in document["excluded_periods"]}
    assert excluded["maintenance"]["minutes"] == 120
    assert excluded["maintenance"]["windows"] == ["MW-1: Database upgrade <v16> & failover drill"]
    assert excluded["customer_caused"]["windows"] == ["INC-7: Rotated API key not deployed"]
    text = pdf_text(_pdf(month, "acme"))
    assert "2025-03-03 10:00 2025-03-03 10:45 45 45 min" in text
    assert "MW-1: Database upgrade <v16> & failover drill" in text
    # where the reason wraps depends on the declared column widths (fixed table layout, issue 12)
    assert "Scheduled maintenance: announced more than 48 h before it started" in " ".join(text.split())
    # Narrative incidents are listed; an incident of another month is not.
    assert "INC-8" in text and "INC-OLD" not in text


def test_r21_support_table_and_breached_tickets(month):
    document = statement_json_of(_pdf(month, "acme"))
    s1_response = next(r for r in document["support"] if r["severity"] == "S1" and r["clock"] == "response")
    assert (s1_response["met"], s1_response["breached"], s1_response["attainment"]) == (0, 1, "0.000000")
    s3_resolution = next(r for r in document["support"] if r["severity"] == "S3" and r["clock"] == "resolution")
    assert s3_resolution["attainment"] == "1.000000"
    csv_text = pdf_attachments(_pdf(month, "acme"))["breached-tickets.csv"].decode()
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [(r["ticket_id"], r["clock"]) for r in rows] == [
        ("T-100", "response"),
        ("T-100", "resolution"),
        ("T-101", "resolution"),
    ]
    # A subject starting with '=' cannot run as a spreadsheet formula.
    assert rows[2]["subject"].startswith("'=HYPERLINK")
    assert "T-090" not in csv_text  # a ticket of another month
    text = pdf_text(_pdf(month, "acme"))
    assert "S1 0 1 0 0.0 % 0 1 0 0.0 %" in text


def test_r12_plan_change_statement_shows_the_enterprise_part_only(month):
    document = statement_json_of(_pdf(month, "switcher"))
    assert [c["contract_id"] for c in document["contracts"]] == ["C-SW-E"]
    assert document["uptime"]["total_minutes"] == 17 * 1440
    assert document["measured_period"] == [{"starts_at": "2025-03-15T00:00:00Z", "ends_at": "2025-04-01T00:00:00Z"}]
    assert [p["minutes"] for p in document["unavailable_periods"]] == [35]  # not the growth-period 240
    assert document["credit"]["fee_base"] == "1096.77"
    tickets = {t["ticket_id"] for t in document["breached_tickets"]}
    assert tickets == {"T-301"}  # T-300 was a growth ticket


def test_r21_escaping_of_a_name_with_markup_characters(month):
    con, folder, _ = month
    text = pdf_text(_pdf(month, "smith-gmbh"))
    assert TRICKY_NAME in text
    assert 'Subject with <b>tags</b> & "quotes"' not in text  # not breached, so not printed at all
    view = build_views(con, MONTH, AS_OF, customer_ids=["smith-gmbh"])[0]
    html = statement_html(view)
    assert "Smith &lt;&amp;&gt; &#34;Quotes&#34; O&#39;Brien GmbH" in html
    assert TRICKY_NAME not in html
    assert statement_json_of(_pdf(month, "smith-gmbh"))["customer"]["name"] == TRICKY_NAME
    # The running header shows the name on every page, taken from the document text.
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(_pdf(month, "smith-gmbh"))).pages)
    assert pages >= 3 and text.count(f"{TRICKY_NAME} · March 2025") == pages


def test_r21_accented_names_use_the_bundled_fonts(month):
    pdf = _pdf(month, "zurich")
    assert ACCENTED_NAME in pdf_text(pdf)
    # WeasyPrint names @font-face fonts after their family: a system fallback would show 'DejaVuSans'.
    assert pdf_font_names(pdf) == {"Statement-Sans", "Statement-Sans-Bold"}


def test_r21_pdf_a3b_dated_from_as_of(month):
    xmp = pdf_xmp(_pdf(month, "acme"))
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert "<xmp:CreateDate>2025-04-02T08:00:00Z</xmp:CreateDate>" in xmp
    assert "<xmp:ModifyDate>2025-04-02T08:00:00Z</xmp:ModifyDate>" in xmp
    raw = _pdf(month, "acme")
    dates = set(re.findall(rb"D:(\d{14})", raw))
    assert dates <= {b"20250402080000"}


def test_r21_statement_id_and_fingerprint_printed(month):
    con, folder, records = month
    text = pdf_text(_pdf(month, "acme"))
    record = records["acme"]
    assert re.fullmatch(r"SLA-2025-03-acme-[0-9a-f]{16}", record.statement_id)
    assert f"Statement id {record.statement_id}" in text
    assert f"sha256:{record.input_fingerprint}" in text
    assert statement_json_of(_pdf(month, "acme"))["statement_id"] == record.statement_id


def test_statements_table_records_path_and_sha256(month):
    con, folder, records = month
    rows = con.execute(
        "SELECT customer_id, version, is_current, supersedes, path, sha256, credit_amount, currency "
        "FROM statements WHERE month = ? ORDER BY customer_id",
        [MONTH],
    ).fetchall()
    assert [r[0] for r in rows] == ENTERPRISE
    for customer_id, version, is_current, supersedes, path, sha256, credit_amount, currency in rows:
        assert (version, is_current, supersedes) == (1, True, None)
        assert Path(path) == folder.resolve() / f"{customer_id}.pdf"
        import hashlib

        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha256
        assert credit_amount == records[customer_id].credit_amount and currency == records[customer_id].currency


def test_r21_finance_summary_csv_and_pdf(month):
    con, folder, records = month
    rows = list(csv.DictReader(io.StringIO((folder / "statements.csv").read_text(encoding="utf-8"))))
    assert [r["customer_id"] for r in rows] == ENTERPRISE
    by_id = {r["customer_id"]: r for r in rows}
    assert by_id["acme"]["credit_amount"] == "50.00" and by_id["acme"]["currency"] == "EUR"
    assert by_id["zurich"]["credit_amount"] == "78125"
    assert by_id["smith-gmbh"]["customer_name"] == TRICKY_NAME
    for r in rows:
        assert r["sha256"] == records[r["customer_id"]].sha256 and r["path"] == f"{r['customer_id']}.pdf"
    summary = folder / "_summary.pdf"
    first_page = pdf_text(summary).split("Page 1 of")[0]
    # Totals per currency on the first page: EUR = 50.00 (acme) + 0.00 (switcher).
    assert re.search(r"EUR 2 1 0 2,096\.77 50\.00", first_page)
    assert re.search(r"JPY 1 1 1 312,500 78,125", first_page)
    assert re.search(r"USD 1 0 0 2,500\.00 0\.00", first_page)


def test_r21_identical_inputs_give_identical_bytes_and_no_new_version(month, statement_month, tmp_path):
    con, folder, records = month
    before = {c: _pdf(month, c) for c in ENTERPRISE}
    summary_before = (folder / "_summary.pdf").read_bytes()
    again = _render(con, folder.parent, policy=statement_month.policy)
    assert {r.customer_id: (r.version, r.sha256) for r in again} == {c: (1, records[c].sha256) for c in ENTERPRISE}
    assert {c: _pdf(month, c) for c in ENTERPRISE} == before
    assert (folder / "_summary.pdf").read_bytes() == summary_before
    assert not list(folder.glob("*.v*.pdf"))
    assert con.execute("SELECT count(*) FROM statements WHERE month = ?", [MONTH]).fetchone()[0] == 4


def test_parallel_workers_give_the_same_bytes(month, statement_month, tmp_path):
    con, folder, records = month
    calls = []
    parallel = _render(
        con, tmp_path, policy=statement_month.policy, workers=2, progress=lambda *a: calls.append(a)
    )
    assert {r.customer_id: r.sha256 for r in parallel} == {c: records[c].sha256 for c in ENTERPRISE}
    assert calls[0] == (0, 4) and calls[-1] == (4, 4) and len(calls) == 5


def test_r21_input_fingerprint_ignores_other_months_and_customers(statement_month, tmp_path):
    params = {
        "month": MONTH,
        "month_start": datetime(2025, 3, 1, tzinfo=UTC),
        "month_end": datetime(2025, 4, 1, tzinfo=UTC),
        "as_of": AS_OF,
    }
    with connection(statement_month.warehouse, read_only=True) as con:
        before = input_fingerprints(con, params, ENTERPRISE)
    # The same drop plus rows of another customer, and acme's rows of other months, run through the pipeline.
    drop = statement_drop()
    drop.customer("newco", "New Co")
    drop.contract("C-NEW", "newco", "enterprise", "100.00", "EUR", "2025-01-01")
    drop.ticket("T-X1", "newco", "S1", at(5, 10), "x", [(at(5, 10, 30), "agent_reply")])
    drop.tenant("newco", at(30, 0, 0), 60)
    drop.ticket("T-X2", ACME, "S1", datetime(2025, 2, 5, 10, 0, tzinfo=UTC), "x", [])
    drop.ticket("T-X3", ACME, "S1", datetime(2025, 4, 1, 10, 0, tzinfo=UTC), "x", [])
    drop.tenant(ACME, datetime(2025, 4, 1, 0, 0, tzinfo=UTC), 30)  # acme down in April
    drop.contract("C-OLD", ACME, "growth", "10.00", "EUR", "2023-01-01", "2023-12-01")
    drop.incident("I-Y", datetime(2025, 1, 10, tzinfo=UTC), datetime(2025, 1, 10, 1, tzinfo=UTC), "platform", "y")
    drop.window("MW-OLD", datetime(2025, 2, 9, 2, tzinfo=UTC), datetime(2025, 2, 9, 3, tzinfo=UTC),
                datetime(2025, 2, 1, tzinfo=UTC), "February maintenance")
    # ...and rows of the month that are smith-gmbh's and zurich's own: those change their fingerprints.
    drop.tenant(SMITH, at(30, 0, 0), 1)
    drop.incident("I-Z", at(10, 0, 0), at(10, 1, 0), "customer_caused", "z", ZURICH)
    more = build_statement_month(tmp_path / "more", drop=drop)
    with connection(more.warehouse) as con:
        after = input_fingerprints(con, params, ENTERPRISE)
        assert after["acme"] == before["acme"]
        assert after["switcher"] == before["switcher"]
        assert after["smith-gmbh"] != before["smith-gmbh"]
        assert after["zurich"] != before["zurich"]
        # A change to one of acme's own rows of the month does change it (the month rerun on the new drop).
        drop.row("tickets", ticket_id="T-102")["subject"] = "changed"
        build_into(con, tmp_path / "changed", drop=drop)
        assert input_fingerprints(con, params, ["acme"])["acme"] != before["acme"]


def test_r21_restated_statement_keeps_the_old_version(statement_month, statement_con, tmp_path):
    con, policy = statement_con, statement_month.policy
    out = tmp_path / "out"
    first = {r.customer_id: r for r in _render(con, out, policy=policy)}
    old_bytes = (out / MONTH / "acme.pdf").read_bytes()
    # The customer's name is corrected in a new drop and the month is rerun on the same warehouse.
    drop = statement_drop()
    drop.row("customers", customer_id=ACME)["name"] = "Acme Analytics SA"
    build_into(con, tmp_path / "drop", drop=drop)
    second = {r.customer_id: r for r in _render(con, out, policy=policy)}
    assert (second["acme"].version, second["acme"].supersedes) == (2, 1)
    assert second["acme"].sha256 != first["acme"].sha256
    assert (out / MONTH / "acme.v1.pdf").read_bytes() == old_bytes
    assert "Acme Analytics SA" in pdf_text(out / MONTH / "acme.pdf")
    assert second["zurich"].version == 1 and second["zurich"].sha256 == first["zurich"].sha256
    rows = con.execute(
        "SELECT version, is_current, supersedes, path FROM statements WHERE customer_id = 'acme' ORDER BY version"
    ).fetchall()
    assert [(v, c, s, Path(p).name) for v, c, s, p in rows] == [
        (1, False, None, "acme.v1.pdf"),
        (2, True, 1, "acme.pdf"),
    ]
    assert con.execute("SELECT count(*) FROM statements WHERE is_current").fetchone()[0] == 4


def test_r21_invalid_customer_id_never_becomes_a_path(statement_month, statement_con, tmp_path):
    con = statement_con
    con.execute("UPDATE main.credits SET customer_id = '../../etc/x' WHERE customer_id = 'acme'")
    with pytest.raises(StatementError, match="not a valid id"):
        _render(con, tmp_path / "out", policy=statement_month.policy)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.pdf"))


def test_naive_as_of_is_refused(month, tmp_path):
    with pytest.raises(StatementError, match="timezone-aware"):
        render_month(month[0], MONTH, tmp_path, as_of=datetime(2025, 4, 2), workers=1)


def test_r21_given_input_fingerprints_are_used_and_missing_ones_computed(month):
    con = month[0]
    given = {"acme": "ab" * 32}
    views = {v.customer_id: v for v in build_views(con, MONTH, AS_OF, input_fingerprints_by_customer=given)}
    assert views["acme"].input_fingerprint == "ab" * 32
    assert views["zurich"].input_fingerprint == month[2]["zurich"].input_fingerprint
    assert views["acme"].statement_id != month[2]["acme"].statement_id  # the id covers the fingerprint
