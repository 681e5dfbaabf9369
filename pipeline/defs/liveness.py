"""One writer per month, and no dead run blocks the next (issue 9).

- Every run tags itself with the process whose life is the run's (`sla/pid`, `sla/host`) in its first
  step: the run worker — the step's own process under the in-process executor, its parent when each
  step is a child process of the run worker (multiprocess executor, the render fan-out; with the
  `forkserver` start method the parent is the fork server, which exits when the run worker dies).
- `clean_up_dead_runs` finds runs still STARTING/STARTED whose process is gone (SIGKILL, power loss),
  marks them failed, frees the `sla_warehouse` pool slots they held
  (`free_concurrency_slots_for_run`) and removes their unpublished release. The CLI calls it before
  every run and says which runs it cleaned up; the daemon's `dead_run_sweeper` sensor does the same
  for runs the UI launches.
- A month lock (`<releases>/month-YYYY-MM.lock`) keeps two runs of one month from interleaving: the
  second fails at once naming the run in progress. It is two things: a `flock` held by the process of
  the run's first step (released by the kernel when that process dies), and the lease written in the
  file — run id, run worker pid, host — which holds while that run is in progress and its worker lives
  (steps in child processes end, so under the multiprocess executor the flock alone would lapse after
  the first step). Publication clears the lease.
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


def steps_in_child_processes(context: dg.AssetExecutionContext) -> bool:
    """Whether this run executes each step in a child process of its run worker (the multiprocess
    executor) rather than in the run worker itself (in-process, `execute_in_process`, or an executor
    that runs steps elsewhere, where this process is the best witness there is)."""
    executor = context.job_def.executor_def.name
    if executor == dg.multiprocess_executor.name:
        return True
    if executor == dg.multi_or_in_process_executor.name:
        return "in_process" not in (context.run.run_config.get("execution") or {}).get("config", {})
    if executor == "sla_executor":  # the monthly job's (pipeline/defs/jobs.py): in-process unless configured
        return "multiprocess" in (context.run.run_config.get("execution") or {}).get("config", {})
    return False


def run_worker_pid(context: dg.AssetExecutionContext) -> int:
    """The process whose life is the run's (see the module docstring)."""
    return os.getppid() if steps_in_child_processes(context) else os.getpid()


def record_run_process(instance: dg.DagsterInstance, run_id: str, pid: int) -> None:
    instance.add_run_tags(run_id, {PID_TAG: str(pid), HOST_TAG: socket.gethostname()})


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


def _read_lease(fd: int) -> dict:
    try:
        lease = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {}
    return lease if isinstance(lease, dict) else {}


def _lease_holds(instance: dg.DagsterInstance | None, lease: dict) -> bool:
    """Whether the run named in a lease still holds its month: in progress, and its worker alive (a
    worker on another host is trusted while its run is in progress)."""
    run = instance.get_run_by_id(lease["run_id"]) if instance is not None and lease.get("run_id") else None
    if run is not None and run.is_finished:
        return False
    if lease.get("host") not in (None, socket.gethostname()):
        return True
    pid = lease.get("pid")
    if pid == os.getpid() and lease.get("run_id") not in _held:
        return False  # a run of this very process that ended without publishing (a failed gate)
    return isinstance(pid, int) and not _process_gone(pid)


def _busy(month: str, holder: dict) -> MonthBusyError:
    return MonthBusyError(
        f"{month} is being run by run {holder.get('run_id', '?')} (process {holder.get('pid', '?')}); "
        "two runs of one month never interleave — wait for it to finish, then rerun"
    )


def month_holder(settings: Settings, month: str, instance: dg.DagsterInstance | None = None) -> dict | None:
    """Who holds `month` now (run id, pid), or None when nobody does."""
    fd = os.open(_lock_path(settings, month), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_lease(fd)
        lease = _read_lease(fd)
        return lease if lease and _lease_holds(instance, lease) else None
    finally:
        os.close(fd)  # closing drops a flock taken here


def acquire_month(instance: dg.DagsterInstance, settings: Settings, month: str, run_id: str, pid: int) -> None:
    """Hold `month` for `run_id` (whose run worker is `pid`) until `release_month`, or until the run
    ends or its worker dies; raise MonthBusyError naming the run that holds it."""
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
        holder = _read_lease(fd)
        os.close(fd)
        raise _busy(month, holder) from None
    lease = _read_lease(fd)
    if lease.get("run_id") not in (None, run_id) and _lease_holds(instance, lease):
        os.close(fd)
        raise _busy(month, lease)
    os.ftruncate(fd, 0)
    lease = {"run_id": run_id, "pid": pid, "host": socket.gethostname(), "month": month}
    os.pwrite(fd, json.dumps(lease).encode(), 0)
    _held[run_id] = (fd, month)  # the flock stays while this process lives


def release_month(settings: Settings, month: str, run_id: str) -> None:
    """Clear `run_id`'s lease on `month` (published: the month is free for the next run) — also from
    another process than the one that acquired it."""
    held = _held.pop(run_id, None)
    fd = held[0] if held is not None else os.open(_lock_path(settings, month), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if held is None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # only ever held for an instant by a checker
        if _read_lease(fd).get("run_id") == run_id:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


__all__ = [
    "DeadRun",
    "MonthBusyError",
    "acquire_month",
    "clean_up_dead_runs",
    "month_holder",
    "record_run_process",
    "run_worker_pid",
    "steps_in_child_processes",
    "release_month",
]
