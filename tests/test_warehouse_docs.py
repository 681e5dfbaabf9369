"""The warehouse documents itself (issue 11 part 3): comments on every `main` table, view and column,
docs/warehouse.md generated from them, its example queries, and the DuckDB shell the README promises.

All read the session's published sample month (conftest.py `published_october`), never a copy made by
hand: the comments are the ones publication applied.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from pipeline.settings import SQL_DIR
from pipeline.warehouse import connection
from pipeline.warehouse.comments import CATALOG_FILE, load_catalog, main_objects, missing_comments, read_comments
from pipeline.warehouse.sqlrunner import load_model
from tools import warehouse_doc

DUCKDB_SHELL = Path(sys.executable).parent / "duckdb"


@pytest.fixture(scope="module")
def con(published_october):
    with connection(published_october.warehouse, read_only=True) as con:
        yield con


def test_every_main_table_view_and_column_has_a_comment(con):
    missing = missing_comments(con)
    assert not missing, (
        f"no COMMENT for {', '.join(missing)} — add them to sql/{CATALOG_FILE} (one sentence per column, with its"
        " unit). A table made by sql/marts/<table>.sql takes its comment from that file's header; a table"
        " written by Python or a view needs a `description:` there. Then regenerate docs/warehouse.md:"
        f" `{warehouse_doc.REGENERATE}`."
    )


def test_the_column_list_names_only_what_the_warehouse_has(con):
    objects = main_objects(con)
    stale = [
        f"{table}.{column}"
        for table, doc in load_catalog().items()
        for column in doc.columns
        if table not in objects or column not in objects[table][1]
    ]
    assert not stale, f"sql/{CATALOG_FILE} documents columns the published warehouse does not have: {stale}"


def test_a_mart_comment_is_its_sql_header_and_python_tables_have_their_own(con):
    described = read_comments(con)
    header = " ".join(load_model("marts/credits").description.split())
    assert described["credits"][:2] == ("TABLE", header)
    assert header.startswith("Service credits of enterprise customer-months (R18, R19)")
    assert "Grain: one row per customer with an enterprise contract" in header
    kind, comment, _ = described["statements"]
    assert kind == "TABLE" and "one row per customer × month × version" in comment
    assert described["raw_probe_files_csv"][0] == "VIEW"


def test_units_are_explicit(con):
    """Minutes or seconds, a fraction or a percent: the column's comment says which."""
    checked = 0
    for table, (_, _, columns) in read_comments(con).items():
        for column, _, text in columns:
            if column.endswith("_minutes"):
                assert "minutes" in text, f"{table}.{column}: {text}"
            elif column.endswith("_seconds"):
                assert "seconds" in text, f"{table}.{column}: {text}"
            elif column in {"uptime", "coverage", "target", "attainment"}:
                assert "fraction" in text and "percent" not in text, f"{table}.{column}: {text}"
            elif column == "credit_pct":
                assert "percent" in text and "5.0000 = 5 %" in text, f"{table}.{column}: {text}"
            elif column.endswith("_minor"):
                assert "minor units" in text, f"{table}.{column}: {text}"
            else:
                continue
            checked += 1
    assert checked >= 23  # the unit-bearing columns of today; new ones are checked too


def test_the_raw_probe_views_share_one_column_list():
    entries = yaml.safe_load((SQL_DIR / CATALOG_FILE).read_text())
    views = [name for name in entries if name.startswith("raw_probe_files_")]
    assert views == ["raw_probe_files_csv", "raw_probe_files_jsonl", "raw_probe_files_parquet"]
    assert len({tuple(entries[v]["columns"].items()) for v in views}) == 1


def test_docs_warehouse_md_is_generated_from_the_comments(con):
    assert warehouse_doc.DOC.read_text(encoding="utf-8") == warehouse_doc.render(con), (
        f"docs/warehouse.md is out of date with the warehouse's comments; regenerate it: `{warehouse_doc.REGENERATE}`"
    )


def test_the_doc_lists_every_table_with_its_columns(con):
    text = warehouse_doc.render(con)
    for name, (kind, _, columns) in read_comments(con).items():
        assert f"\n### {name}\n\n*{kind.lower()}* — " in text
        for column, data_type, _ in columns:
            assert f"| `{column}` | {data_type} |" in text
    assert "| `credit_pct` | DECIMAL(9,4) | the credit in percent of fee_base (5.0000 = 5 %)" in text


