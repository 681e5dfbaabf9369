"""Bad-input corpus, probe files (issue 9 part 6; data contract "Bad input", R13): Parquet files with
wrong column types or that are not Parquet, symbolic links in and out of the drop, nested and special
files, wrong extensions and decompression bombs (memory measured in a child process).

Every case goes through the probe reader the run uses (`ingest_probe_files` on a warehouse holding
ingestion's `valid_customers`), so a refusal here is the message that stops a real run; one real
Dagster run shows that such a refusal publishes nothing. Readings the contract leaves open are listed
in docs/ingestion.md ("Probe files: links, folders, bombs") and docs/reliability.md.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fixtures.publication import invariant_violations
from fixtures.published import SAMPLE, run_month_job
from fixtures.uptime import COLUMNS, RUN_STARTED, UptimeCase, probe

from pipeline.ingest.probes import ProbeFileError, discover_probe_files, ingest_probe_files
from pipeline.ingest.readers import EXPANSION_FLOOR_BYTES
from pipeline.months import RunParams
from pipeline.settings import PROJECT_ROOT
from pipeline.warehouse import connect

EPOCH_US = 1_791_014_420_000_000  # 2026-10-03T08:00:20Z
FAILING = probe("2026-10-03T10:00:40Z", "chat_completions", 500, customer="acme")
PASSING = probe("2026-10-03T10:01:40Z", "health_live", 200)


@pytest.fixture
def case(tmp_path):
    made = UptimeCase(tmp_path, baseline=False)
    yield made
    made.close()


def ingest(case: UptimeCase) -> dict[str, dict]:
    """The run's probe ingestion alone; returns the per-file accounting."""
    case.con = connect(case.root / "warehouse.duckdb")
    case._valid_tables(case.con)
    ingest_probe_files(case.con, case.data_dir, RunParams(case.month, as_of=RUN_STARTED, run_started_at=RUN_STARTED))
    return {r["source_file"]: r for r in case.rows("SELECT * FROM intermediate.probe_file_accounting")}


def books(row: dict) -> tuple[int, int, int, int, int]:
    return (row["rows_read"], row["rows_used"], row["rows_other_months"], row["rows_rejected"], row["rows_collapsed"])


def rejections(case: UptimeCase) -> list[tuple[str, int, str]]:
    return [(r["source_file"], r["line_number"], r["reason"]) for r in
            case.rows("SELECT * FROM intermediate.probe_rejections ORDER BY source_file, line_number")]


def refused(case: UptimeCase) -> str:
    with pytest.raises(ProbeFileError) as caught:
        ingest(case)
    return str(caught.value)


def parquet(path: Path, **columns: pa.Array) -> Path:
    """One row a column; a contract column not given is text."""
    defaults = {name: pa.array([value], pa.string()) for name, value in FAILING.items()}
    pq.write_table(pa.table(defaults | columns), path)
    return path


# --- Parquet: wrong column types, not Parquet ----------------------------------------------------------


