"""Probe result files (R13, data contract): every format, every rejection reason, record numbers, raw
text, exact duplicates across files and formats, and the accounting identity per file."""

from __future__ import annotations

import gzip

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fixtures.uptime import COLUMNS, UptimeCase, probe

from pipeline.ingest.probes import ProbeFileError, create_probe_views, discover_probe_files
from pipeline.warehouse import connect


@pytest.fixture
def case(tmp_path):
    made = UptimeCase(tmp_path)
    yield made
    made.close()


def rejected(case: UptimeCase, source_file: str | None = None) -> list[dict]:
    rows = case.rows("SELECT * FROM intermediate.probe_rejections ORDER BY source_file, line_number")
    return [r for r in rows if source_file is None or r["source_file"] == source_file]


def accounting(case: UptimeCase) -> dict[str, dict]:
    return {r["source_file"]: r for r in case.rows("SELECT * FROM intermediate.probe_file_accounting")}


@pytest.mark.parametrize("name", ["t.csv", "t.csv.gz", "t.jsonl", "t.jsonl.gz", "t.parquet"])
def test_r13_every_probe_format_is_read(case, name):
    case.write(name, [
        probe("2026-10-03T10:00:40Z", "chat_completions", 500, customer="acme"),
        probe("2026-10-03T10:01:40+02:00", "chat_completions", 0, customer="acme", error="timeout"),  # 08:01Z
    ])
    counts = case.run()
    assert case.states() == {"2026-10-03T08:01:00Z": "unavailable", "2026-10-03T10:00:00Z": "unavailable"}
    row = accounting(case)[f"probes/{name}"]
    assert (row["rows_read"], row["rows_used"], row["rows_rejected"]) == (2, 2, 0)
    assert counts["probe_files"] == 2  # with the baseline


def test_r13_empty_status_is_a_failure(case):
    case.write("t.csv", [probe("2026-10-03T10:00:40Z", "health_live", "", customer="acme", error="timeout")])
    case.run()
    assert case.state("2026-10-03T10:00:00Z") == "unavailable"


def test_each_rejection_reason_is_written_for_a_person(case):
    case.customers.append(("dropped", "Dropped"))
    bad = [
        probe("yesterday", "health_live"),
        probe("2026-10-03T10:00:00", "health_live"),
        probe("2026-10-03 10:00", "health_live"),
        probe("2026-10-03", "health_live"),
        probe("2099-01-01T00:00:00Z", "health_live"),
        probe("2026-10-03T10:00:05Z", "smoke_test"),
        probe("2026-10-03T10:00:05Z", "health_live", customer="nobody"),
        probe("2026-10-03T10:00:05Z", "health_live", status="OK"),
        probe("2026-10-03T10:00:05Z", "health_live", status="200.0"),
        probe("2026-10-03T10:00:05Z", "health_live", latency="fast"),
        probe("", "health_live"),
    ]
    case.write("bad.csv", bad)
    case.run()
    reasons = [(r["line_number"], r["reason"]) for r in rejected(case, "probes/bad.csv")]
    assert reasons == [
        (1, "probed_at 'yesterday' is not an ISO 8601 timestamp with offset"),
        (2, "probed_at '2026-10-03T10:00:00' has no UTC offset, so the instant is ambiguous (write Z or ±hh:mm)"),
        (3, "probed_at '2026-10-03 10:00' has no UTC offset, so the instant is ambiguous (write Z or ±hh:mm)"),
        (4, "probed_at '2026-10-03' is not an ISO 8601 timestamp with offset"),
        (5, "probed_at '2099-01-01T00:00:00Z' is in the future (the run started at 2026-11-05T06:00:00Z)"),
        (6, "unknown check 'smoke_test' (expected health_live or chat_completions)"),
        (7, "unknown customer 'nobody' (not in customers.csv)"),
        (8, "status_code 'OK' is not an HTTP status (an integer; empty or 0 = timeout)"),
        (9, "status_code '200.0' is not an HTTP status (an integer; empty or 0 = timeout)"),
        (10, "latency_ms 'fast' is not a number of milliseconds"),
        (11, "probed_at is empty"),
    ]
    assert rejected(case)[1]["raw"] == "2026-10-03T10:00:00,health_live,eu-west,,200,,120"
    row = accounting(case)["probes/bad.csv"]
    assert (row["rows_read"], row["rows_rejected"], row["rows_used"]) == (11, 11, 0)
    assert case.states() == {}


