"""`sla-report status | check | statements | explain | export` on the published sample month (issue 11 part 2).

Every command reads the session's published 2026-10 (conftest `published_october`) read-only; tests that
need a different warehouse (a failing check, a ledger, a changed PDF) change a copy of it.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline import ops_cli
from pipeline.cli import main
from pipeline.defs.checks import CHECKS
from pipeline.warehouse import connection

# the sample month passes every check but rejected_input_rows (a WARN: the drop has designed bad rows)
ONE_WARNING = f"{len(CHECKS) - 1}/{len(CHECKS)} pass, 1 warn"
DOC = Path(__file__).resolve().parent.parent / "docs" / "operations-cli.md"


@pytest.fixture
def published(published_october, tmp_path, monkeypatch):
    monkeypatch.setenv("SLA_WAREHOUSE", str(published_october.warehouse))
    monkeypatch.setenv("SLA_STATEMENTS_DIR", str(published_october.statements))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "no-instance"))  # no instance: no Dagster column
    return published_october


@pytest.fixture
def warehouse_copy(published, tmp_path, monkeypatch):
    """A writable copy of the published warehouse that the commands then read."""
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(published.warehouse, copy)
    monkeypatch.setenv("SLA_WAREHOUSE", str(copy))
    return copy


def cli(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def cells(line: str) -> list[str]:
    """A text_table line's cells (columns are separated by two or more spaces)."""
    return [c for c in line.split("  ") if c.strip()]


def row(lines: list[str], first: str) -> list[str]:
    """The cells of the first table line starting with `first`."""
    found = next(line for line in lines if line.split()[:1] == [first])
    return [c.strip() for c in cells(found)]


# --- help and exit codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("status", "One line per published month"),
        ("check", "Exit 3 when a blocking ERROR check fails"),
        ("statements", "ok / file changed / file missing"),
        ("explain", "the periods, maintenance windows and incidents behind them"),
        ("export", "Parquet columns carry the warehouse's column comments"),
    ],
)
def test_every_command_has_useful_help_with_its_exit_codes(capsys, command, says):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert " ".join(says.split()) in out
    assert f"example: sla-report {command}" in out
    for code in ("0 done", "1 could not do it", "2 wrong usage", "3 (check only)"):
        assert code in out
    assert "SLA_WAREHOUSE" in out


def test_the_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("run", *ops_cli.COMMANDS):
        assert any(line.startswith(f"    {command}") for line in out.splitlines()), command


def test_every_exit_code_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for code, meaning in [("0", "done"), ("1", "could not do it"), ("2", "wrong usage"), ("3", "blocking")]:
        assert f"| `{code}` |" in text and meaning in text
    for command in ops_cli.COMMANDS:
        assert f"`sla-report {command}" in text


def test_a_missing_month_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["check"])
    assert exit_.value.code == 2
    assert "the following arguments are required: --month" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["status", "--month", "10-2026"], "sla-report: month must look like YYYY-MM, got '10-2026'"),
        (
            ["check", "--month", "2026-09"],
            "sla-report: 2026-09 is not in the published warehouse {wh} (published months: 2026-10)",
        ),
        (
            ["explain", "--month", "2026-10", "--customer", "nobody"],
            "sla-report: 'nobody' is not a customer in 2026-10; customers with a statement: acme, globex, hooli, initech,"
            " kyoto-ai, quote-co, umbrella",
        ),
        (
            ["explain", "--month", "2026-10", "--customer", "vandelay"],
            "sla-report: 'vandelay' has no enterprise contract (no statement) in 2026-10; customers with a statement: acme,"
            " globex, hooli, initech, kyoto-ai, quote-co, umbrella",
        ),
    ],
)
def test_errors_are_one_line_and_exit_1(published, capsys, argv, message):
    code, out, err = cli(capsys, *argv)
    assert code == 1 and out == []
    assert err.splitlines() == [message.format(wh=published.warehouse)]


def test_no_published_warehouse_says_what_to_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SLA_WAREHOUSE", str(tmp_path / "nothing.duckdb"))
    code, _, err = cli(capsys, "status")
    assert code == 1
    assert err.splitlines() == [
        f"sla-report: no published warehouse at {tmp_path / 'nothing.duckdb'} (run `sla-report run --month YYYY-MM`"
        " first, or set SLA_WAREHOUSE)"
    ]