@pytest.mark.parametrize("column, values, type_text, expected", [
    ("probed_at", pa.array([EPOCH_US // 1_000_000], pa.int64()), "int64", "text or a timestamp"),  # epoch seconds
    ("probed_at", pa.array([1.79e9], pa.float64()), "double", "text or a timestamp"),
    ("status_code", pa.array([500.0], pa.float64()), "double", "an integer or text"),
    ("check", pa.array([1], pa.int8()), "int8", "text"),
    ("latency_ms", pa.array([True], pa.bool_()), "bool", "a number or text"),
])
def test_a_parquet_column_of_a_wrong_type_stops_the_run_naming_file_column_and_type(case, column, values, type_text,
                                                                                      expected):
    parquet(case.data_dir / "probes" / "typed.parquet", **{column: values})
    assert refused(case) == (
        f"probes/typed.parquet column {column!r} is of type {type_text}, expected {expected}: "
        "the whole column would be unreadable, so the file is refused"
    )


def test_parquet_columns_of_their_natural_type_are_read(case):
    """Status as an integer, latency as a number or as text, a timestamp with zone: values, not type errors.
    Text that does not parse is a row problem (rejected with its reason), as in CSV."""
    path = case.data_dir / "probes" / "typed.parquet"
    pq.write_table(pa.table({
        "probed_at": pa.array([EPOCH_US, EPOCH_US + 60_000_000], pa.timestamp("us", tz="UTC")),
        "check": ["chat_completions", "chat_completions"], "region": ["eu", "eu"],
        "customer_id": pa.array(["acme", "acme"], pa.dictionary(pa.int8(), pa.string())),
        "status_code": pa.array([503, 200], pa.int16()), "error_code": [None, None],
        "latency_ms": ["12.5", "fast"],
    }), path)
    accounting = ingest(case)
    assert books(accounting["probes/typed.parquet"]) == (2, 1, 0, 1, 0)
    assert rejections(case) == [("probes/typed.parquet", 2, "latency_ms 'fast' is not a number of milliseconds")]
    # the integer 503 is a failing tenant result of 08:00 UTC (R13)
    assert case.rows("SELECT line_number, status_code, failed_rows FROM intermediate.probe_scan "
                     "WHERE status_code IS NOT NULL") == [{"line_number": 1, "status_code": 503, "failed_rows": 1}]


def _truncated_parquet(path: Path) -> bytes:
    data = parquet(path).read_bytes()
    return data[: len(data) // 2]


@pytest.mark.parametrize("content", [
    pytest.param(b"\x00\x01garbage" * 100, id="garbage"),
    pytest.param(("\n".join([",".join(COLUMNS), ",".join(FAILING.values())]) + "\n").encode(), id="csv-text"),
    pytest.param(None, id="truncated"),
])
def test_a_parquet_file_that_is_not_parquet_is_named(case, content, tmp_path):
    """(A 0-byte file of any kind is a file with no rows: tests/test_bad_input_corpus.py.)"""
    path = case.data_dir / "probes" / "t.parquet"
    path.write_bytes(_truncated_parquet(tmp_path / "whole.parquet") if content is None else content)
    assert refused(case).startswith("probes/t.parquet cannot be read as Parquet: ")


# --- wrong extensions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["probes.txt", "probes.csv.bz2", "probes.xlsx", "probes", "probes.csv.zip"])
def test_a_file_of_another_kind_stops_the_run_naming_it(case, name):
    (case.data_dir / "probes" / name).write_bytes(b"probed_at,check\n")
    assert refused(case) == (
        f"probes/{name} is not a probe file this pipeline reads (*.csv, *.csv.gz, *.jsonl, *.jsonl.gz, *.parquet); "
        "move it out of probes/ or convert it"
    )


@pytest.mark.parametrize("name, content", [
    ("t.csv", gzip.compress(b"probed_at,check\n", mtime=0)),  # gzip bytes under a plain name
    ("t.csv.gz", b"probed_at,check,region,customer_id,status_code,error_code\n"),  # plain text named .gz
    ("t.jsonl.gz", b"{}\n"),
])
def test_an_extension_that_lies_about_the_content_is_named(case, name, content):
    (case.data_dir / "probes" / name).write_bytes(content)
    assert refused(case).startswith(f"probes/{name} cannot be read: ")


def test_upper_case_extensions_are_read(case):
    case.write("upper.csv", [FAILING]).rename(case.data_dir / "probes" / "UPPER.CSV")
    assert books(ingest(case)["probes/UPPER.CSV"]) == (1, 1, 0, 0, 0)


# --- symbolic links, folders, special files --------------------------------------------------------------


def test_a_link_out_of_the_drop_is_refused_naming_the_link(case, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text(",".join(COLUMNS) + "\n" + ",".join(FAILING.values()) + "\n")
    (case.data_dir / "probes" / "leak.csv").symlink_to(outside)
    assert refused(case) == (
        f"probes/leak.csv is a symbolic link to {outside}, outside the data drop {case.data_dir.resolve()}: "
        "refused (a drop holds its own files; copy the file into the drop)"
    )


def test_a_relative_link_that_climbs_out_of_the_drop_is_refused(case):
    (case.data_dir / "probes" / "passwd.csv").symlink_to("../../../../../../../../etc/passwd")
    assert refused(case).startswith("probes/passwd.csv is a symbolic link to /etc/passwd, outside the data drop")


def test_a_probes_folder_that_links_out_of_the_drop_is_refused(tmp_path):
    elsewhere = tmp_path / "shared-probes"
    elsewhere.mkdir()
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "probes").symlink_to(elsewhere)
    with pytest.raises(ProbeFileError, match=r"^probes/ is a symbolic link to .*shared-probes, outside the data drop"):
        discover_probe_files(drop)


def test_a_link_inside_the_drop_is_read_under_its_own_name(case):
    """Interpretation: a link whose target stays in the drop is read as the file it points to, named
    by the link. A second name of a probe file is a second file: its rows collapse as exact duplicates
    of the first in path order (data contract), so nothing is counted twice."""
    archive = case.data_dir / "archive"
    archive.mkdir()
    case.write("a.csv", [FAILING, PASSING])
    (archive / "late.csv").write_text(",".join(COLUMNS) + "\n" + ",".join(
        probe("2026-10-04T10:00:40Z", "chat_completions", 500, customer="acme").values()) + "\n")
    (case.data_dir / "probes" / "b-again.csv").symlink_to("a.csv")
    (case.data_dir / "probes" / "c-late.csv").symlink_to(archive / "late.csv")
    accounting = ingest(case)
    assert {name: books(row) for name, row in accounting.items()} == {
        "probes/a.csv": (2, 2, 0, 0, 0),
        "probes/b-again.csv": (2, 0, 0, 0, 2),
        "probes/c-late.csv": (1, 1, 0, 0, 0),
    }


def test_a_link_to_a_folder_is_refused_naming_it(case):
    (case.data_dir / "more").mkdir()
    (case.data_dir / "probes" / "more").symlink_to(case.data_dir / "more")
    assert refused(case) == (
        f"probes/more is a symbolic link to a folder ({(case.data_dir / 'more').resolve()}): refused; "
        "move the files into probes/ instead"
    )


def test_a_dangling_link_is_refused_naming_it(case):
    (case.data_dir / "probes" / "gone.csv").symlink_to(case.data_dir / "gone.csv")
    assert refused(case).startswith("probes/gone.csv is a symbolic link to ")


def test_nested_folders_are_read_recursively_hidden_ones_are_not(case):
    """Interpretation: the contract's "folder of probe-result files" includes its subfolders (an exporter
    that writes `probes/<region>/…`); a file is named by its path in the drop. Hidden files and folders
    (`.trash/`, `.DS_Store`) are not probe files and are skipped."""
    (case.data_dir / "probes" / "eu" / "deep").mkdir(parents=True)
    (case.data_dir / "probes" / ".trash").mkdir()
    case.write("eu/top.csv", [FAILING])
    case.write("eu/deep/late.jsonl", [probe("2026-10-05T10:00:40Z", "chat_completions", 500, customer="acme")])
    case.write(".trash/old.csv", [probe("2026-10-06T10:00:40Z", "chat_completions", 500, customer="acme")])
    (case.data_dir / "probes" / ".trash" / "notes.txt").write_text("not a probe file, but hidden")
    accounting = ingest(case)
    assert {name: books(row) for name, row in accounting.items()} == {
        "probes/eu/deep/late.jsonl": (1, 1, 0, 0, 0),
        "probes/eu/top.csv": (1, 1, 0, 0, 0),
    }


def test_a_fifo_is_refused_rather_than_read_or_skipped(case):
    os.mkfifo(case.data_dir / "probes" / "pipe.csv")
    assert refused(case) == "probes/pipe.csv is not a regular file (a FIFO, socket or device): refused"


# --- decompression bombs: memory measured in a child process ---------------------------------------------

_CHILD = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from pipeline.ingest.probes import ProbeFileError, install_probe_views
    from pipeline.warehouse import connect
    limit = int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    con = connect(Path(sys.argv[2]))
    try:
        install_probe_views(con, Path(sys.argv[1]))
        print("READ", con.execute("SELECT count(*) FROM probe_raw_rows").fetchone()[0])
    except ProbeFileError as exc:
        print("REFUSED", exc)
""")
RSS_BOUND_KIB = 600 * 1024  # imports (DuckDB, Arrow) ~150 MB + one floor's worth of text, with margin
ADDRESS_SPACE_LIMIT = 4 * 2**30  # the child cannot take the machine down if the bound breaks


def members(block: bytes, count: int) -> bytes:
    """`count` gzip members of `block` (a valid multi-member gzip file): GBs from a few MB, made in ms."""
    return gzip.compress(block, 9) * count


@pytest.mark.parametrize("name, block, count", [
    # one line of 4 GiB: without a bound the reader would hold the whole line
    pytest.param("bomb.csv.gz", b"A" * 2**24, 256, id="csv-one-huge-line"),
    # 4 GiB of valid probe rows (~85 M records): read in batches, refused past the floor
    pytest.param("bomb.csv.gz", (",".join(COLUMNS) + "\n").encode()
                 + ("2026-10-03T10:00:40Z,health_live,eu-west,,200,,80\n" * 330_000).encode(), 256,
                 id="csv-valid-rows"),
    pytest.param("bomb.jsonl.gz", b"[" * 2**24, 256, id="jsonl-one-huge-line"),
])
def test_a_gzip_bomb_is_refused_naming_it_with_bounded_memory(tmp_path, name, block, count):
    drop = tmp_path / "drop"
    (drop / "probes").mkdir(parents=True)
    (drop / "probes" / name).write_bytes(members(block, count))
    expanded = len(block) * count
    assert expanded > 3 * 2**30
    output, peak_kib = measured_child(drop, tmp_path)
    assert output.startswith(f"REFUSED probes/{name} is a decompression bomb: its first ")
    assert "(more than 100×; a real export expands 10–20×); refused — re-export the file" in output
    assert peak_kib < RSS_BOUND_KIB, f"peak RSS {peak_kib} KiB"


def test_a_parquet_bomb_is_refused_before_a_row_is_read(tmp_path):
    """5 M identical rows in a file of a few KB (dictionary + run-length encoding): DuckDB would expand
    them to GBs of text. Refused from the footer alone."""
    drop = tmp_path / "drop"
    (drop / "probes").mkdir(parents=True)
    path = drop / "probes" / "bomb.parquet"
    table = pa.table({name: pa.repeat(pa.scalar(value, pa.string()), 1_000_000) for name, value in PASSING.items()})
    with pq.ParquetWriter(path, table.schema, compression="zstd") as writer:
        for _ in range(5):
            writer.write_table(table)
    assert path.stat().st_size < 200_000  # > 20 rows a byte
    output, peak_kib = measured_child(drop, tmp_path)
    assert output.startswith("REFUSED probes/bomb.parquet holds 5,000,000 rows decoding to ")
    assert output.endswith("refused as a decompression bomb (a real probe export has a few bytes a row)")
    assert peak_kib < RSS_BOUND_KIB


def test_a_small_file_that_compresses_very_well_is_not_a_bomb(case):
    """The bound applies past EXPANSION_FLOOR_BYTES only: a small, highly repetitive export is read."""
    rows = [PASSING] * 50_000  # ~2.4 MB of text, compressed ~1,000× (identical rows)
    path = case.write("repetitive.csv.gz", rows)
    assert len(gzip.decompress(path.read_bytes())) < EXPANSION_FLOOR_BYTES
    assert len(gzip.decompress(path.read_bytes())) > 100 * path.stat().st_size
    assert books(ingest(case)["probes/repetitive.csv.gz"]) == (50_000, 1, 0, 0, 49_999)


def measured_child(drop: Path, tmp_path: Path) -> tuple[str, int]:
    """Run `read_in_child` inside a fresh Python process that reports the grandchild's own peak RSS, so
    no earlier child of the test session can inflate RUSAGE_CHILDREN."""
    wrapper = textwrap.dedent("""
        import os, resource, subprocess, sys
        child = subprocess.run(sys.argv[1:], capture_output=True)
        sys.stdout.write(child.stdout.decode())
        sys.stderr.write(child.stderr.decode())
        print("PEAK", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        sys.exit(child.returncode)
    """)
    result = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, "-c", _CHILD, str(drop), str(tmp_path / "child.duckdb"),
         str(ADDRESS_SPACE_LIMIT)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    *lines, peak = result.stdout.strip().splitlines()
    assert peak.startswith("PEAK ")
    return "\n".join(lines), int(peak.split()[1])


# --- one real run: a refused probe file stops it, and nothing is published --------------------------------


def test_a_refused_probe_file_stops_a_real_run_and_publishes_nothing(published_october, tmp_path):
    drop = tmp_path / "drop"
    shutil.copytree(SAMPLE, drop)
    secret = tmp_path / "outside.csv"
    secret.write_text(",".join(COLUMNS) + "\n")
    (drop / "probes" / "zz-leak.csv").symlink_to(secret)
    warehouse, statements = tmp_path / "sla.duckdb", tmp_path / "statements"
    shutil.copyfile(published_october.warehouse, warehouse)
    before = warehouse.read_bytes()
    result = run_month_job(drop, warehouse, statements, "2026-10")
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_failure_data.user_failure_data.description == (
        f"probes/zz-leak.csv is a symbolic link to {secret}, outside the data drop {drop.resolve()}: "
        "refused (a drop holds its own files; copy the file into the drop)"
    )
    assert warehouse.read_bytes() == before
    assert not statements.exists()  # a refused run creates no statements folder
    assert not (tmp_path / ".sla.duckdb.releases" / "current").exists()  # no release was published
    assert invariant_violations(published_october.warehouse, published_october.statements) == []
