"""Benchmark: raw probe files → uptime_monthly and credits, against a bare DuckDB group-by of the same files.

For each customer count (default 100, 300, 1,000 enterprise customers with a tenant chat probe every
minute, plus shared probes: ~45 M rows at 1,000) the drop is generated once by the sample generator
(`python -m tools.samplegen --customers N --probe-format parquet`, cached under bench/out/), the
CSV inputs are ingested once, and then two fresh processes are timed with the same DuckDB settings:
- bare:   SELECT customer_id, minute, count(*) FROM read_parquet(probes) GROUP BY ALL (what any reading
          of the files costs);
- uptime: `ingest_probe_files` + `build_uptime` + `build_credits` — reading, validating, de-duplicating and accounting every probe row, the
          minute classification, uptime_monthly and credits.
Printed: wall seconds, peak RSS of each process, the ratio uptime / bare (wall, and CPU seconds — the
CPU ratio is the steadier figure when other work shares the machine), and seconds per 100 customers.
Targets (docs/uptime-credits.md): ratio ≤ 1.5, peak RSS ≤ 1 GiB, time linear in customers.

Run: `uv run python bench/bench_uptime.py [--customers 100 300 1000] [--memory-limit 600MB] [--threads 2]`
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = PROJECT_ROOT / "bench" / "out" / "uptime"
MONTH = "2026-10"
RUN_STARTED = datetime(2026, 11, 5, 6, 0, tzinfo=UTC)
BARE_QUERY = """
    SELECT count(*) AS groups FROM (
        SELECT customer_id, date_trunc('minute', CAST(probed_at AS TIMESTAMPTZ)) AS minute, count(*) AS results
        FROM read_parquet($files)
        GROUP BY ALL
    )
