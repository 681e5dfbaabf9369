"""The Dagster instance the CLI and `dagster dev` share (DAGSTER_HOME), set up so runs never overlap."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.settings import Settings

# One run at a time (a backfill of several months must not write the warehouse concurrently), and one
# step at a time in the pool every warehouse-writing asset uses.
DAGSTER_YAML = """\
# Written by sla-report. Runs write one DuckDB warehouse: never more than one at a time.
concurrency:
  runs:
    max_concurrent_runs: 1
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


def ensure_dagster_home(settings: Settings) -> Path:
    """Create DAGSTER_HOME with our dagster.yaml if it has none, and export it for this process."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


__all__ = ["ensure_dagster_home", "DAGSTER_YAML"]