def _example(title: str) -> str:
    (found,) = [e.sql for e in warehouse_doc.EXAMPLES if e.title == title]
    return found


def test_every_example_query_runs_against_the_sample_month(con):
    for example in warehouse_doc.EXAMPLES:
        assert con.execute(example.sql).fetchall(), f"example {example.title!r} returned no row"
        assert f"```sql\n{example.sql}\n```" in warehouse_doc.DOC.read_text(encoding="utf-8")


def test_example_credits_per_currency(con):
    rows = con.execute(_example("Credits finance pays, per month and currency")).fetchall()
    assert rows == [
        ("2026-10", "EUR", Decimal("1250.0000"), 1),
        ("2026-10", "JPY", Decimal("150000.0000"), 1),
        ("2026-10", "USD", Decimal("1246.7800"), 2),
    ]


def test_example_uptime_and_periods_add_up_to_u(con):
    (uptime,) = con.execute(_example("One customer's uptime and the minutes behind it")).fetchall()
    assert uptime == ("enterprise", 44640, 90, 30, 0, 25, 10, Decimal("0.99798387"), Decimal("0.99900000"))
    periods = con.execute(_example("Unavailable periods of a customer (consecutive minutes)")).fetchall()
    assert sum(minutes for *_, minutes in periods) == 90
    assert periods[1] == (datetime(2026, 10, 13, 9, 0, tzinfo=UTC), datetime(2026, 10, 13, 9, 52, tzinfo=UTC), 52)
    excused = con.execute(_example("Why minutes were excused")).fetchall()
    assert sum(row[-1] for row in excused) == 30  # = maintenance_minutes: only M-1 (notice 2881 min > 48 h)
    assert [row[2] for row in excused if row[3]] == ["M-1", "M-5"]


def test_example_breached_tickets_and_rejections(con):
    breached = con.execute(_example("A customer's breached tickets, with their clocks")).fetchall()
    assert ("TK-24146", "response", "S1", False, 3600, 6438) in [row[:6] for row in breached]
    assert len(breached) == 8
    accounting = {row[0]: row[1:] for row in con.execute(_example("Rows the run could not load, per file")).fetchall()}
    assert accounting["tickets.csv"] == (163, 145, 6, 11, 1, 11)


# --- the DuckDB shell -------------------------------------------------------------------------------------


def _shell(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(DUCKDB_SHELL), *args], capture_output=True, text=True, timeout=60, check=False)


def test_the_duckdb_shell_reads_the_published_warehouse_read_only(published_october):
    """`duckdb -readonly warehouse/sla.duckdb` as the README says: PyPI's duckdb-cli (a 1.x shell) opens the
    file DuckDB 2.0 wrote, because the build is created with storage_compatibility_version v1.4.0."""
    assert DUCKDB_SHELL.is_file(), "the duckdb shell is missing from the environment: `make install` (duckdb-cli)"
    warehouse = str(published_october.warehouse)
    version = _shell("-readonly", "-noheader", "-csv", warehouse, "-c", "SELECT library_version FROM pragma_version()")
    assert version.returncode == 0, version.stderr
    assert re.fullmatch(r"v1\.\d+\.\d+", version.stdout.strip())
    credits = _shell(
        "-readonly", "-noheader", "-csv", warehouse, "-c",
        "SELECT customer_id, credit_amount_minor, currency FROM credits WHERE month = '2026-10' AND credit_amount_minor > 0"
        " ORDER BY customer_id",
    )
    assert credits.returncode == 0, credits.stderr
    assert credits.stdout.split() == ["globex,100001,USD", "kyoto-ai,150000,JPY", "quote-co,125000,EUR", "umbrella,24677,USD"]
    comment = _shell(
        "-readonly", "-noheader", "-list", warehouse, "-c",
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'uptime_monthly' AND column_name = 'no_data_minutes'",
    )
    assert comment.stdout.strip() == "minutes without probe data, in minutes (R15; never lower uptime)"


def test_the_duckdb_shell_cannot_write_a_read_only_session(published_october):
    denied = _shell("-readonly", str(published_october.warehouse), "-c", "DELETE FROM credits")
    assert denied.returncode != 0
    assert "read-only" in denied.stderr.lower()
    with connection(published_october.warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM credits").fetchone()[0] == 7
