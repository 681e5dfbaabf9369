"""Monthly partitions in UTC from 2024-01 (R2); the newest partition is the last complete month."""

import dagster as dg

from pipeline.months import FIRST_MONTH

monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=FIRST_MONTH, fmt="%Y-%m", timezone="UTC")

__all__ = ["monthly_partitions"]