"""


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _configure(con, memory_limit: str, threads: int, spill_dir: Path) -> None:
    con.execute("SET memory_limit = $limit", {"limit": memory_limit})
    con.execute("SET threads = $threads", {"threads": threads})
    con.execute("SET temp_directory = $dir", {"dir": str(spill_dir)})
    con.execute("SET preserve_insertion_order = false")


# --- child processes (one measurement each, so peak RSS is that measurement's own) ------------------


def child_prepare(drop: Path, warehouse: Path) -> dict:
    from pipeline.ingest.validate import ingest_csv_inputs
    from pipeline.months import RunParams
    from pipeline.warehouse import connection

    warehouse.unlink(missing_ok=True)
    with connection(warehouse) as con:
        result = ingest_csv_inputs(con, drop, RunParams(MONTH, RUN_STARTED, RUN_STARTED))
    return {"valid_rows": result.valid_rows}


def child_bare(drop: Path, memory_limit: str, threads: int, spill_dir: Path) -> dict:
    import duckdb

    files = sorted(str(p) for p in (drop / "probes").glob("*.parquet"))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    _configure(con, memory_limit, threads, spill_dir)
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    groups = con.execute(BARE_QUERY, {"files": files}).fetchone()[0]
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    con.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "groups": groups, "peak_rss_mib": _peak_rss_mib()}


def child_uptime(drop: Path, warehouse: Path, memory_limit: str, threads: int, spill_dir: Path) -> dict:
    from pipeline.ingest.probes import ingest_probe_files
    from pipeline.months import RunParams
    from pipeline.policy import load_policy
    from pipeline.settings import DEFAULT_POLICY_FILE
    from pipeline.uptime import build_credits, build_uptime
    from pipeline.warehouse import connection

    version = load_policy(DEFAULT_POLICY_FILE).version_for(MONTH)
    run_copy = warehouse.with_name(warehouse.name + ".run")
    shutil.copyfile(warehouse, run_copy)
    with connection(run_copy) as con:
        _configure(con, memory_limit, threads, spill_dir)
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        params = RunParams(MONTH, RUN_STARTED, RUN_STARTED)
        counts = ingest_probe_files(con, drop, params)
        counts |= build_uptime(con, params, version.uptime_targets)
        counts |= build_credits(con, params, version.credits, version.uptime_targets)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
        states = dict(con.execute("SELECT state, count(*) FROM main.availability_minutes GROUP BY 1").fetchall())
        credited = con.execute("SELECT count(*) FILTER (credit_amount > 0), count(*) FROM main.credits").fetchone()
    run_copy.unlink(missing_ok=True)
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mib": _peak_rss_mib(), "counts": counts, "states": states,
            "credited": list(credited)}


def _run_child(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"benchmark step {args[0]} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- orchestration -----------------------------------------------------------------------------------


def ensure_drop(out: Path, customers: int) -> Path:
    drop = out / f"drop-{customers}"
    marker = drop / "probes"
    if not marker.is_dir() or not any(marker.glob("*.parquet")):
        shutil.rmtree(drop, ignore_errors=True)
        print(f"generating {customers}-customer drop with tools.samplegen …", flush=True)
        subprocess.run(
            [sys.executable, "-m", "tools.samplegen", "--out", str(drop), "--month", MONTH,
             "--customers", str(customers), "--probe-format", "parquet"],
            cwd=PROJECT_ROOT, check=True,
        )
    return drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--memory-limit", default="600MB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    args = parser.parse_args()

    if args.child:
        step, *rest = args.child
        if step == "prepare":
            result = child_prepare(Path(rest[0]), Path(rest[1]))
        elif step == "bare":
            result = child_bare(Path(rest[0]), rest[1], int(rest[2]), Path(rest[3]))
        else:
            result = child_uptime(Path(rest[0]), Path(rest[1]), rest[2], int(rest[3]), Path(rest[4]))
        print(json.dumps(result, default=str))
        return

    args.out.mkdir(parents=True, exist_ok=True)
    spill = args.out / "spill"
    spill.mkdir(exist_ok=True)
    print(f"DuckDB settings for both measurements: memory_limit={args.memory_limit}, threads={args.threads}")
    print(f"{'customers':>9} {'probe rows':>11} {'bare s':>7} {'uptime s':>8} {'ratio':>6} {'cpu ratio':>9} "
          f"{'s/100 cust':>10} {'bare RSS':>9} {'uptime RSS':>10}")
    results = []
    for customers in args.customers:
        drop = ensure_drop(args.out, customers)
        warehouse = args.out / f"inputs-{customers}.duckdb"
        _run_child("prepare", str(drop), str(warehouse))
        bare = _run_child("bare", str(drop), args.memory_limit, str(args.threads), str(spill))
        uptime = _run_child("uptime", str(drop), str(warehouse), args.memory_limit, str(args.threads), str(spill))
        ratio = uptime["seconds"] / bare["seconds"]
        rows = uptime["counts"]["probe_rows_read"]
        results.append((customers, bare, uptime, ratio))
        cpu_ratio = uptime["cpu_seconds"] / bare["cpu_seconds"]
        print(f"{customers:>9} {rows:>11,} {bare['seconds']:>7.2f} {uptime['seconds']:>8.2f} {ratio:>6.2f} {cpu_ratio:>9.2f} "
              f"{uptime['seconds'] / customers * 100:>10.3f} {bare['peak_rss_mib']:>7.0f}Mi {uptime['peak_rss_mib']:>8.0f}Mi",
              flush=True)
    customers, bare, uptime, ratio = results[-1]
    print(f"\nlargest run: {customers} customers, states {uptime['states']}, "
          f"credited {uptime['credited'][0]} of {uptime['credited'][1]} enterprise customers")
    ok = ratio <= 1.5 and all(u["peak_rss_mib"] <= 1024 for _, _, u, _ in results)
    print(f"targets: ratio ≤ 1.5 → {ratio:.2f}; peak RSS ≤ 1024 MiB → "
          f"{max(u['peak_rss_mib'] for _, _, u, _ in results):.0f} MiB; {'MET' if ok else 'NOT MET'}")


if __name__ == "__main__":
    main()
