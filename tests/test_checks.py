"""Every data-quality check with data that must pass and data that must fail."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pipeline.defs.checks import CHECKS
from pipeline.policy import AcceptedRejections, CheckPolicy, load_policy
from pipeline.warehouse import connection
from pipeline.warehouse.sqlchecks import accept_reviewed_files, run_check, threshold_params

PARAMS = {
    "month": "2026-10",
    "month_start": datetime(2026, 10, 1, tzinfo=UTC),
    "month_end": datetime(2026, 11, 1, tzinfo=UTC),
    "cap_pct": Decimal("25"),
    **threshold_params(CheckPolicy()),  # the issue's thresholds: 5 % of ≥ 100 rows, coverage 99.5 % / 90 %
}


@pytest.fixture
def con(tmp_path):
    with connection(tmp_path / "wh.duckdb") as con:
        con.execute("CREATE SCHEMA intermediate")
        yield con


CHECKS_BY_NAME = [(name, severity.value) for _, name, severity in CHECKS]


def test_every_declared_check_has_its_sql():
    from pipeline.warehouse.sqlchecks import check_sql

    for _, name, _ in CHECKS:
        assert check_sql(name).lstrip().startswith("--"), name


def test_accounting_balances(con):
    con.execute("CREATE TABLE input_file_accounting AS SELECT * FROM (VALUES"
                " ('2026-10', 'tickets.csv', 10, 6, 1, 2, 1), ('2026-10', 'customers.csv', 5, 4, 0, 0, 0),"
                " ('2026-09', 'old.csv', 9, 0, 0, 0, 0))"
                " t(month, source_file, rows_read, rows_used, rows_other_months, rows_rejected, rows_collapsed)")
    outcome = run_check(con, "accounting_balances", PARAMS)
    assert [r[0] for r in outcome.rows] == ["customers.csv"]  # 5 read, 4 accounted for; September ignored


def test_rejected_input_rows_groups_by_file_and_reason(con):
    con.execute("CREATE TABLE rejected_rows AS SELECT * FROM (VALUES"
                " ('2026-10', 'tickets.csv', 4, 'severity ''S5'' is not one of S1, S2, S3, S4', 'raw'),"
                " ('2026-10', 'tickets.csv', 9, 'severity ''S5'' is not one of S1, S2, S3, S4', 'raw'))"
                " t(month, source_file, line_number, reason, raw)")
    outcome = run_check(con, "rejected_input_rows", PARAMS)
    assert outcome.rows == [("tickets.csv", "severity 'S5' is not one of S1, S2, S3, S4", 2, 4)]
    con.execute("DELETE FROM rejected_rows")
    assert run_check(con, "rejected_input_rows", PARAMS).passed


def test_as_of_before_month_end(con):
    con.execute("CREATE TABLE report_runs AS SELECT '2026-10' AS month, TIMESTAMPTZ '2026-10-31T23:59:00Z' AS as_of,"
                " 'override' AS as_of_source")
    assert len(run_check(con, "as_of_before_month_end", PARAMS).rows) == 1
    con.execute("UPDATE report_runs SET as_of = TIMESTAMPTZ '2026-11-01T00:00:00Z'")
    assert run_check(con, "as_of_before_month_end", PARAMS).passed


def test_tickets_without_both_clocks(con):
    con.execute("CREATE TABLE intermediate.valid_tickets AS SELECT * FROM (VALUES ('T1', 'acme', '2026-10'),"
                " ('T2', 'acme', '2026-10')) t(ticket_id, customer_id, month)")
    con.execute("CREATE TABLE ticket_sla AS SELECT * FROM (VALUES ('T1', '2026-10', 'response'),"
                " ('T1', '2026-10', 'resolution'), ('T2', '2026-10', 'response')) t(ticket_id, month, clock)")
    assert run_check(con, "tickets_without_both_clocks", PARAMS).rows == [("T2", "acme", 1, "response")]
    con.execute("INSERT INTO ticket_sla VALUES ('T2', '2026-10', 'resolution')")
    assert run_check(con, "tickets_without_both_clocks", PARAMS).passed


def _uptime(con, unavailable_minutes: int, uptime: str, listed_unavailable: int) -> None:
    con.execute("CREATE OR REPLACE TABLE uptime_monthly AS SELECT 'acme' AS customer_id, '2026-10' AS month,"
                " 'enterprise' AS plan, 44640 AS total_minutes, $u AS unavailable_minutes, 0 AS maintenance_minutes,"
                " 0 AS customer_caused_minutes, 0 AS upstream_minutes, 0 AS no_data_minutes,"
                " CAST($uptime AS DECIMAL(10, 8)) AS uptime, CAST('0.999' AS DECIMAL(10, 8)) AS target",
                {"u": unavailable_minutes, "uptime": uptime})
    con.execute("CREATE OR REPLACE TABLE availability_minutes AS SELECT 'acme' AS customer_id, '2026-10' AS month,"
                " TIMESTAMPTZ '2026-10-01' + to_minutes(i) AS minute, 'unavailable' AS state FROM range($n) r(i)",
                {"n": listed_unavailable})


def test_uptime_minutes_disagree(con):
    _uptime(con, 90, "0.99798387", 90)  # R17: 1 - 90/44640 = 0.997983870967… truncated
    assert run_check(con, "uptime_minutes_disagree", PARAMS).passed
    _uptime(con, 90, "0.99798388", 90)  # rounded up: wrong
    assert run_check(con, "uptime_minutes_disagree", PARAMS).rows[0][-1] is True
    _uptime(con, 90, "0.99798387", 89)  # a minute missing from availability_minutes
    assert len(run_check(con, "uptime_minutes_disagree", PARAMS).rows) == 1


def test_low_probe_coverage_warns_below_99_5_percent_of_an_enterprise_month(con):
    _uptime(con, 0, "1", 0)
    con.execute("UPDATE uptime_monthly SET no_data_minutes = 223")  # 99.5004 % covered: passes
    assert run_check(con, "low_probe_coverage", PARAMS).passed
    con.execute("UPDATE uptime_monthly SET no_data_minutes = 224")  # 99.4982 % covered
    assert run_check(con, "low_probe_coverage", PARAMS).rows[0][:4] == ("acme", "enterprise", 44640, 224)
    assert run_check(con, "probe_coverage_below_minimum", PARAMS).passed  # a warning only
    con.execute("UPDATE uptime_monthly SET plan = 'growth'")  # not an enterprise customer-month
    assert run_check(con, "low_probe_coverage", PARAMS).passed


def test_probe_coverage_below_90_percent_blocks(con):
    _uptime(con, 0, "1", 0)
    con.execute("UPDATE uptime_monthly SET no_data_minutes = 4464")  # exactly 90 % covered: passes
    assert run_check(con, "probe_coverage_below_minimum", PARAMS).passed
    con.execute("UPDATE uptime_monthly SET no_data_minutes = 4465")
    outcome = run_check(con, "probe_coverage_below_minimum", PARAMS)
    assert outcome.rows == [("acme", "enterprise", 44640, 4465, Decimal("89.998"))]
    assert dict(CHECKS_BY_NAME)["probe_coverage_below_minimum"] == "ERROR"


def _accounting(con, read: int, rejected: int, name: str = "tickets.csv") -> None:
    con.execute("CREATE OR REPLACE TABLE input_file_accounting AS SELECT '2026-10' AS month, $name AS source_file,"
                " $read AS rows_read, $read - $rejected AS rows_used, 0 AS rows_other_months,"
                " $rejected AS rows_rejected, 0 AS rows_collapsed", {"name": name, "read": read, "rejected": rejected})


def test_rejected_share_above_5_percent_of_a_file_of_100_rows_blocks(con):
    _accounting(con, 100, 5)  # exactly 5 %: passes (the gate is "above")
    assert run_check(con, "rejected_share_above_limit", PARAMS).passed
    _accounting(con, 100, 6)
    assert run_check(con, "rejected_share_above_limit", PARAMS).rows == [("tickets.csv", 100, 6, Decimal("6.000"))]
    _accounting(con, 99, 50)  # a small file is never blocked by its share (the WARN check lists its rows)
    assert run_check(con, "rejected_share_above_limit", PARAMS).passed
    assert dict(CHECKS_BY_NAME)["rejected_share_above_limit"] == "ERROR"
    assert dict(CHECKS_BY_NAME)["rejected_input_rows"] == "WARN"


def test_a_reviewed_file_is_accepted_only_with_its_exact_bytes(con, tmp_path):
    import hashlib

    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "tickets.csv").write_bytes(b"reviewed content")
    checks = CheckPolicy(accepted_rejections=(
        AcceptedRejections("tickets.csv", hashlib.sha256(b"reviewed content").hexdigest(), "read by a person"),
    ))
    _accounting(con, 163, 11)
    outcome = accept_reviewed_files(run_check(con, "rejected_share_above_limit", PARAMS), checks, drop)
    assert outcome.passed and outcome.accepted == [("tickets.csv", 163, 11, Decimal("6.748"))]
    (drop / "tickets.csv").write_bytes(b"reviewed content, and one more bad row")
    outcome = accept_reviewed_files(run_check(con, "rejected_share_above_limit", PARAMS), checks, drop)
    assert not outcome.passed and outcome.accepted == []


def test_the_default_policy_carries_the_issue_thresholds_and_accepts_only_the_sample_tickets():
    from pipeline.settings import DEFAULT_POLICY_FILE, PROJECT_ROOT

    checks = load_policy(DEFAULT_POLICY_FILE).checks
    assert threshold_params(checks) == {
        "rejected_error_above_pct": Decimal("5"), "rejected_error_min_rows": 100,
        "coverage_warn_below_pct": Decimal("99.5"), "coverage_error_below_pct": Decimal("90"),
    }
    import hashlib

    sample_tickets = hashlib.sha256((PROJECT_ROOT / "data" / "sample" / "tickets.csv").read_bytes()).hexdigest()
    assert [(a.file, a.sha256) for a in checks.accepted_rejections] == [("tickets.csv", sample_tickets)]


def _credit(con, amount: str, fee_base: str = "1000.00", uptime: str = "0.99700000") -> None:
    con.execute("CREATE OR REPLACE TABLE credits AS SELECT 'acme' AS customer_id, '2026-10' AS month, 'EUR' AS currency,"
                " CAST($fee AS DECIMAL(22, 4)) AS fee_base, CAST('10' AS DECIMAL(9, 4)) AS credit_pct,"
                " CAST($amount AS DECIMAL(22, 4)) AS credit_amount, false AS capped", {"fee": fee_base, "amount": amount})
    con.execute("CREATE OR REPLACE TABLE uptime_monthly AS SELECT 'acme' AS customer_id, '2026-10' AS month,"
                " 'enterprise' AS plan, CAST($uptime AS DECIMAL(10, 8)) AS uptime, CAST('0.999' AS DECIMAL(10, 8)) AS target",
                {"uptime": uptime})


def test_credits_out_of_bounds(con):
    _credit(con, "100.00")
    assert run_check(con, "credits_out_of_bounds", PARAMS).passed
    _credit(con, "250.00")  # exactly the 25 % cap
    assert run_check(con, "credits_out_of_bounds", PARAMS).passed
    _credit(con, "251.00")  # above the cap
    assert not run_check(con, "credits_out_of_bounds", PARAMS).passed
    _credit(con, "5.00", uptime="0.99950000")  # credited although uptime met the target
    assert not run_check(con, "credits_out_of_bounds", PARAMS).passed


def test_statements_missing_or_disagreeing(con):
    _credit(con, "100.00")
    con.execute("CREATE TABLE statements AS SELECT 'acme' AS customer_id, '2026-10' AS month, true AS is_current,"
                " CAST('100.00' AS DECIMAL(38, 4)) AS credit_amount, 'EUR' AS currency, '/x/acme.pdf' AS path")
    assert run_check(con, "statements_missing_or_disagreeing", PARAMS).passed
    con.execute("UPDATE statements SET credit_amount = 99.99")
    assert len(run_check(con, "statements_missing_or_disagreeing", PARAMS).rows) == 1
    con.execute("DELETE FROM statements")
    assert len(run_check(con, "statements_missing_or_disagreeing", PARAMS).rows) == 1