def test_a_row_of_a_rejected_customer_inherits_the_reason(case):
    case.write("t.csv", [probe("2026-10-03T10:00:05Z", customer="broken")])
    case.con = None
    # ingestion's table of customer rows and their fate (present in a real run)
    from pipeline.warehouse import connect

    con = connect(case.root / "warehouse.duckdb")
    con.execute("CREATE SCHEMA intermediate")
    con.execute("CREATE TABLE intermediate.customer_references AS SELECT 'broken' AS customer_id, false AS is_valid, "
                "'its customer was rejected (customers.csv line 4)' AS rejection")
    con.close()
    case.run()
    assert [r["reason"] for r in rejected(case)] == ["its customer was rejected (customers.csv line 4)"]


def test_csv_record_numbers_count_records_not_lines(case):
    path = case.data_dir / "probes" / "multi.csv"
    path.write_text(
        ",".join(COLUMNS) + "\n"
        '2026-10-03T10:00:05Z,chat_completions,"eu\nwest",,200,,1\n'
        "\n"
        "2026-10-03T10:00:06,chat_completions,eu,,200,,1\n"
        "2026-10-03T10:00:07Z,chat_completions,eu,,200\n",
        encoding="utf-8",
    )
    case.hole("2026-10-03T10:00:00Z")
    case.run()
    assert [(r["line_number"], r["raw"]) for r in rejected(case)] == [
        (2, "2026-10-03T10:00:06,chat_completions,eu,,200,,1"),
        (3, "2026-10-03T10:00:07Z,chat_completions,eu,,200"),
    ]
    assert rejected(case)[1]["reason"] == "record has 5 fields where the header has 7"
    assert accounting(case)["probes/multi.csv"]["rows_read"] == 3


def test_jsonl_lines_and_their_problems(case):
    path = case.data_dir / "probes" / "t.jsonl"
    path.write_text(
        '{"probed_at": "2026-10-03T10:00:05Z", "check": "health_live", "region": "eu", "customer_id": null, '
        '"status_code": 200, "error_code": null}\n'
        "\n"
        "not json\n"
        "[1, 2]\n"
        '{"probed_at": "2026-10-03T10:00:06Z", "check": "health_live", "region": "eu", "status_code": 200.5, "error_code": ""}\n',
        encoding="utf-8",
    )
    case.run()
    assert [(r["line_number"], r["reason"].split(" (")[0]) for r in rejected(case)] == [
        (3, "record not valid JSON"),
        (4, "record not a JSON object"),
        (5, "status_code '200.5' is not an HTTP status"),
    ]
    assert rejected(case)[0]["raw"] == "not json"
    row = accounting(case)["probes/t.jsonl"]
    assert (row["rows_read"], row["rows_used"], row["rows_rejected"]) == (4, 1, 3)


def test_parquet_row_numbers_and_raw_json(case):
    case.write("t.parquet", [probe("2026-10-03T10:00:05Z"), probe("2026-10-03T10:00:05Z", check="ping")])
    case.run()
    (row,) = rejected(case)
    assert (row["source_file"], row["line_number"]) == ("probes/t.parquet", 2)
    assert row["raw"] == ('{"probed_at":"2026-10-03T10:00:05Z","check":"ping","region":"eu-west","customer_id":"",'
                          '"status_code":"200","error_code":"","latency_ms":"120"}')


def test_typed_parquet_columns_are_read_as_text(case):
    table = pa.table({
        "probed_at": pa.array([1_790_000_000_000_000], pa.timestamp("us", tz="UTC")),  # 2026-09-21T14:13:20Z
        "check": ["health_live"], "region": ["eu"], "customer_id": [None],
        "status_code": pa.array([503], pa.int32()), "error_code": [None],
        "naive": pa.array([1_790_000_000_000_000], pa.timestamp("us")),
    })
    pq.write_table(table, case.data_dir / "probes" / "typed.parquet")
    naive = table.drop_columns(["probed_at"]).rename_columns(["check", "region", "customer_id", "status_code", "error_code", "probed_at"])
    pq.write_table(naive, case.data_dir / "probes" / "typed-naive.parquet")
    case.month = "2026-09"
    case.run()
    assert case.state("2026-09-21T14:13:00Z") == "unavailable"
    assert [r["reason"].split(",")[0] for r in rejected(case)] == [
        "probed_at '2026-09-21 14:13:20' has no UTC offset"]


