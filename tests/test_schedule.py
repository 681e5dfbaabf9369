"""Dagster wiring: partitions from 2024-01, the schedule on the 5th for the previous month, one job."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from pipeline.defs import defs
from pipeline.defs.jobs import MONTHLY_JOB_NAME
from pipeline.defs.partitions import monthly_partitions


def test_partitions_start_in_2024_01_and_end_with_the_last_complete_month():
    keys = monthly_partitions.get_partition_keys(current_time=datetime(2026, 11, 27, tzinfo=UTC))
    assert keys[0] == "2024-01"
    assert keys[-1] == "2026-10"  # November 2026 is not complete yet


def test_schedule_next_two_ticks_and_the_partitions_they_target():
    schedule = defs.resolve_schedule_def(f"{MONTHLY_JOB_NAME}_schedule")
    assert schedule.cron_schedule == "0 6 5 * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.execution_timezone in (None, "UTC")
    ticks = []
    for tick in (datetime(2026, 12, 5, 6, 0, tzinfo=UTC), datetime(2027, 1, 5, 6, 0, tzinfo=UTC)):
        context = dg.build_schedule_context(scheduled_execution_time=tick)
        requests = list(schedule.evaluate_tick(context).run_requests)
        assert len(requests) == 1
        ticks.append((tick.date().isoformat(), requests[0].partition_key, requests[0].run_key))
    assert ticks == [("2026-12-05", "2026-11", "2026-11"), ("2027-01-05", "2026-12", "2026-12")]


def test_the_job_runs_in_process():
    job = defs.resolve_job_def(MONTHLY_JOB_NAME)
    # our selectable executor, whose default is the run's own process (multiprocess by run config)
    assert job.executor_def.name == "sla_executor"
    assert job.executor_def.config_schema.as_field().default_value == {"in_process": {}}
    assert job.partitions_def == monthly_partitions
