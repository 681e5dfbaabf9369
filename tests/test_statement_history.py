"""A year of history in every statement (issue 13 part 1), on the designed month 2025-03
(fixtures/statements.py): months computed, missing and before the contract, by value; and a change
in history alone never restates a statement."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from fixtures.statements import AS_OF, MONTH

from pipeline.statements import render_month
from pipeline.statements.builder import build_views
from pipeline.statements.inspect import pdf_text, statement_json_of


def _copy_month(con, source: str, target: str, customer: str, uptime: str) -> None:
    """Give `customer` a `target` month in the marts the history reads: a copy of `source` with another uptime."""
    for table in ("credits", "support_attainment"):
        con.execute(
            f"INSERT INTO main.{table} BY NAME SELECT * REPLACE (CAST(? AS VARCHAR) AS month) FROM main.{table}"
            " WHERE month = ? AND customer_id = ?",
            [target, source, customer],
        )
    con.execute(
        "INSERT INTO main.uptime_monthly BY NAME SELECT * REPLACE (CAST(? AS VARCHAR) AS month,"
        " CAST(? AS DECIMAL(10,8)) AS uptime) FROM main.uptime_monthly WHERE month = ? AND customer_id = ?",
        [target, uptime, source, customer],
    )


def test_twelve_months_computed_missing_and_before_the_contract(statement_con):
    con = statement_con
    _copy_month(con, MONTH, "2025-02", "acme", "0.99950000")
    views = {v.customer_id: v for v in build_views(con, MONTH, AS_OF)}
    acme = views["acme"].history
    assert [h.month for h in acme] == [f"2024-{m:02d}" for m in range(4, 13)] + ["2025-01", "2025-02", "2025-03"]
    assert [h.state for h in acme] == ["missing"] * 10 + ["computed", "computed"]
    assert (acme[-2].uptime, acme[-1].uptime) == (Decimal("0.99950000"), Decimal("0.99798387"))
    assert acme[-1].credit_amount == views["acme"].credit.credit_amount
    # attainment over every severity: the month's met / (met + breached) per clock
    met, breached = con.execute(
        "SELECT sum(met), sum(breached) FROM support_attainment WHERE month = ? AND customer_id = 'acme'"
        " AND plan = 'enterprise' AND clock = 'response'", [MONTH],
    ).fetchone()
    assert acme[-1].response_attainment == (None if met + breached == 0 else Fraction(int(met), int(met + breached)))
    # smith-gmbh's enterprise contract began 2024-06-01: April and May 2024 come before it
    assert [h.state for h in views["smith-gmbh"].history][:3] == ["before_contract", "before_contract", "missing"]
    # switcher's enterprise contract began 2025-03-15: every earlier month is before it
    assert [h.state for h in views["switcher"].history] == ["before_contract"] * 11 + ["computed"]


def test_the_pdf_shows_the_year_and_a_change_in_history_alone_never_restates(statement_con, statement_month,
                                                                             tmp_path):
    con, policy = statement_con, statement_month.policy
    _copy_month(con, MONTH, "2025-02", "acme", "0.99950000")
    out = tmp_path / "out"
    first = {r.customer_id: r for r in render_month(con, MONTH, out, as_of=AS_OF, workers=1,
                                                    credit_scheme=policy.credits)}
    text = " ".join(pdf_text(out / MONTH / "acme.pdf").split())
    assert "The last twelve months" in text
    assert "Feb 2025 99.950 %" in text and "Mar 2025 (this statement) 99.798 %" in text
    assert "Jan 2025 not computed: no figures for this month" in text
    assert "history" not in statement_json_of(out / MONTH / "acme.pdf")  # context, not a figure
    before = (out / MONTH / "acme.pdf").read_bytes()
    con.execute("UPDATE main.uptime_monthly SET uptime = 0.99100000 WHERE month = '2025-02'")
    second = {r.customer_id: r for r in render_month(con, MONTH, out, as_of=AS_OF, workers=1,
                                                     credit_scheme=policy.credits)}
    assert (second["acme"].version, second["acme"].sha256) == (first["acme"].version, first["acme"].sha256)
    assert (out / MONTH / "acme.pdf").read_bytes() == before
    assert not (out / MONTH / "acme.v1.pdf").exists()
