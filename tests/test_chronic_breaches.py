"""Chronic breaches (issue 13 part 4): the policy rule over the months the warehouse holds, by value.

Each test writes `main.credits` rows for a few customer-months into a real DuckDB file and runs the
real model (`sql/marts/chronic_breaches.sql`) through `build_chronic_breaches`.
"""

from __future__ import annotations

import pytest

from pipeline.policy import ChronicRule, PolicyError, load_policy
from pipeline.settings import DEFAULT_POLICY_FILE
from pipeline.uptime import build_chronic_breaches
from pipeline.warehouse import connect

RULE = ChronicRule(below_target_months=3, window_months=6, capped_consecutive_months=2)


def credits_table(con, rows: list[tuple[str, str, int, bool]]) -> None:
    """(customer, month, shortfall numerator, capped) rows: the only credits columns the rule reads."""
    con.execute("CREATE OR REPLACE TABLE main.credits (customer_id VARCHAR, month VARCHAR, "
                "shortfall_numerator HUGEINT, capped BOOLEAN)")
    if rows:
        con.executemany("INSERT INTO main.credits VALUES (?, ?, ?, ?)", rows)


def flags(con, month: str) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT customer_id, months_known, months_below_target, capped_streak, is_chronic, reason "
            "FROM main.chronic_breaches WHERE month = ? ORDER BY customer_id", [month]
        ).fetchall()
    }


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "wh.duckdb")
    yield connection
    connection.close()


def test_three_of_six_months_below_target_is_chronic_two_is_not(con):
    credits_table(con, [
        # acme: below in 2026-05, 2026-08, 2026-10 (3 of the 6 months 2026-05..10); met otherwise
        *[("acme", f"2026-{m:02d}", 1 if m in (5, 8, 10) else -1, False) for m in range(5, 11)],
        # globex: below in 2026-04 (outside the window), 2026-09 and 2026-10
        *[("globex", f"2026-{m:02d}", 1 if m in (4, 9, 10) else 0, False) for m in range(4, 11)],
    ])
    build_chronic_breaches(con, "2026-10", RULE)
    assert flags(con, "2026-10") == {
        "acme": (6, 3, 0, True, "below target in 3 of the last 6 months"),
        # a shortfall of exactly 0 is the target met (R18): not below
        "globex": (6, 2, 0, False, ""),
    }


def test_capped_two_months_running_is_chronic_across_a_year_boundary(con):
    credits_table(con, [
        ("acme", "2025-12", 5, True), ("acme", "2026-01", 5, True),
        ("globex", "2025-11", 5, True), ("globex", "2025-12", 1, False), ("globex", "2026-01", 5, True),
    ])
    build_chronic_breaches(con, "2026-01", RULE)
    assert flags(con, "2026-01") == {
        "acme": (2, 2, 2, True, "credited at the cap 2 months in a row"),
        "globex": (3, 3, 1, True, "below target in 3 of the last 6 months"),
    }


def test_months_never_computed_count_as_neither(con):
    credits_table(con, [("acme", "2026-10", 1, True), ("acme", "2026-08", 1, True)])  # 2026-09 missing
    build_chronic_breaches(con, "2026-10", RULE)
    assert flags(con, "2026-10") == {"acme": (2, 2, 1, False, "")}


def test_rerunning_an_earlier_month_rebuilds_the_later_flags_so_order_does_not_matter(con, tmp_path):
    months = [("acme", "2026-08", 1, True), ("acme", "2026-09", 1, True), ("acme", "2026-10", 1, False)]
    # in order: each month built after the ones before it
    credits_table(con, [])
    for row in months:
        con.execute("INSERT INTO main.credits VALUES (?, ?, ?, ?)", row)
        build_chronic_breaches(con, row[1], RULE)
    in_order = con.execute("SELECT * FROM main.chronic_breaches ORDER BY ALL").fetchall()
    # backwards: 2026-10 first, then 09 and 08; each rebuild reaches the later months
    other = connect(tmp_path / "backwards.duckdb")
    credits_table(other, [])
    for row in reversed(months):
        other.execute("INSERT INTO main.credits VALUES (?, ?, ?, ?)", row)
        rebuilt = build_chronic_breaches(other, row[1], RULE)
    assert sorted(rebuilt) == ["2026-08", "2026-09", "2026-10"]
    assert other.execute("SELECT * FROM main.chronic_breaches ORDER BY ALL").fetchall() == in_order
    other.close()
    assert flags(con, "2026-10")["acme"][:4] == (3, 3, 0, True)


def test_the_policy_carries_the_rule_and_refuses_a_bad_one(tmp_path):
    version = load_policy(DEFAULT_POLICY_FILE).version_for("2026-10")
    assert version.chronic == RULE
    text = DEFAULT_POLICY_FILE.read_text().replace("below_target_months: 3", "below_target_months: 7")
    bad = tmp_path / "policy.yaml"
    bad.write_text(text)
    with pytest.raises(PolicyError, match=r"chronic_breaches.below_target_months: 7 months below target cannot fit"):
        load_policy(bad)
    bad.write_text(DEFAULT_POLICY_FILE.read_text().replace("window_months: 6", "window_months: '6'"))
    with pytest.raises(PolicyError, match=r"chronic_breaches.window_months: must be a whole number"):
        load_policy(bad)


def test_the_finance_summary_flags_chronic_customers_and_no_statement_mentions_it(statement_month, statement_con,
                                                                                 tmp_path):
    """The designed month 2025-03 (fixtures/statements.py) with two earlier months of credits for acme,
    both below target and capped: acme is flagged in `_summary.pdf`, and in no customer's statement."""
    from fixtures.statements import AS_OF, MONTH

    from pipeline.statements import render_month
    from pipeline.statements.inspect import pdf_text

    con = statement_con
    for earlier in ("2025-01", "2025-02"):
        con.execute(
            "INSERT INTO main.credits BY NAME SELECT * REPLACE (CAST(? AS VARCHAR) AS month, true AS capped,"
            " 1 AS shortfall_numerator) FROM main.credits WHERE month = ? AND customer_id = 'acme'",
            [earlier, MONTH],
        )
    build_chronic_breaches(con, "2025-01", statement_month.policy.chronic)
    assert flags(con, MONTH)["acme"][:2] == (3, 3)  # months known, months below target
    render_month(con, MONTH, tmp_path / "out", as_of=AS_OF, workers=1, credit_scheme=statement_month.policy.credits)
    summary = " ".join(pdf_text(tmp_path / "out" / MONTH / "_summary.pdf").split())
    assert "Chronic breaches Customer Why flagged acme below target in 3 of the last 6 months" in summary
    assert "acme · chronic" in summary
    for pdf in (tmp_path / "out" / MONTH).glob("[!_]*.pdf"):
        assert "chronic" not in pdf_text(pdf).lower(), pdf.name

