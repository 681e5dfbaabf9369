"""Benchmark (not a test): business time of 1,000,000 random (start, end) pairs over a year (R6).

Runs the production model `sql/intermediate/business_spans.sql` (two ASOF joins against the
cumulative opening-interval calendar of the default Brussels schedule) through the SQL runner, and
compares it with
  * a bare DuckDB query that only reads the same pairs and writes one number per pair, and
  * a per-pair Python reference (bisect to the start, walk the opening intervals) on 10,000 pairs,
    whose results must equal the SQL ones.
Target: ≤ 0.5 s for the million pairs. Usage: `uv run python bench/bench_business_time.py [pairs]`.
"""

from __future__ import annotations

import bisect
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipeline.policy import load_policy
from pipeline.settings import DEFAULT_POLICY_FILE
from pipeline.support.business_calendar import CalendarSpan, opening_intervals, write_business_calendar
from pipeline.warehouse import connection
from pipeline.warehouse.sqlrunner import load_model, run_model

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
REPEATS = 5
REFERENCE_PAIRS = 10_000


def timed(action, repeats: int = REPEATS) -> list[float]:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return runs


def main(pairs: int = 1_000_000) -> None:
    schedule = load_policy(DEFAULT_POLICY_FILE).version_for("2025-01").schedules["brussels"]
    model = load_model("intermediate/support/business_spans")
    with tempfile.TemporaryDirectory() as tmp, connection(Path(tmp) / "bench.duckdb") as con:
        write_business_calendar(con, [CalendarSpan(schedule, date(2024, 12, 30), date(2026, 1, 2))])
        # Random pairs over 2025: start anywhere in the year, length up to 30 days (clipped to the year).
        con.execute("SELECT setseed(0.42)")
        con.execute(
            """
            CREATE OR REPLACE TABLE intermediate.ticket_segment_spans AS
            WITH raw AS (
                SELECT range + 1 AS span_id,
                       (random() * 365 * 86400e6)::BIGINT AS start_us,
                       (random() * 30 * 86400e6)::BIGINT AS length_us
                FROM range($pairs)
            )
            SELECT span_id, 'brussels' AS schedule,
                   make_timestamptz(epoch_us($year_start) + start_us) AS start_at,
                   make_timestamptz(least(epoch_us($year_start) + start_us + length_us,
                                          epoch_us($year_start) + 365 * 86400000000)) AS end_at
            FROM raw
            """,
            {"pairs": pairs, "year_start": YEAR_START},
        )
        con.execute("CHECKPOINT")

        sql_runs = timed(lambda: run_model(con, model, {}))
        bare_runs = timed(
            lambda: con.execute(
                "CREATE OR REPLACE TABLE intermediate.bench_bare AS "
                "SELECT span_id, epoch_us(end_at) - epoch_us(start_at) AS length_us "
                "FROM intermediate.ticket_segment_spans"
            )
        )

        subset = con.execute(
            "SELECT s.start_at, s.end_at, b.length_us FROM intermediate.ticket_segment_spans s "
            "JOIN intermediate.business_spans b USING (span_id) ORDER BY span_id LIMIT ?",
            [REFERENCE_PAIRS],
        ).fetchall()
        intervals = opening_intervals(schedule, date(2024, 12, 30), date(2026, 1, 2))
        closes_at = [closes for _, closes in intervals]

        def reference(start: datetime, end: datetime) -> int:
            # Per pair, what a per-ticket loop does: find the first interval still open after the start
            # (bisect), then walk the opening intervals until the end.
            total = timedelta(0)
            for opens, closes in intervals[bisect.bisect_right(closes_at, start) :]:
                if opens >= end:
                    break
                total += min(closes, end) - max(opens, start)
            return int(total / timedelta(microseconds=1))

        reference_started = time.perf_counter()
        expected = [reference(a, b) for a, b, _ in subset]
        reference_seconds = time.perf_counter() - reference_started
        mismatches = sum(e != got for e, (_, _, got) in zip(expected, subset))

    sql_best, bare_best = min(sql_runs), min(bare_runs)
    reference_per_million = reference_seconds * pairs / len(subset)
    print(f"pairs: {pairs:,} over 2025, Europe/Brussels 09:00-17:00 Mon-Fri, Belgian holidays")
    print(
        f"SQL business time (business_spans model): best {sql_best:.3f} s, median {statistics.median(sql_runs):.3f} s"
        f"  [target <= 0.5 s: {'met' if sql_best <= 0.5 else 'MISSED'}]"
    )
    print(
        f"bare DuckDB read of the same pairs:        best {bare_best:.3f} s  -> SQL / bare = {sql_best / bare_best:.1f}x"
    )
    print(
        f"per-pair Python reference, {len(subset):,} pairs:  {reference_seconds:.3f} s"
        f"  (~{reference_per_million:.0f} s per {pairs:,}) -> Python / SQL = {reference_per_million / sql_best:.0f}x"
    )
    print(f"reference vs SQL mismatches on the subset: {mismatches}")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
