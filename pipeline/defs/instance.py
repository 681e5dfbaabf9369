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
# A run worker that died (SIGKILL, power loss) is marked failed by the daemon (`dagster dev` runs it),
# and the pool slot of a finished run is freed, so no dead run blocks the next (issue 9). Runs the CLI
# executes in its own process are checked by the CLI itself (pipeline/defs/liveness.py).
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  poll_interval_seconds: 30
  max_resume_run_attempts: 0
  free_slots_after_run_end_seconds: 30
telemetry:
  enabled: false
"""


def ensure_dagster_home(settings: Settings) -> Path:
    """Create DAGSTER_HOME with our dagster.yaml if it has none, and export it for this process."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    written_by_us = config.exists() and config.read_text().startswith("# Written by sla-report")
    if not config.exists() or (written_by_us and config.read_text() != DAGSTER_YAML):
        config.write_text(DAGSTER_YAML)  # ours is kept up to date; an operator's own file is left alone
    os.environ["DAGSTER_HOME"] = str(home)
    return home


__all__ = ["ensure_dagster_home", "DAGSTER_YAML"]
