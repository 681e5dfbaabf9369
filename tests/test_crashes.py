"""Crash tests (issue 9): a real `sla-report run` SIGKILLed at each phase boundary leaves the published
month whole (the invariant of tests/fixtures/publication.py), and the next run cleans up the dead run
(marked failed, pool slot freed, said on stderr) and completes. One world, run after run, on the small
months drop: every killed run has a figure to change, so each phase really has work in flight."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
from fixtures.months import write_months_drop
from fixtures.publication import invariant_violations, published_statement_rows

from pipeline.faults import KILL_ENV, PHASES
from pipeline.warehouse.build import current_release

MONTH = "2026-03"
NEW_MONTH = "2026-04"  # in the drop, never published by these tests but for the unwritable-folder one


def _cli(
    env: dict[str, str], kill_at: str | None = None, month: str = MONTH, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    run_env = {**env, KILL_ENV: kill_at} if kill_at else env
    return subprocess.run(
        [*prefix, sys.executable, "-m", "pipeline.cli", "run", "--month", month],
        env=run_env, capture_output=True, text=True, timeout=600,
    )


def _read_only(folder: Path) -> tuple[str, ...]:
    """A command prefix that runs the command with `folder` on a read-only mount (EROFS — as root, file
    modes do not stop writes), in a mount namespace of its own: nothing outside the command sees it."""
    script = 'mount --bind -o ro "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"'
    return ("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", str(folder))


def _one_more_down_minute(drop: Path, n: int) -> None:
    """Make the n-th minute after March's outage fail too: uptime moves, so statements are restated."""
    probes = drop / "probes" / "probes.csv"
    rows = list(csv.DictReader(open(probes, encoding="utf-8")))
    target = f"2026-03-10T14:{n:02d}:20Z"  # the outage is 12:00–14:00
    for row in rows:
        if row["probed_at"] == target:
            row["status_code"] = "503"
    with open(probes, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash")
    drop = write_months_drop(root / "drop", {MONTH: 120, NEW_MONTH: 200})
    env = {
        **os.environ,
        "SLA_DATA_DIR": str(drop),
        "SLA_WAREHOUSE": str(root / "out" / "sla.duckdb"),
        "SLA_STATEMENTS_DIR": str(root / "out" / "statements"),
        "DAGSTER_HOME": str(root / "dagster"),
    }
    first = _cli(env)
    assert first.returncode == 0, first.stderr
    return drop, root / "out", env


def test_a_run_killed_at_every_phase_boundary_leaves_the_month_whole_and_the_next_run_completes(world):
    drop, out, env = world
    warehouse, statements = out / "sla.duckdb", out / "statements"
    for n, phase in enumerate(PHASES, start=1):
        before = (current_release(warehouse).name, published_statement_rows(warehouse))
        _one_more_down_minute(drop, n)
        killed = _cli(env, kill_at=phase)
        assert killed.returncode == -9, (phase, killed.stderr[-2000:])
        # Nothing of the killed run is visible: same release, same rows, every listed file in place.
        assert (current_release(warehouse).name, published_statement_rows(warehouse)) == before, phase
        assert invariant_violations(warehouse, statements) == [], phase
        # The next run says which dead run it cleaned up, is not blocked by its pool slot, and publishes.
        following = _cli(env)
        assert following.returncode == 0, (phase, following.stderr[-2000:])
        cleaned = [line for line in following.stderr.splitlines() if line.startswith("sla-report: cleaned up dead run")]
        assert len(cleaned) == 1 and f"month {MONTH}" in cleaned[0] and "pool slot freed" in cleaned[0], phase
        assert invariant_violations(warehouse, statements) == [], phase
        acme = [r for r in published_statement_rows(warehouse) if r[1] == "acme" and r[3]]
        assert acme[0][2] == n + 1, phase  # the new figures were restated as version n + 1
    # Dead runs leave no release folder behind beyond the kept ones.
    assert not [p for p in warehouse.parent.glob(".sla.duckdb.releases/run-*") if not (p / "published.json").exists()]


def _pool_run_ids(instance: dg.DagsterInstance) -> set[str]:
    """Runs holding a slot of a pool, read from the instance as the UI's pool page does."""
    return set(instance.event_log_storage.get_concurrency_run_ids())


def test_the_daemon_cleans_up_a_dead_run_without_the_cli(world):
    """From the UI (issue 9 part 4): the daemon `dagster dev` runs evaluates the dead-run sweeper, which
    marks a run whose process was SIGKILLed failed and frees its pool slot; nobody runs the CLI."""
    drop, out, env = world
    _one_more_down_minute(drop, len(PHASES) + 1)
    killed = _cli(env, kill_at="after_ingest")
    assert killed.returncode == -9, killed.stderr[-2000:]
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        [dead_run] = _pool_run_ids(instance)

        def status() -> dg.DagsterRunStatus:
            return instance.get_run_by_id(dead_run).status

        assert status() == dg.DagsterRunStatus.STARTED
        daemon = subprocess.Popen(
            [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w", "workspace.yaml"],
            cwd=Path(__file__).resolve().parent.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and status() == dg.DagsterRunStatus.STARTED:
                assert daemon.poll() is None, daemon.stderr.read()[-2000:]
                time.sleep(1)
            assert status() == dg.DagsterRunStatus.FAILURE
            assert _pool_run_ids(instance) == set()
        finally:
            os.killpg(daemon.pid, signal.SIGTERM)
            daemon.wait(timeout=60)
    assert not (out / ".sla.duckdb.releases" / f"run-{dead_run}").exists()  # its unpublished release is gone
    assert invariant_violations(out / "sla.duckdb", out / "statements") == []


def test_a_second_run_of_a_month_in_progress_fails_naming_the_run(world, tmp_path):
    """Two runs of one month never interleave: while a live process holds the month, the CLI refuses."""
    _, out, env = world
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, json, os, sys\n"
         "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\n"
         "os.ftruncate(fd, 0)\n"
         "os.pwrite(fd, json.dumps({'run_id': 'run-in-progress', 'pid': os.getpid()}).encode(), 0)\n"
         "print('held', flush=True)\n"
         "sys.stdin.readline()\n",
         str(out / ".sla.duckdb.releases" / f"month-{MONTH}.lock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        refused = _cli(env)
        assert refused.returncode == 1
        assert refused.stderr.strip().splitlines()[-1] == (
            f"sla-report: {MONTH} is being run by run run-in-progress (process {holder.pid}); "
            "two runs of one month never interleave — wait for it to finish, then rerun"
        )
    finally:
        holder.kill()
        holder.wait()
    assert invariant_violations(out / "sla.duckdb", out / "statements") == []


def _limit_file_size() -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing the process
    # above what the Dagster instance files reach in this test (~5 MB), below the warehouse copy (~20 MB)
    resource.setrlimit(resource.RLIMIT_FSIZE, (12 << 20, 12 << 20))


def test_a_full_disk_gives_a_clear_error_and_publishes_nothing(world):
    """A full disk, simulated by RLIMIT_FSIZE (12 MB per file) in the run's process."""
    _, out, env = world
    warehouse, statements = out / "sla.duckdb", out / "statements"
    before = (current_release(warehouse).name, published_statement_rows(warehouse))
    full = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", "--month", MONTH],
        env=env, capture_output=True, text=True, timeout=600, preexec_fn=_limit_file_size,
    )
    assert full.returncode == 1, full.stderr[-2000:]
    last = full.stderr.strip().splitlines()[-1]
    assert last.startswith(f"sla-report: {MONTH} failed — input_tables: cannot write "), last
    assert "File too large — nothing was published" in last
    assert (current_release(warehouse).name, published_statement_rows(warehouse)) == before
    assert invariant_violations(warehouse, statements) == []


def test_an_unwritable_statements_folder_gives_a_clear_error_and_publishes_nothing(world):
    """Issue 9 part 5: SLA_STATEMENTS_DIR on a read-only file system. A new month needs its link there:
    the run stops in its first step naming the folder, and nothing is published."""
    _, out, env = world
    warehouse, statements = out / "sla.duckdb", out / "statements"
    before = (current_release(warehouse).name, published_statement_rows(warehouse), sorted(os.listdir(statements)))
    refused = _cli(env, month=NEW_MONTH, prefix=_read_only(statements))
    assert refused.returncode == 1, refused.stderr[-2000:]
    last = refused.stderr.strip().splitlines()[-1]
    assert last == (
        f"sla-report: {NEW_MONTH} failed — input_tables: cannot write {statements}: Read-only file system — "
        "nothing was published (free space or fix the folder's permissions, then rerun)"
    )
    assert (current_release(warehouse).name, published_statement_rows(warehouse), sorted(os.listdir(statements))) == before
    assert invariant_violations(warehouse, statements) == []
