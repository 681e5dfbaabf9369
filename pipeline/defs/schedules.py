"""On the 5th of each month at 06:00 UTC, run the previous month (its partition); RUNNING by default."""

import dagster as dg

from pipeline.defs.jobs import monthly_sla_report

monthly_schedule = dg.build_schedule_from_partitioned_job(
    monthly_sla_report,
    day_of_month=5,
    hour_of_day=6,
    minute_of_hour=0,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

__all__ = ["monthly_schedule"]