# --- status ----------------------------------------------------------------------------------------------


def test_status_shows_the_run_checks_statements_credits_and_issuance(published, capsys):
    code, out, _ = cli(capsys, "status")
    assert code == 0
    assert out[0].split() == ["month", "published", "run", "as-of", "checks", "statements", "credits", "chronic",
                              "issuance"]
    assert "Dagster" not in out[0]  # no instance in DAGSTER_HOME
    run_id = published.result.run_id
    assert row(out, "2026-10")[1:] == [
        f"{run_id} at {row(out, '2026-10')[1].split(' at ')[1]}",
        "2026-11-16 09:00:00Z (data)",
        ONE_WARNING,
        "7",
        "1250.00 EUR, 150000 JPY, 1246.78 USD",
        "-",  # chronic_breaches: one month of history flags nobody
        "7 draft",  # the finance ledger's statement_status: nothing approved yet
    ]


def test_without_the_ledger_status_and_statements_leave_issuance_out(warehouse_copy, capsys):
    with connection(warehouse_copy) as con:
        con.execute("DROP VIEW main.statement_status")
    code, out, _ = cli(capsys, "status")
    assert code == 0 and "issuance" not in out[0]
    assert row(out, "2026-10")[-2:] == ["1250.00 EUR, 150000 JPY, 1246.78 USD", "-"]
    _, out, _ = cli(capsys, "statements", "--month", "2026-10")
    assert out[0].split() == ["customer", "name", "credit", "version", "file", "path"]
    assert row(out, "globex")[2:5] == ["1000.01 USD", "v1", "ok"]


def test_status_names_the_chronic_breaches_of_the_month(warehouse_copy, capsys):
    """Issue 13 part 4: the policy rule's flags (here set by hand on the copy) show in `status`."""
    with connection(warehouse_copy) as con:
        con.execute("UPDATE main.chronic_breaches SET is_chronic = customer_id IN ('globex', 'quote-co')")
    code, out, _ = cli(capsys, "status", "--month", "2026-10")
    assert code == 0
    assert row(out, "2026-10")[out[0].split().index("chronic") - 1] == "2: globex, quote-co"


def test_status_and_statements_show_each_statements_issuance(warehouse_copy, capsys):
    with connection(warehouse_copy) as con:
        con.execute(
            "CREATE OR REPLACE VIEW main.statement_status AS SELECT customer_id, month, version,"
            " CASE WHEN customer_id IN ('globex', 'kyoto-ai') THEN 'issued' ELSE 'draft' END AS status"
            " FROM main.statements"
        )
    code, out, _ = cli(capsys, "status", "--month", "2026-10")
    assert code == 0 and "issuance" in out[0]
    assert row(out, "2026-10")[-1] == "5 draft, 2 issued"
    code, out, _ = cli(capsys, "statements", "--month", "2026-10")
    assert out[0].split() == ["customer", "name", "credit", "version", "status", "file", "path"]
    assert row(out, "globex")[2:6] == ["1000.01 USD", "v1", "issued", "ok"]
    assert row(out, "acme")[2:6] == ["0.00 EUR", "v1", "draft", "ok"]


def test_status_shows_the_newest_dagster_run_of_each_month(published, tmp_path, monkeypatch, capsys):
    """A later run that failed shows beside the month it left untouched (a real run on an empty drop)."""
    import dagster as dg

    from pipeline.defs import defs
    from pipeline.defs.instance import ensure_dagster_home
    from pipeline.defs.resources import SlaEnvironment
    from pipeline.settings import Settings

    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    ensure_dagster_home(Settings.from_env())
    (tmp_path / "empty-drop").mkdir()
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("monthly_sla_report").execute_in_process(
            partition_key="2026-10",
            instance=instance,
            resources={
                "sla": SlaEnvironment(
                    data_dir=str(tmp_path / "empty-drop"),
                    warehouse=str(tmp_path / "w.duckdb"),
                    statements_dir=str(tmp_path / "st"),
                )
            },
            raise_on_error=False,
        )
    assert not result.success
    code, out, _ = cli(capsys, "status")
    assert code == 0 and out[0].rstrip().endswith("last Dagster run")
    assert row(out, "2026-10")[-1].startswith("FAILURE at 20")
    assert row(out, "2026-10")[3] == ONE_WARNING  # the published month is what it was


