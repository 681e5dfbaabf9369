"""One writer per month under every executor (issue 9 part 4): the month lock is a flock of the first
step's process *and* a lease naming the run and its run worker, so that a run whose steps are child
processes (multiprocess executor: the render fan-out, issue 12) keeps its month after its first step's
process ended, and loses it when the run ends or its worker dies."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun

from pipeline.defs.liveness import (
    MonthBusyError,
    acquire_month,
    month_holder,
    release_month,
    run_worker_pid,
    steps_in_child_processes,
)
from pipeline.settings import Settings

MONTH = "2026-03"


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("SLA_WAREHOUSE", str(tmp_path / "out" / "sla.duckdb"))
    monkeypatch.setenv("SLA_STATEMENTS_DIR", str(tmp_path / "out" / "statements"))
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        yield instance, Settings.from_env()


def _run(instance: dg.DagsterInstance, run_id: str, status: dg.DagsterRunStatus) -> str:
    instance.add_run(DagsterRun(job_name="monthly_sla_report", run_id=run_id, status=status))
    return run_id


def _lease_of_another_process(settings: Settings, run_id: str, pid: int) -> None:
    """Acquire the month in a child process that then exits, as a multiprocess run's first step does:
    its flock ends with it, its lease stays. (A fork: the child has everything imported already.)"""
    child = os.fork()
    if child == 0:
        code = 1
        try:
            with dg.DagsterInstance.ephemeral() as instance:
                acquire_month(instance, settings, MONTH, run_id, pid)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.fixture
def live_worker():
    worker = subprocess.Popen(["sleep", "600"])
    yield worker.pid
    worker.kill()
    worker.wait()


def test_a_lease_whose_run_is_in_progress_and_worker_alive_holds_the_month_after_its_step_ended(world, live_worker):
    instance, settings = world
    run_id = _run(instance, "multiprocess-run", dg.DagsterRunStatus.STARTED)
    _lease_of_another_process(settings, run_id, live_worker)
    with pytest.raises(MonthBusyError) as refused:
        acquire_month(instance, settings, MONTH, "second-run", os.getpid())
    assert str(refused.value) == (
        f"{MONTH} is being run by run multiprocess-run (process {live_worker}); "
        "two runs of one month never interleave — wait for it to finish, then rerun"
    )
    assert month_holder(settings, MONTH, instance)["run_id"] == "multiprocess-run"


def test_a_lease_lapses_when_its_run_ended_or_its_worker_died(world, live_worker):
    instance, settings = world
    ended = _run(instance, "failed-run", dg.DagsterRunStatus.FAILURE)
    _lease_of_another_process(settings, ended, live_worker)
    assert month_holder(settings, MONTH, instance) is None
    acquire_month(instance, settings, MONTH, "next-run", os.getpid())
    release_month(settings, MONTH, "next-run")

    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = _run(instance, "killed-run", dg.DagsterRunStatus.STARTED)
    _lease_of_another_process(settings, dead, gone.pid)
    assert month_holder(settings, MONTH, instance) is None
    acquire_month(instance, settings, MONTH, "after-the-killed-run", os.getpid())
    release_month(settings, MONTH, "after-the-killed-run")


def test_publication_in_another_process_frees_the_month_and_only_its_own_lease(world, live_worker):
    instance, settings = world
    run_id = _run(instance, "published-run", dg.DagsterRunStatus.STARTED)
    _lease_of_another_process(settings, run_id, live_worker)
    release_month(settings, MONTH, "some-other-run")  # not its lease: kept
    assert month_holder(settings, MONTH, instance)["run_id"] == "published-run"
    release_month(settings, MONTH, "published-run")  # the publish step, in a process that never held it
    assert month_holder(settings, MONTH, instance) is None
    assert Path(settings.warehouse.parent / ".sla.duckdb.releases" / f"month-{MONTH}.lock").read_bytes() == b""


# --- which process is the run's ---------------------------------------------------------------------

@dg.asset
def worker_probe(context):
    Path(os.environ["SLA_TEST_WORKER_FILE"]).write_text(
        f"{int(steps_in_child_processes(context))} {run_worker_pid(context)} {os.getpid()}"
    )


def worker_probe_job() -> dg.JobDefinition:
    return dg.Definitions(
        assets=[worker_probe], jobs=[dg.define_asset_job("probe", executor_def=dg.multi_or_in_process_executor)]
    ).resolve_job_def("probe")


@pytest.mark.parametrize("executor", ["multiprocess", "in_process"])
def test_the_run_worker_is_the_recorded_process_under_either_executor(tmp_path, monkeypatch, executor):
    report = tmp_path / "worker.txt"
    monkeypatch.setenv("SLA_TEST_WORKER_FILE", str(report))
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        result = dg.execute_job(
            dg.reconstructable(worker_probe_job), instance,
            run_config={"execution": {"config": {executor: {}}}},
        )
        assert result.success
    in_child, worker, step = map(int, report.read_text().split())
    assert worker == os.getpid()  # execute_job orchestrates in this process: it is the run worker
    assert (in_child, step == os.getpid()) == ((1, False) if executor == "multiprocess" else (0, True))


def test_execute_in_process_records_its_own_process(tmp_path, monkeypatch):
    """The CLI's path (`execute_in_process` has an executor of its own name): the step's process is the run's."""
    report = tmp_path / "worker.txt"
    monkeypatch.setenv("SLA_TEST_WORKER_FILE", str(report))
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        assert worker_probe_job().execute_in_process(instance=instance).success
    assert list(map(int, report.read_text().split())) == [0, os.getpid(), os.getpid()]


def test_a_run_of_this_process_that_ended_without_publishing_frees_the_month(world, tmp_path):
    """A failed gate in a test process or a long-lived code server: the next run of the month in that
    same process proceeds, also when it uses another Dagster instance that never heard of the first."""
    instance, settings = world
    failed = _run(instance, "failed-here", dg.DagsterRunStatus.STARTED)
    acquire_month(instance, settings, MONTH, failed, os.getpid())
    instance.report_run_failed(instance.get_run_by_id(failed))
    (tmp_path / "other").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "other")) as other:
        acquire_month(other, settings, MONTH, _run(other, "next-here", dg.DagsterRunStatus.STARTED), os.getpid())
        with pytest.raises(MonthBusyError):  # …while a run this process *is* running keeps it
            acquire_month(other, settings, MONTH, "third", os.getpid())
        release_month(settings, MONTH, "next-here")
