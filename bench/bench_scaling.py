"""Scaling: the models only (no rendering) at 1,000 to 10,000 customers; do time and memory grow linearly?

For each size the cached drop (`tools.samplegen --customers N` under bench/out/, shared with
bench/bench_month.py and bench/bench_statements.py) is built by `pipeline.month.build_month` — every
stage the Dagster job runs before `statements`: ingest, support, uptime, credits — into a fresh DuckDB
file, in a subprocess of its own so its peak RSS (wait4 ru_maxrss, and the polled process tree) is its
own. Next to it the bare DuckDB group-by of the same probe files (bench/bench_month.py's scan).
Printed per size: wall and CPU seconds, peak RSS, warehouse size, and each relative to
the smallest size scaled by customers (1.00 = exactly linear).

    uv run python bench/bench_scaling.py [--sizes 1000,2500,5000,10000] [--skip-generate]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import bench_month  # noqa: E402
from bench_month import MONTH, OUT, ROOT, TreeRssPeak, bare_scan, drop_facts, ensure_drop  # noqa: E402


def child(drop: Path, warehouse: Path) -> int:
    """Runs in the subprocess: build the month's marts, print seconds and DuckDB's settings as JSON."""
    sys.path.insert(0, str(ROOT))
    from pipeline.month import build_month
    from pipeline.policy import load_policy
    from pipeline.settings import DEFAULT_POLICY_FILE
    from pipeline.warehouse import connect

    version = load_policy(DEFAULT_POLICY_FILE).version_for(MONTH)
    con = connect(warehouse)
    settings = dict(con.execute(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('threads', 'memory_limit', 'temp_directory')"
    ).fetchall())
    started = time.perf_counter()
    build_month(con, drop, MONTH, version)
    seconds = time.perf_counter() - started
    rows = con.execute("SELECT count(*) FROM main.availability_minutes").fetchone()[0]
    con.close()
    print(json.dumps({"build_s": seconds, "duckdb": settings, "availability_minutes_rows": rows}))
    return 0


def measure(drop: Path, warehouse: Path) -> dict:
    warehouse.unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(drop), str(warehouse)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    peak = TreeRssPeak(proc.pid)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    peak_tree_mib = peak.stop()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: build_month failed on {drop}")
    result = json.loads(output.strip().splitlines()[-1])
    result.update({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mib": usage.ru_maxrss / 1024,
                   "peak_tree_rss_mib": peak_tree_mib,
                   "warehouse_mib": warehouse.stat().st_size / 2**20})
    warehouse.unlink(missing_ok=True)
    return result


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) == 4 and sys.argv[1] == "--child":
        return child(Path(sys.argv[2]), Path(sys.argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2500,5000,10000", help="enterprise customers per size")
    parser.add_argument("--skip-generate", action="store_true", help="use cached drops only; fail if one is missing")
    parser.add_argument("--reuse", action="store_true",
                        help="take a size's figures from an earlier invocation (bench/out/scaling-N.json) if present")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    free = shutil.disk_usage(OUT.parent if not OUT.exists() else OUT).free
    print(f"free disk under {OUT}: {free / 2**30:.1f} GiB", flush=True)
    rows = []
    for size in sizes:
        saved = OUT / f"scaling-{size}.json"
        if args.reuse and saved.exists():
            rows.append(json.loads(saved.read_text()))
            print(f"{size:>6} customers: figures of an earlier invocation ({saved})", flush=True)
            continue
        drop = ensure_drop(size, generate=not args.skip_generate)
        facts = drop_facts(drop)
        scan = bare_scan(drop)
        print(f"{size:>6} customers: {facts['probe_rows']:,} probe rows, scan {scan:.1f} s; build_month …", flush=True)
        built = measure(drop, OUT / f"scaling-{size}.duckdb")
        rows.append({"customers": size, **facts, "scan_s": scan, **built, "load": os.getloadavg()[0],
                     "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())})
        saved.write_text(json.dumps(rows[-1], indent=2))
        print(f"        {built['build_s']:.1f} s, peak RSS {built['peak_rss_mib']:,.0f} MiB", flush=True)

    first = rows[0]
    print()
    print(f"{'customers':>9} {'probe rows':>12} {'drop':>8} {'models':>9} {'CPU':>8} {'CPU lin.':>8} {'time lin.':>9} "
          f"{'peak RSS':>9} {'RSS lin.':>8} {'warehouse':>10} {'scan':>7} {'×scan':>6} {'load':>5}")
    for row in rows:
        scale = row["customers"] / first["customers"]
        print(f"{row['customers']:>9,} {row['probe_rows']:>12,} {row['drop_bytes'] / 2**20:>6,.0f}Mi "
              f"{row['build_s']:>8.1f}s {row['cpu_s']:>7.1f}s {row['cpu_s'] / (first['cpu_s'] * scale):>8.2f} "
              f"{row['build_s'] / (first['build_s'] * scale):>9.2f} {row['peak_rss_mib']:>6,.0f}Mi "
              f"{row['peak_rss_mib'] / (first['peak_rss_mib'] * scale):>8.2f} {row['warehouse_mib']:>8,.0f}Mi "
              f"{row['scan_s']:>6.1f}s {row['build_s'] / row['scan_s']:>6.1f} {row['load']:>5.1f}")
    print("models = wall seconds of build_month, CPU = its user+system seconds (what a busy shared machine inflates"
          " least)")
    print("CPU lin. / time lin. / RSS lin.: the figure divided by the smallest size's figure × (customers / smallest customers);"
          " 1.00 = linear, below 1 = sublinear")
    settings = rows[-1]["duckdb"]
    print(f"DuckDB: threads {settings.get('threads')}, memory_limit {settings.get('memory_limit')} (defaults), "
          f"{bench_month.machine()}")
    target = OUT / "bench_scaling.json"
    target.write_text(json.dumps(rows, indent=2))
    print(f"figures written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