# --- check -----------------------------------------------------------------------------------------------


def test_check_prints_every_check_and_the_violating_rows(published, capsys):
    code, out, _ = cli(capsys, "check", "--month", "2026-10", "--limit", "2")
    assert code == 0
    assert out[0] == f"checks of 2026-10 on {published.warehouse}"
    assert row(out, "rejected_input_rows") == ["rejected_input_rows", "rejected_rows", "WARN", "FAIL", "47"]
    assert row(out, "credits_out_of_bounds") == ["credits_out_of_bounds", "credits", "ERROR", "pass", "0"]
    assert sum(1 for line in out[3 : 3 + len(CHECKS)] if " pass " in line) == len(CHECKS) - 1
    start = out.index("rejected_input_rows (WARN) — 47 violating rows (first 2 of 47; --limit N shows more)")
    assert out[start + 1].split() == ["source_file", "reason", "rows_rejected", "first_line"]
    assert row(out[start + 3 : start + 5], "contracts.csv")[1:] == [
        "monthly_fee '12,500.00' is not a decimal number (like 12500.00)",
        "1",
        "14",
    ]
    assert len(out) == start + 5


def test_check_exits_3_when_a_blocking_check_fails(warehouse_copy, capsys):
    with connection(warehouse_copy) as con:
        con.execute("UPDATE main.credits SET credit_amount = -1 WHERE customer_id = 'globex'")
    code, out, _ = cli(capsys, "check", "--month", "2026-10")
    assert code == 3
    assert row(out, "credits_out_of_bounds")[3:] == ["FAIL", "1"]
    assert row(out, "statements_missing_or_disagreeing")[3:] == ["FAIL", "1"]
    assert out[-1] == "blocking checks failed: credits_out_of_bounds, statements_missing_or_disagreeing"


# --- statements ------------------------------------------------------------------------------------------


def test_statements_lists_credit_in_minor_units_and_the_files(published, capsys):
    code, out, _ = cli(capsys, "statements", "--month", "2026-10")
    assert code == 0
    assert out[0].split() == ["customer", "name", "credit", "version", "status", "file", "path"]
    pdf = published.statements / "2026-10"
    assert row(out, "globex") == [
        "globex",
        "Globex Corporation",
        "1000.01 USD",
        "v1",
        "draft",
        "ok",
        str(pdf / "globex.pdf"),
    ]
    assert row(out, "umbrella")[2:6] == ["246.77 USD", "v1", "draft", "ok"]
    assert len(out) == 2 + 7


def test_statements_says_when_a_pdf_changed_or_vanished(warehouse_copy, published, tmp_path, capsys):
    changed = tmp_path / "globex.pdf"
    changed.write_bytes((published.statements / "2026-10" / "globex.pdf").read_bytes() + b"\n")
    with connection(warehouse_copy) as con:
        con.execute("UPDATE main.statements SET path = ? WHERE customer_id = 'globex'", [str(changed)])
        con.execute("UPDATE main.statements SET path = ? WHERE customer_id = 'acme'", [str(tmp_path / "gone.pdf")])
    _, out, _ = cli(capsys, "statements", "--month", "2026-10")
    assert row(out, "globex")[5] == "file changed"
    assert row(out, "acme")[5] == "file missing"
    assert row(out, "hooli")[5] == "ok"


# --- explain ---------------------------------------------------------------------------------------------


def explain(capsys, customer: str) -> list[str]:
    code, out, err = cli(capsys, "explain", "--month", "2026-10", "--customer", customer)
    assert code == 0, err
    return out


def test_explain_credit_from_minutes_to_cents(published, capsys):
    out = explain(capsys, "globex")
    assert out[0] == "Globex Corporation (globex) — 2026-10"
    assert row(out, "C-GLOBEX-2") == [
        "C-GLOBEX-2",
        "enterprise",
        "2026-10-01 00:00:00Z",
        "2026-11-01 00:00:00Z",
        "44640",
        "20000.10 USD",
        "44640 / 44640 min",
    ]
    assert row(out, "enterprise") == ["enterprise", "44640", "90", "30", "0", "25", "10", "99.798", "99.900"]
    assert "shortfall = U/T − (1 − target) = 90/44640 − (1 − 0.99900000) = 45360/44640000 ≈ 0.00101613" in out
    assert "steps (whole_steps) = 1; credit = 5.0000 % of the fee base" in out
    assert "credit = 5.0000 % × 20000.10 USD, half-up to the minor unit = 1000.01 USD" in out