def test_accounting_identity_other_months_and_cross_file_duplicates(case):
    failing = probe("2026-10-03T10:00:40Z", "chat_completions", 500, customer="acme", latency="")
    same_instant_other_offset = dict(failing, probed_at="2026-10-03T12:00:40+02:00")
    case.write("a.csv", [failing, failing, probe("2026-09-30T23:59:59Z"), probe("2026-11-01T00:00:00Z")])
    case.write("b.jsonl", [same_instant_other_offset, probe("bad")])
    case.write("c.parquet", [failing])
    case.run()
    books = accounting(case)
    assert {k: (v["rows_read"], v["rows_used"], v["rows_other_months"], v["rows_rejected"], v["rows_collapsed"])
            for k, v in books.items() if k != "probes/0-baseline.parquet"} == {
        "probes/a.csv": (4, 1, 2, 0, 1),
        "probes/b.jsonl": (2, 0, 0, 1, 1),
        "probes/c.parquet": (1, 0, 0, 0, 1),
    }
    for row in books.values():
        assert row["rows_read"] == row["rows_used"] + row["rows_other_months"] + row["rows_rejected"] + row["rows_collapsed"]
    kept = case.rows("SELECT source_file, line_number FROM intermediate.probe_judged_results "
                     "WHERE customer_id = 'acme' AND NOT is_duplicate")
    assert kept == [{"source_file": "probes/a.csv", "line_number": 1}]
    assert case.state("2026-10-03T10:00:00Z") == "unavailable"


def test_probe_rows_of_another_month_are_not_used(case):
    case.write("t.csv", [probe("2026-11-01T00:00:40Z", "chat_completions", 500, customer="acme")])
    case.run()
    assert case.states() == {}
    assert accounting(case)["probes/t.csv"]["rows_other_months"] == 1


@pytest.mark.parametrize("name", ["t.csv", "t.csv.gz", "t.jsonl", "t.parquet"])
def test_missing_required_column_names_file_and_column(case, name):
    case.write(name, [probe("2026-10-03T10:00:05Z")], columns=[c for c in COLUMNS if c != "status_code"])
    with pytest.raises(ProbeFileError, match=rf"probes/{name}.*'status_code'"):
        case.run()


def test_missing_optional_latency_column_is_fine(case):
    case.write("t.csv", [probe("2026-10-03T10:00:40Z", "chat_completions", 500, customer="acme")],
               columns=[c for c in COLUMNS if c != "latency_ms"])
    case.run()
    assert case.state("2026-10-03T10:00:00Z") == "unavailable"


@pytest.mark.parametrize("name, content", [
    ("t.csv.gz", b"this is not gzip"),
    ("t.parquet", b"PAR1 definitely not parquet"),
    ("t.jsonl.gz", gzip.compress(b"\xff\xfe not utf-8\n", mtime=0)),
])
def test_unreadable_file_is_named(case, name, content):
    (case.data_dir / "probes" / name).write_bytes(content)
    with pytest.raises(ProbeFileError, match=rf"probes/{name}"):
        case.run()


def test_unknown_file_kinds_stop_the_run_hidden_files_do_not(tmp_path):
    probes = tmp_path / "probes"
    probes.mkdir()
    (probes / ".DS_Store").write_bytes(b"")
    (probes / "a.csv").write_text(",".join(COLUMNS) + "\n")
    assert [f.source_file for f in discover_probe_files(tmp_path)] == ["probes/a.csv"]
    (probes / "notes.txt").write_text("hello")
    with pytest.raises(ProbeFileError, match="probes/notes.txt"):
        discover_probe_files(tmp_path)
    with pytest.raises(ProbeFileError, match="probes/ is missing"):
        discover_probe_files(tmp_path / "nowhere")


def test_r13_analyst_views_cover_the_same_files_as_the_run_subfolders_included(tmp_path):
    """The `raw_probe_files_*` views list exactly the files `discover_probe_files` reads, so a probe file
    in a subfolder is both counted by the run and reachable by analysts."""
    probes = tmp_path / "probes"
    (probes / "eu").mkdir(parents=True)
    header = ",".join(COLUMNS) + "\n"
    (probes / "top.csv").write_text(header + "2026-10-01T00:00:05Z,health_live,us-east,,200,,80\n")
    (probes / "eu" / "nested.csv").write_text(header + "2026-10-01T00:01:05Z,health_live,eu-west,,503,,90\n")
    with connect(tmp_path / "wh.duckdb") as con:
        assert create_probe_views(con, tmp_path) == ["raw_probe_files_csv"]
        rows = con.execute(
            "SELECT parse_filename(filename), region, status_code FROM main.raw_probe_files_csv ORDER BY 1"
        ).fetchall()
    assert rows == [("nested.csv", "eu-west", "503"), ("top.csv", "us-east", "200")]
    assert [f.source_file for f in discover_probe_files(tmp_path)] == ["probes/eu/nested.csv", "probes/top.csv"]
