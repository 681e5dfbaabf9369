"""bench/bench_month.py reads its per-phase times from a real run's step events: its step → phase mapping
must place every step of the real monthly job in one of the six phases (no timing is asserted here:
benchmarks print figures, tests never time anything)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import bench_month  # noqa: E402


def test_every_step_of_a_real_run_maps_to_one_of_the_six_phases(published_october):
    mapping = bench_month.step_phases(bench_month.step_assets_of(published_october.result.all_events))
    assert set(mapping.values()) == set(bench_month.PHASES)
    assert {step: mapping[step] for step in ("input_tables", "probe_files", "support_sla", "uptime", "credits",
                                             "statements.statements_plan", "statements.statements_shard[shard_0]",
                                             "statements.statements_record", "warehouse")} == {
        "input_tables": "ingest", "probe_files": "ingest", "support_sla": "support", "uptime": "uptime",
        "credits": "credits", "statements.statements_plan": "statements",
        "statements.statements_shard[shard_0]": "statements", "statements.statements_record": "statements",
        "warehouse": "publication",
    }  # the graph-backed statements asset's steps, shards included
    # A check step belongs to the phase of the asset it checks.
    assert mapping["uptime_monthly_probe_coverage_below_minimum"] == "uptime"
    assert mapping["statements_statements_missing_or_disagreeing"] == "statements"


def test_steps_running_at_once_are_counted_once():
    assert bench_month.union_seconds([(0.0, 2.0), (1.0, 3.0), (5.0, 6.5)]) == 4.5
    assert bench_month.union_seconds([]) == 0.0


def test_help_names_the_options_and_phases():
    done = subprocess.run([sys.executable, str(BENCH / "bench_month.py"), "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    for word in ("--customers", "--skip-generate", "--phases", "--quick", "one-core", "changed", "rerun"):
        assert word in done.stdout