def test_explain_minutes_per_class_with_the_windows_behind_them(published, capsys):
    out = explain(capsys, "globex")
    periods = [cells(line) for line in out if line.startswith("enterprise  ") and "Z  " in line]
    assert [c.strip() for c in periods[1]] == [
        "enterprise",
        "maintenance",
        "2026-10-10 02:00:00Z",
        "2026-10-10 02:30:00Z",
        "30",
        "M-1",
        "maintenance: Database failover test (announced 48h01m ahead)",
    ]
    assert [c.strip() for c in periods[2]][:5] == [
        "enterprise",
        "unavailable",
        "2026-10-13 09:00:00Z",
        "2026-10-13 09:52:00Z",
        "52",
    ]
    assert (
        "totals: enterprise maintenance 30, enterprise no_data 10, enterprise unavailable 90, enterprise upstream 25"
        in out
    )
    # the windows: M-2 was announced exactly 48 h ahead, so it excuses nothing (R16: more than 48 h)
    assert row(out, "M-2") == [
        "M-2",
        "maintenance",
        "2026-10-21 02:00:00Z",
        "2026-10-21 02:10:00Z",
        "-",
        "2880",
        "no",
        "0",
        "Gateway node rotation (announced exactly 48h ahead)",
    ]
    assert row(out, "M-1")[5:8] == ["2881", "yes", "30"]


def test_explain_tickets_per_clock_with_their_segments(published, capsys):
    out = explain(capsys, "globex")
    start = out.index(
        "TK-24146 response (enterprise): breached — S1, 1:47:18 (6438 s) calendar of 1:00:00 (3600 s); clock stopped,"
        " started 2026-10-14 11:30:30Z, stopped 2026-10-14 14:54:22Z, due 2026-10-14 14:07:04Z, breached 2026-10-14 14:07:04Z"
    )
    assert [c.strip() for c in cells(out[start + 3])] == [
        "1",
        "S3",
        "2026-10-14 11:30:30Z",
        "2026-10-14 13:07:04Z",
        "2026-10-14 11:30:30Z",
        "8:00:00 (28800 s)",
        "1:36:34 (5794 s)",
        "no",
        "-",
    ]
    assert [c.strip() for c in cells(out[start + 4])] == [
        "2",
        "S1",
        "2026-10-14 13:07:04Z",
        "2026-10-14 14:54:22Z",
        "2026-10-14 13:07:04Z",
        "1:00:00 (3600 s)",
        "1:47:18 (6438 s)",
        "yes",
        "2026-10-14 14:07:04Z",
    ]
    assert any(
        line.startswith(
            "T-LOWER-1 resolution (enterprise): no_target — S4, 25:00:00 (90000 s) calendar"
            " (no target for this severity)"
        )
        for line in out
    )
    assert row(out[out.index("== Attainment per severity and clock (R12)  [support_attainment]") :], "enterprise")[
        :8
    ] == [
        "enterprise",
        "S1",
        "response",
        "2",
        "1",
        "0",
        "0",
        "66.666",
    ]


def test_explain_classes_add_up_to_the_uptime_mart_for_every_customer(published, capsys):
    with connection(published.warehouse, read_only=True) as con:
        marts = con.execute(
            "SELECT customer_id, unavailable_minutes, maintenance_minutes + customer_caused_minutes, no_data_minutes"
            " FROM main.uptime_monthly WHERE month = '2026-10' AND plan = 'enterprise' ORDER BY customer_id"
        ).fetchall()
    assert len(marts) == 7
    for customer, unavailable, excused, no_data in marts:
        (totals,) = [line for line in explain(capsys, customer) if line.startswith("totals: ")]
        counted = {}
        for part in totals.removeprefix("totals: ").split(", "):
            if part != "none":
                plan, state, n = part.split()
                if plan == "enterprise":
                    counted[state] = int(n)
        assert counted.get("unavailable", 0) == unavailable, customer
        assert counted.get("maintenance", 0) + counted.get("customer_caused", 0) == excused, customer
        assert counted.get("no_data", 0) == no_data, customer


