"""One writer per month, and no dead run blocks the next (issue 9).

- Every run tags itself with the process that executes it (`sla/pid`, `sla/host`) in its first step.
- `clean_up_dead_runs` finds runs still STARTING/STARTED whose process is gone (SIGKILL, power loss),
  marks them failed, frees the `sla_warehouse` pool slots they held
  (`free_concurrency_slots_for_run`) and removes their unpublished release. The CLI calls it before
  every run and says which runs it cleaned up; for runs the UI launches, the instance's
  `run_monitoring` (dagster.yaml, pipeline/defs/instance.py) does the same from the daemon.
- A month lock (`flock` on `<releases>/month-YYYY-MM.lock`, held by the run's process from its first
  step to its publication, released by the kernel when the process dies) keeps two runs of one month
  from interleaving: the second fails at once naming the run in progress.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipeline.settings import Settings
from pipeline.warehouse import WarehouseBuild
from pipeline.warehouse.build import releases_dir

PID_TAG, HOST_TAG = "sla/pid", "sla/host"
_IN_PROGRESS = (dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED)
_held: dict[str, tuple[int, str]] = {}  # run id → (fd of its month lock, month), in this process


class MonthBusyError(RuntimeError):
    """Another live run holds the month."""


def record_run_process(instance: dg.DagsterInstance, run_id: str) -> None:
    instance.add_run_tags(run_id, {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()})


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class DeadRun:
    run_id: str
    month: str | None
    pid: int

    def describe(self) -> str:
        return f"run {self.run_id} (month {self.month}, process {self.pid} gone): marked failed, pool slot freed"


def clean_up_dead_runs(instance: dg.DagsterInstance, settings: Settings) -> list[DeadRun]:
    """Mark every in-progress run of this host whose process is gone as failed and free its pool slots."""
    host = socket.gethostname()
    dead: list[DeadRun] = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=list(_IN_PROGRESS))):
        run = record.dagster_run
        pid_text, run_host = run.tags.get(PID_TAG), run.tags.get(HOST_TAG)
        if not pid_text or run_host != host or int(pid_text) == os.getpid() or not _process_gone(int(pid_text)):
            continue
        found = DeadRun(run.run_id, run.tags.get("dagster/partition"), int(pid_text))
        instance.report_run_failed(run, message=f"sla-report: the run's process {found.pid} is gone (killed?)")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        WarehouseBuild(settings.warehouse, run.run_id, settings.statements_dir).discard()
        dead.append(found)
    return dead


def _lock_path(settings: Settings, month: str) -> Path:
    folder = releases_dir(settings.warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"month-{month}.lock"


def month_holder(settings: Settings, month: str) -> dict | None:
    """Who holds `month` now (run id, pid), or None when nobody does."""
    path = _lock_path(settings, month)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            try:
                return json.loads(handle.read() or "{}")
            except ValueError:
                return {}
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


def acquire_month(instance: dg.DagsterInstance, settings: Settings, month: str, run_id: str) -> None:
    """Hold `month` for `run_id` until `release_month` or the end of this process."""
    if run_id in _held:
        return
    for other, (fd, _) in list(_held.items()):  # runs of this process that ended without publishing
        run = instance.get_run_by_id(other)
        if run is None or run.is_finished:
            os.close(fd)
            del _held[other]
    fd = os.open(_lock_path(settings, month), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
        os.close(fd)
        raise MonthBusyError(
            f"{month} is being run by run {holder.get('run_id', '?')} (process {holder.get('pid', '?')}); "
            "two runs of one month never interleave — wait for it to finish, then rerun"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps({"run_id": run_id, "pid": os.getpid(), "month": month}).encode(), 0)
    _held[run_id] = (fd, month)


def release_month(run_id: str) -> None:
    held = _held.pop(run_id, None)
    if held is not None:
        os.close(held[0])


__all__ = [
    "DeadRun",
    "MonthBusyError",
    "acquire_month",
    "clean_up_dead_runs",
    "month_holder",
    "record_run_process",
    "release_month",
]
