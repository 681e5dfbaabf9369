"""The build-then-publish life cycle: analysts never block a run, failed runs never damage the published file."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.warehouse import WarehouseBuild, WarehouseError, connect, connection


def _published_with(path, value: int) -> None:
    with connection(path) as con:
        con.execute("CREATE OR REPLACE TABLE t AS SELECT $v AS v", {"v": value})


def test_publish_replaces_the_file_while_an_analyst_holds_it_read_only(tmp_path):
    published = tmp_path / "sla.duckdb"
    _published_with(published, 1)
    analyst = connect(published, read_only=True)
    try:
        build = WarehouseBuild(published, "run-1")
        with build.connect() as con:  # a read-write open of the build copy is not blocked by the analyst
            con.execute("UPDATE t SET v = 2")
        build.publish()
        # The analyst keeps reading the snapshot they opened; a new session (another process, as an
        # analyst's would be: DuckDB shares one instance per path inside a process) sees the new data.
        assert analyst.execute("SELECT v FROM t").fetchone() == (1,)
        fresh = subprocess.run(
            [sys.executable, "-c", "import duckdb,sys; print(duckdb.connect(sys.argv[1], read_only=True).execute('SELECT v FROM t').fetchone()[0])", str(published)],
            capture_output=True, text=True, check=True,
        )
        assert fresh.stdout.strip() == "2"
    finally:
        analyst.close()
    # The published path is now a link through `current` to this run's release.
    assert published.is_symlink() and published.resolve() == build.path.resolve()


def test_a_run_that_never_publishes_leaves_the_published_file_untouched(tmp_path):
    published = tmp_path / "sla.duckdb"
    _published_with(published, 1)
    before = published.read_bytes()
    build = WarehouseBuild(published, "run-failed")
    with pytest.raises(RuntimeError), build.connect() as con:
        con.execute("UPDATE t SET v = 99")
        raise RuntimeError("a later step failed")
    build.discard()
    assert published.read_bytes() == before
    assert not build.path.exists()


def test_publish_refuses_when_another_run_published_meanwhile(tmp_path):
    published = tmp_path / "sla.duckdb"
    _published_with(published, 1)
    slow, fast = WarehouseBuild(published, "slow"), WarehouseBuild(published, "fast")
    slow.ensure()
    with fast.connect() as con:
        con.execute("UPDATE t SET v = 3")
    fast.publish()
    with pytest.raises(WarehouseError, match="another run published .* while run slow was building"):
        slow.publish()
    with connection(published, read_only=True) as con:
        assert con.execute("SELECT v FROM t").fetchone() == (3,)


def test_first_run_creates_the_warehouse(tmp_path):
    published = tmp_path / "new" / "sla.duckdb"
    build = WarehouseBuild(published, "first")
    with build.connect() as con:
        con.execute("CREATE TABLE t AS SELECT 7 AS v")
    build.publish()
    with connection(published, read_only=True) as con:
        assert con.execute("SELECT v FROM t").fetchone() == (7,)


def test_a_new_warehouse_stays_readable_by_duckdb_1x_tools(tmp_path):
    published = tmp_path / "sla.duckdb"
    build = WarehouseBuild(published, "first")
    with build.connect() as con:
        con.execute("CREATE TABLE t AS SELECT 7 AS v")
    build.publish()
    second = WarehouseBuild(published, "second")  # a later run copies the file: the version stays
    with second.connect() as con:
        con.execute("INSERT INTO t VALUES (8)")
    second.publish()
    with connection(published, read_only=True) as con:
        tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'sla'").fetchone()[0]
    assert tags["storage_version"].startswith("v1.4.0")


def test_run_id_must_be_safe_as_a_file_name(tmp_path):
    with pytest.raises(WarehouseError):
        WarehouseBuild(tmp_path / "sla.duckdb", "../../etc")


def test_connections_are_in_utc(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    with connection(tmp_path / "x.duckdb") as con:
        assert con.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
        # R2: a month boundary is UTC midnight whatever the host's zone.
        assert con.execute("SELECT strftime(TIMESTAMPTZ '2026-10-31T23:30:00Z', '%Y-%m')").fetchone() == ("2026-10",)