# --- export ----------------------------------------------------------------------------------------------


def test_export_parquet_has_every_mart_of_the_month_with_its_comments(published, tmp_path, capsys):
    out_dir = tmp_path / "out"
    code, out, _ = cli(capsys, "export", "--month", "2026-10", "--format", "parquet", "--out", str(out_dir))
    assert code == 0 and out[0] == f"exported 2026-10 from {published.warehouse} to {out_dir}"
    with connection(published.warehouse, read_only=True) as con:
        tables = ops_cli.exportable_tables(con)
        counts = {
            t: con.execute(f'SELECT count(*) FROM main."{t}" WHERE month = ?', ["2026-10"]).fetchone()[0]
            for t in tables
        }
    assert {"credits", "uptime_monthly", "ticket_sla", "statements", "rejected_rows"} <= set(tables)
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(f"{t}.parquet" for t in tables)
    for table, count in counts.items():
        assert pq.read_metadata(out_dir / f"{table}.parquet").num_rows == count, table
        assert row(out, f"{table}.parquet") == [f"{table}.parquet", str(count)]
    credits = pq.read_table(out_dir / "credits.parquet")
    by_customer = dict(zip(credits["customer_id"].to_pylist(), credits["credit_amount_minor"].to_pylist(), strict=True))
    assert by_customer == {
        "acme": 0,
        "globex": 100001,
        "hooli": 0,
        "initech": 0,
        "kyoto-ai": 150000,
        "quote-co": 125000,
        "umbrella": 24677,
    }
    assert (
        credits.schema.field("credit_pct").metadata[b"comment"].decode().startswith("the credit in percent of fee_base")
    )


def test_export_csv_reads_back_with_the_same_figures(published, tmp_path, capsys):
    out_dir = tmp_path / "csv"
    assert cli(capsys, "export", "--month", "2026-10", "--format", "csv", "--out", str(out_dir))[0] == 0
    with open(out_dir / "uptime_monthly.csv", newline="", encoding="utf-8") as handle:
        rows = {r["customer_id"]: r for r in csv.DictReader(handle)}
    assert (rows["globex"]["total_minutes"], rows["globex"]["unavailable_minutes"], rows["globex"]["uptime"]) == (
        "44640",
        "90",
        "0.99798387",
    )
    # CSV has no nested values: a list column is written as JSON text
    with connection(published.warehouse, read_only=True) as con:
        nested = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' AND data_type LIKE '%[]'"
            " AND table_name IN (SELECT table_name FROM duckdb_tables()) ORDER BY ALL LIMIT 1"
        ).fetchone()
        if nested:
            table, column = nested
            (expected,) = con.execute(
                f'SELECT to_json("{column}")::VARCHAR FROM main."{table}" WHERE month = ? ORDER BY ALL LIMIT 1', ["2026-10"]
            ).fetchone() or (None,)
    if nested and expected is not None:
        with open(out_dir / f"{table}.csv", newline="", encoding="utf-8") as handle:
            assert expected in [r[column] for r in csv.DictReader(handle)]
    # a second export replaces the files and leaves no partial file behind
    assert cli(capsys, "export", "--month", "2026-10", "--format", "csv", "--out", str(out_dir))[0] == 0
    assert not [p for p in out_dir.iterdir() if p.name.endswith(".partial")]


def test_export_refuses_an_unusable_out(published, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = cli(capsys, "export", "--month", "2026-10", "--format", "csv", "--out", str(blocker / "sub"))
    assert code == 1
    assert err.splitlines() == [f"sla-report: cannot create --out {blocker / 'sub'}: Not a directory"]


def test_the_commands_never_write_the_warehouse(published, capsys):
    before = published.warehouse.read_bytes()
    for argv in (
        ["status"],
        ["check", "--month", "2026-10"],
        ["statements", "--month", "2026-10"],
        ["explain", "--month", "2026-10", "--customer", "acme"],
    ):
        assert cli(capsys, *argv)[0] == 0
    assert published.warehouse.read_bytes() == before
    with pytest.raises(duckdb.Error):
        ops_cli.open_published(type("S", (), {"warehouse": published.warehouse})()).execute("DELETE FROM credits")
