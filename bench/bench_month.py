"""Benchmark: the large month from raw files to the last PDF through the real `sla-report run` (issue 12).

Generates the large month once (`tools.samplegen --customers N`, cached under bench/out/ like
bench/bench_statements.py: 1,000 customers = 44.9 M probe rows), then runs `sla-report run` as a
subprocess on a fresh warehouse, statements folder and Dagster instance under bench/out/, and reads each
step's wall time from that Dagster instance's event log (STEP_START → STEP_SUCCESS per step key). Step
keys are mapped to the six phases of the data flow through what each step materialized (asset keys →
asset groups), so shards or new steps land in their phase without editing this file.

Benchmark phases (`--phases`, default all, in this order):
  run       raw files → last PDF on a fresh warehouse (the figures of the table)
  rerun     `sla-report run` again, inputs unchanged (issue 12 part 3: nothing should be rendered)
  changed   one customer's probe rows changed (90 minutes of 503s), run again (only that statement)
  one-core  the same fresh run pinned to one CPU (sched_setaffinity): the statements phase on one core
            vs the default is the speed-up on 2 cores, whatever sets the worker count (pool or executor)
  multiprocess  the same fresh run with SLA_EXECUTOR=multiprocess: every step a process of its own, the
            statements rendered by one shard step per core (issue 12 part 4), against the in-process run

Baselines, measured in the same invocation, before and after the runs (averaged; both printed):
  scan       a bare DuckDB group-by of the same probe files (count/min/max/failures per customer×check×region)
  reference  a bare WeasyPrint render of the fixed reference document bench/reference/statement.html

    uv run python bench/bench_month.py [--customers 1000] [--quick] [--skip-generate] [--phases run,rerun]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = Path(__file__).resolve().parent / "out"
REFERENCE = Path(__file__).resolve().parent / "reference" / "statement.html"
MONTH = "2026-10"
PHASES = ("ingest", "support", "uptime", "credits", "statements", "publication")
BENCH_PHASES = ("run", "rerun", "changed", "one-core", "multiprocess")
UNCHANGED_TAG = "sla/unchanged_since_run"  # pipeline/defs/assets/inputs.py
# Asset groups are named after the stage of the data flow; `<stage>_models` holds that stage's SQL models.
GROUP_PHASE = {"inputs": "ingest", "support": "support", "uptime": "uptime", "credits": "credits",
               "statements": "statements", "publication": "publication"}


# --------------------------------------------------------------------------------------------------
# The data: cached drops
# --------------------------------------------------------------------------------------------------
def drop_dir(customers: int) -> Path:
    """The cached drop of `customers` enterprise customers (same folder bench/bench_statements.py uses)."""
    return OUT / f"large-{MONTH}-{customers}"


def ensure_drop(customers: int, *, generate: bool = True) -> Path:
    drop = drop_dir(customers)
    if (drop / "customers.csv").exists() and (drop / "README.md").exists():
        return drop
    if not generate:
        raise SystemExit(f"bench: no cached drop in {drop}; run without --skip-generate once")
    print(f"generating the large month ({customers} enterprise customers) in {drop} …", flush=True)
    building = drop.with_name(drop.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "tools.samplegen", "--out", str(building), "--month", MONTH,
         "--customers", str(customers)],
        cwd=ROOT, check=True,
    )
    shutil.rmtree(drop, ignore_errors=True)
    os.replace(building, drop)
    return drop


def probe_files(drop: Path) -> list[str]:
    return sorted(str(p) for p in (drop / "probes").rglob("*") if p.suffix in (".parquet", ".csv") and p.is_file())


def drop_facts(drop: Path) -> dict[str, int]:
    import duckdb

    files = probe_files(drop)
    con = duckdb.connect()
    try:
        probes = con.execute("SELECT count(*) FROM read_parquet($files)", {"files": files}).fetchone()[0]
        tickets = con.execute(
            "SELECT count(*) FROM read_csv($f, all_varchar = true)", {"f": str(drop / "tickets.csv")}
        ).fetchone()[0]
        enterprise = con.execute(
            "SELECT count(DISTINCT customer_id) FROM read_csv($f, all_varchar = true) WHERE plan = 'enterprise'",
            {"f": str(drop / "contracts.csv")},
        ).fetchone()[0]
    finally:
        con.close()
    size = sum(p.stat().st_size for p in drop.rglob("*") if p.is_file())
    return {"probe_rows": probes, "tickets": tickets, "enterprise_customers": enterprise,
            "probe_files": len(files), "drop_bytes": size}


def link_tree(source: Path, target: Path) -> None:
    """A copy of the drop for one run, hard-linked where possible (changed files are replaced, never
    written through, so the cached drop stays as generated)."""
    for path in source.rglob("*"):
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, dest)
        except OSError:
            shutil.copy2(path, dest)


def change_one_customer(drop: Path) -> str:
    """Turn 90 minutes of one enterprise customer's tenant probes into 503s (its uptime and credit change,
    nobody else's), replacing the probe file that holds it. Returns the customer id."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    for name in probe_files(drop):
        path = Path(name)
        table = pq.read_table(path)
        tenant = pc.and_(pc.equal(table["check"], "chat_completions"), pc.is_valid(table["customer_id"]))
        customers = sorted(c for c in pc.unique(pc.filter(table["customer_id"], tenant)).to_pylist() if c)
        if not customers:
            continue
        customer = customers[0]
        # probe files hold text (the data contract's columns); ISO 8601 UTC text orders like the instants
        start, end = f"{MONTH}-14T10:00:00Z", f"{MONTH}-14T11:30:00Z"
        hit = pc.and_(
            pc.and_(pc.equal(table["customer_id"], customer), pc.equal(table["check"], "chat_completions")),
            pc.and_(pc.greater_equal(table["probed_at"], start), pc.less(table["probed_at"], end)),
        )
        columns = {n: table[n] for n in table.column_names}
        status_type = table.schema.field("status_code").type
        failing = pa.scalar("503" if pa.types.is_string(status_type) else 503, type=status_type)
        columns["status_code"] = pc.if_else(hit, failing, table["status_code"])
        changed = pa.table(columns, schema=table.schema)
        tmp = path.with_name(path.name + ".changing")
        pq.write_table(changed, tmp, compression="zstd")
        os.replace(tmp, path)  # a new inode: the hard-linked cached drop keeps the original
        return customer
    raise SystemExit(f"bench: no tenant probe rows found in {drop}")


# --------------------------------------------------------------------------------------------------
# Baselines
# --------------------------------------------------------------------------------------------------
SCAN_SQL = """
SELECT customer_id, "check", region, count(*) AS results, min(probed_at) AS first_at, max(probed_at) AS last_at,
       count(*) FILTER (WHERE status_code IS NULL OR status_code NOT LIKE '2__') AS failures
FROM read_parquet($files)
GROUP BY ALL
"""


def bare_scan(drop: Path) -> float:
    """Seconds for DuckDB (default threads and memory) to group every probe row of the drop."""
    import duckdb

    files = probe_files(drop)
    con = duckdb.connect()
    try:
        started = time.perf_counter()
        con.execute(SCAN_SQL, {"files": files}).fetchall()
        return time.perf_counter() - started
    finally:
        con.close()


def reference_render(times: int = 5) -> float:
    """Mean seconds of a bare WeasyPrint render of the fixed reference document, fonts loaded once (like
    a long-lived render worker), after one warm-up render."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    HTML(filename=str(REFERENCE)).write_pdf(font_config=fonts)
    taken = []
    for _ in range(times):
        started = time.perf_counter()
        HTML(filename=str(REFERENCE)).write_pdf(font_config=fonts)
        taken.append(time.perf_counter() - started)
    return statistics.fmean(taken)


# --------------------------------------------------------------------------------------------------
# One `sla-report run`
# --------------------------------------------------------------------------------------------------
@dataclass
class RunMeasure:
    label: str
    wall_s: float
    returncode: int
    run_id: str | None
    peak_tree_rss_mib: float  # polled sum over the process tree (shared pages counted in each process)
    peak_process_rss_mib: float  # the largest single process of the tree (wait4 ru_maxrss)
    cpu_s: float
    phases_s: dict[str, float] = field(default_factory=dict)
    steps_s: dict[str, float] = field(default_factory=dict)
    step_phase: dict[str, str] = field(default_factory=dict)
    in_steps_s: float = 0.0
    statements_meta: dict[str, object] = field(default_factory=dict)
    statements_total: int = 0
    statements_rendered: int = 0
    cpus: int = 0
    executor: str = "in_process"
    unchanged_since: str | None = None  # the run found its month published from the same inputs
    steps_skipped: int = 0
    steps_total: int = 0


def run_env(root: Path, drop: Path, executor: str = "in_process") -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "SLA_EXECUTOR": executor,
        "SLA_DATA_DIR": str(drop),
        "SLA_WAREHOUSE": str(root / "warehouse" / "sla.duckdb"),
        "SLA_STATEMENTS_DIR": str(root / "statements"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    })
    for name in ("SLA_ALERT_EMAIL", "SLA_ALERT_WEBHOOK_URL", "SLA_SMTP_URL"):
        env.pop(name, None)  # a benchmark never mails anybody
    return env


def sla_report_command() -> list[str]:
    script = Path(sys.executable).with_name("sla-report")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeRssPeak:
    """The peak RSS (KiB) of a process and all its descendants, polled every 0.25 s until `stop()`
    (ru_maxrss only gives the largest single process)."""

    def __init__(self, pid: int) -> None:
        self.kib = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, args=(pid,), daemon=True)
        self._thread.start()

    def _poll(self, pid: int) -> None:
        while not self._done.is_set():
            self.kib = max(self.kib, sum(_rss_kib(p) for p in _tree(pid)))
            self._done.wait(0.25)

    def stop(self) -> float:
        """Stop polling; the peak in MiB."""
        self._done.set()
        self._thread.join()
        return self.kib / 1024


def sla_report_run(
    label: str, root: Path, drop: Path, *, cpus: set[int] | None = None, executor: str = "in_process"
) -> RunMeasure:
    """`sla-report run --month` in a subprocess; its wall time, CPU, peak RSS and step timings."""
    root.mkdir(parents=True, exist_ok=True)
    log = root / f"{label}.log"
    preexec = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*sla_report_command(), "run", "--month", MONTH],
            cwd=ROOT, env=run_env(root, drop, executor), stdout=out, stderr=subprocess.STDOUT, preexec_fn=preexec,
        )
        peak = TreeRssPeak(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        peak_tree_mib = peak.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(errors="replace")
    match = re.search(r"done \(run ([0-9a-f-]+)\)", text)
    measure = RunMeasure(
        label=label, wall_s=wall, returncode=proc.returncode, run_id=match.group(1) if match else None,
        peak_tree_rss_mib=peak_tree_mib, peak_process_rss_mib=usage.ru_maxrss / 1024,
        cpu_s=usage.ru_utime + usage.ru_stime,
        cpus=len(cpus) if cpus else len(os.sched_getaffinity(0)), executor=executor,
    )
    if proc.returncode != 0:
        tail = "\n".join(text.strip().splitlines()[-5:])
        raise SystemExit(f"bench: {label}: sla-report run exited {proc.returncode} (log {log}):\n{tail}")
    read_run_events(measure, root / "dagster_home")
    return measure


# --------------------------------------------------------------------------------------------------
# Step keys → phases, from the Dagster event log
# --------------------------------------------------------------------------------------------------
def group_phase(group: str | None) -> str | None:
    if not group:
        return None
    return GROUP_PHASE.get(group.removesuffix("_models"))


def asset_phases() -> tuple[dict[str, str], dict[str, str]]:
    """(asset key → phase, op/node name → phase) from the project's Dagster definitions."""
    from pipeline.defs import defs

    by_asset: dict[str, str] = {}
    by_node: dict[str, str] = {}
    graph = defs.resolve_asset_graph()
    for assets_def in graph.assets_defs:
        phases = set()
        for key in assets_def.keys:
            phase = group_phase(assets_def.specs_by_key[key].group_name)
            if phase:
                by_asset[key.to_user_string()] = phase
                phases.add(phase)
        for check in assets_def.check_keys:
            if graph.has(check.asset_key):
                phase = group_phase(graph.get(check.asset_key).group_name)
                if phase:
                    phases.add(phase)
        if assets_def.is_executable and len(phases) == 1:
            by_node[assets_def.node_def.name] = phases.pop()
    return by_asset, by_node


def step_phases(step_assets: dict[str, set[str]]) -> dict[str, str]:
    """Each step key → its phase: the phase of the assets it materialized or checked (asset groups); else
    the phase of its op's assets definition (a graph-backed or dynamic step `node.op[key]` by its
    top-level node); else 'other'."""
    by_asset, by_node = asset_phases()
    mapping: dict[str, str] = {}
    for step, assets in step_assets.items():
        phases = sorted({by_asset[a] for a in assets if a in by_asset}, key=PHASES.index)
        if phases:
            mapping[step] = phases[-1]  # a step touching two stages belongs to the later one
            continue
        node = step.split("[", 1)[0].split(".", 1)[0]
        mapping[step] = by_node.get(node) or by_node.get(step.split("[", 1)[0]) or _phase_by_name(step)
    return mapping


# Last resort for a step that materializes nothing and is no assets definition's node (an op inside a
# graph-backed asset, a render shard): the stage its name says.
_NAME_HINTS = (("statement", "statements"), ("render", "statements"), ("shard", "statements"),
               ("publish", "publication"), ("warehouse", "publication"), ("probe", "ingest"), ("input", "ingest"),
               ("ingest", "ingest"), ("support", "support"), ("ticket", "support"), ("uptime", "uptime"),
               ("credit", "credits"))


def _phase_by_name(step: str) -> str:
    lowered = step.lower()
    return next((phase for hint, phase in _NAME_HINTS if hint in lowered), "other")


def _asset_of(event) -> str | None:  # noqa: ANN001 - a DagsterEvent
    for source in (event, getattr(event, "event_specific_data", None)):
        key = getattr(source, "asset_key", None)
        if key is not None:
            return key.to_user_string()
    return None


def step_assets_of(events) -> dict[str, set[str]]:  # noqa: ANN001 - DagsterEvents
    """Step key → the asset keys its materializations and check evaluations name."""
    found: dict[str, set[str]] = {}
    for event in events:
        if not getattr(event, "step_key", None):
            continue
        assets = found.setdefault(event.step_key, set())
        if event.event_type_value in ("ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION"):
            asset = _asset_of(event)
            if asset:
                assets.add(asset)
    return found


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    """Wall time covered by the intervals (steps that run at once are counted once)."""
    total, end = 0.0, None
    for start, stop in sorted(intervals):
        if end is None or start > end:
            total += stop - start
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total


def read_run_events(measure: RunMeasure, dagster_home: Path) -> None:
    from dagster import DagsterInstance

    os.environ["DAGSTER_HOME"] = str(dagster_home.resolve())
    with DagsterInstance.get() as instance:
        run_id = measure.run_id or instance.get_runs(limit=1)[0].run_id
        measure.run_id = run_id
        entries = [e for e in instance.all_logs(run_id) if e.dagster_event is not None]
        measure.unchanged_since = instance.get_run_by_id(run_id).tags.get(UNCHANGED_TAG)
        stats = instance.get_run_step_stats(run_id)
        measure.steps_total = len(stats)
        measure.steps_skipped = sum(1 for s in stats if s.status is not None and s.status.value == "SKIPPED")
    events = [e.dagster_event for e in entries]
    measure.step_phase = step_phases(step_assets_of(events))
    starts: dict[str, float] = {}
    intervals: dict[str, list[tuple[float, float]]] = {}
    for entry in entries:
        event, step = entry.dagster_event, entry.step_key
        if not step:
            continue
        if event.event_type_value == "STEP_START":
            starts[step] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and step in starts:
            interval = (starts[step], entry.timestamp)
            measure.steps_s[step] = interval[1] - interval[0]
            intervals.setdefault(measure.step_phase.get(step, "other"), []).append(interval)
        elif event.event_type_value == "ASSET_MATERIALIZATION" and _asset_of(event) == "statements":
            metadata = event.event_specific_data.materialization.metadata
            measure.statements_meta = {
                k: v.value for k, v in metadata.items() if isinstance(getattr(v, "value", None), int | float)
            }
    measure.phases_s = {phase: union_seconds(intervals.get(phase, [])) for phase in (*PHASES, "other")}
    measure.in_steps_s = union_seconds([i for spans in intervals.values() for i in spans])
    measure.statements_total = int(measure.statements_meta.get("statements", 0))
    # since issue 12 part 3 only changed statements are rendered, and the asset says how many
    measure.statements_rendered = int(measure.statements_meta.get("statements_rendered", measure.statements_total))


# --------------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------------
def machine() -> dict[str, object]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError):
        mem_kib = 0
    return {"cpus": len(os.sched_getaffinity(0)), "cpu_model": model, "ram_gib": round(mem_kib / 2**20, 1),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def restated(root: Path) -> list[str]:
    import duckdb

    con = duckdb.connect(str(root / "warehouse" / "sla.duckdb"), read_only=True)
    try:
        return [r[0] for r in con.execute(
            "SELECT customer_id FROM main.statements WHERE month = $m AND is_current AND version > 1 ORDER BY 1",
            {"m": MONTH},
        ).fetchall()]
    finally:
        con.close()


def _fmt(value: float | None, unit: str = "s") -> str:
    return "—" if value is None else f"{value:,.1f} {unit}" if value >= 10 else f"{value:.2f} {unit}"


def _ratio(value: float | None, base: float | None) -> str:
    if not value or not base:
        return "—"
    ratio = value / base
    return f"{ratio:,.1f}×" if ratio >= 10 else f"{ratio:.2f}×"


def print_report(result: dict) -> None:
    runs: dict[str, RunMeasure] = result["runs"]
    scan, reference = result["scan_s"], result["reference_s"]
    main_run = runs.get("run")
    print()
    facts = result["drop"]
    print(f"month {MONTH}: {facts['enterprise_customers']:,} enterprise customers, {facts['probe_rows']:,} probe rows "
          f"in {facts['probe_files']} files ({facts['drop_bytes'] / 2**20:,.0f} MiB), {facts['tickets']:,} tickets")
    print(f"bare DuckDB scan (group-by of every probe file): {scan:.2f} s "
          f"(before {result['scan_before_s']:.2f} s, after {_fmt(result.get('scan_after_s'))})")
    print(f"bare WeasyPrint reference render ({REFERENCE.relative_to(ROOT)}): {reference:.3f} s "
          f"(before {result['reference_before_s']:.3f} s, after {_fmt(result.get('reference_after_s'))})")
    print()
    labels = [label for label in BENCH_PHASES if label in runs]
    header = f"{'phase':<13}" + "".join(f"{label:>12}" for label in labels) + "   ratio (run)"
    print(header)
    print("-" * len(header))
    n = main_run.statements_rendered if main_run else 0
    for phase in (*PHASES, "other"):
        if phase == "other" and not any(r.phases_s.get("other") for r in runs.values()):
            continue
        cells = "".join(f"{_fmt(runs[label].phases_s.get(phase)):>12}" for label in labels)
        ratio = ""
        if main_run:
            seconds = main_run.phases_s.get(phase, 0.0)
            if phase == "statements" and n:
                per = seconds / n
                ratio = f"{per:.3f} s/statement wall = {_ratio(per, reference)} reference"
                if "one-core" in runs and runs["one-core"].statements_rendered:
                    one = runs["one-core"].phases_s["statements"] / runs["one-core"].statements_rendered
                    ratio += f"; one process {one:.3f} s = {_ratio(one, reference)}"
            else:
                ratio = f"{_ratio(seconds, scan)} scan"
        print(f"{phase:<13}{cells}   {ratio}")
    print(f"{'outside steps':<13}" + "".join(f"{_fmt(runs[l].wall_s - runs[l].in_steps_s):>12}" for l in labels)
          + "   CLI start-up, Dagster between steps, summary")
    print(f"{'whole run':<13}" + "".join(f"{_fmt(runs[l].wall_s):>12}" for l in labels)
          + (f"   {_ratio(main_run.wall_s, scan)} scan" if main_run else ""))
    print(f"{'vs bare scan':<13}" + "".join(f"{_ratio(runs[l].wall_s, scan):>12}" for l in labels))
    print(f"{'peak RSS tree':<13}" + "".join(f"{runs[l].peak_tree_rss_mib:>8,.0f} MiB" for l in labels)
          + "   sum over the process tree, polled every 0.25 s")
    print(f"{'peak RSS 1 pr':<13}" + "".join(f"{runs[l].peak_process_rss_mib:>8,.0f} MiB" for l in labels)
          + "   largest single process (wait4 ru_maxrss)")
    print(f"{'CPU time':<13}" + "".join(f"{_fmt(runs[l].cpu_s):>12}" for l in labels))
    print()
    for label in labels:
        meta = runs[label].statements_meta
        counts = ", ".join(f"{k.removeprefix('statements_') or k}={v}" for k, v in meta.items()
                           if k.startswith("statements") or "render" in k)
        print(f"statements asset, {label}: {counts or '(no statements materialization)'}")
    if "changed" in result:
        print(f"changed customer: {result['changed']['customer']}; restated after the change: "
              f"{result['changed']['restated']}")
    if main_run and n:
        print(f"statements per second (run, {main_run.cpus} CPUs): {n / main_run.phases_s['statements']:.2f}")
    if main_run and "one-core" in runs:
        one = runs["one-core"]
        print(f"speed-up on {main_run.cpus} cores: statements phase {_ratio(one.phases_s['statements'], main_run.phases_s['statements'])}"
              f", whole run {_ratio(one.wall_s, main_run.wall_s)} (one CPU vs {main_run.cpus}); pure-CPU control "
              f"{result.get('cpu_control', 0):.2f}×")
    if main_run and "multiprocess" in runs:
        multi = runs["multiprocess"]
        print(f"multiprocess executor vs in-process: statements phase {_fmt(multi.phases_s['statements'])} vs "
              f"{_fmt(main_run.phases_s['statements'])} ({_ratio(multi.phases_s['statements'], main_run.phases_s['statements'])})"
              f", whole run {_fmt(multi.wall_s)} vs {_fmt(main_run.wall_s)} ({_ratio(multi.wall_s, main_run.wall_s)}), "
              f"{multi.statements_meta.get('render_shards', '?')} render shards")
    for label in ("rerun", "changed"):
        if label in runs:
            run = runs[label]
            found = (f"unchanged since run {run.unchanged_since}: {run.steps_skipped} of {run.steps_total} steps skipped"
                     if run.unchanged_since else "a full run")
            print(f"{label}: whole run {_ratio(run.wall_s, scan)} the bare scan (issue 12 target: ≤ 5× unchanged); {found}")
    m = result["machine"]
    print(f"machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['ram_gib']} GiB RAM, {m['date']}; load average "
          f"before {result['load_before']}, after {result.get('load_after')}")


def save(result: dict, target: Path) -> None:
    """The figures so far, also after each run: a benchmark stopped in a later phase keeps the earlier ones."""
    target.write_text(json.dumps({**result, "runs": {k: asdict(v) for k, v in result["runs"].items()}}, indent=2,
                                 default=str))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[7:]))
    parser.add_argument("--customers", type=int, default=1000, help="enterprise customers of the month (default 1000)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 100 customers")
    parser.add_argument("--skip-generate", action="store_true", help="use the cached drop; fail if there is none")
    parser.add_argument("--phases", default=",".join(BENCH_PHASES),
                        help=f"benchmark phases to run, comma-separated, of {','.join(BENCH_PHASES)} (default all)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here (default bench/out/)")
    args = parser.parse_args(argv)
    customers = 100 if args.quick else args.customers
    wanted = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = sorted(set(wanted) - set(BENCH_PHASES))
    if unknown:
        parser.error(f"unknown phase(s) {', '.join(unknown)}; choose from {', '.join(BENCH_PHASES)}")
    if {"rerun", "changed"} & set(wanted) and "run" not in wanted:
        parser.error("rerun and changed rerun the 'run' phase's month: include run")

    drop = ensure_drop(customers, generate=not args.skip_generate)
    result: dict = {"machine": machine(), "load_before": _load(), "drop": drop_facts(drop), "runs": {}}
    print(f"drop {drop}: {result['drop']}", flush=True)
    result["scan_before_s"] = bare_scan(drop)
    result["reference_before_s"] = reference_render()
    print(f"baselines: scan {result['scan_before_s']:.2f} s, reference {result['reference_before_s']:.3f} s", flush=True)
    from bench_statements import cpu_control  # noqa: PLC0415 - the same control as the statements benchmark

    result["cpu_control"] = cpu_control(len(os.sched_getaffinity(0)))

    target = args.json or OUT / f"bench_month-{customers}.json"
    base = OUT / f"month-{customers}"
    shutil.rmtree(base, ignore_errors=True)
    if "run" in wanted:
        root = base / "run"
        link_tree(drop, root / "drop")
        for label in [p for p in ("run", "rerun") if p in wanted]:
            print(f"{label}: sla-report run --month {MONTH} in {root} …", flush=True)
            result["runs"][label] = sla_report_run(label, root, root / "drop")
            print(f"  {result['runs'][label].wall_s:.1f} s", flush=True)
            save(result, target)
        if "changed" in wanted:
            customer = change_one_customer(root / "drop")
            print(f"changed: {customer}'s probe rows changed; sla-report run again …", flush=True)
            result["runs"]["changed"] = sla_report_run("changed", root, root / "drop")
            result["changed"] = {"customer": customer, "restated": restated(root)}
            print(f"  {result['runs']['changed'].wall_s:.1f} s", flush=True)
            save(result, target)
    if "one-core" in wanted:
        root = base / "one-core"
        cpu = min(os.sched_getaffinity(0))
        print(f"one-core: sla-report run pinned to CPU {cpu} in {root} …", flush=True)
        result["runs"]["one-core"] = sla_report_run("one-core", root, drop, cpus={cpu})
        print(f"  {result['runs']['one-core'].wall_s:.1f} s", flush=True)
        save(result, target)
    if "multiprocess" in wanted:
        root = base / "multiprocess"
        print(f"multiprocess: SLA_EXECUTOR=multiprocess sla-report run in {root} …", flush=True)
        result["runs"]["multiprocess"] = sla_report_run("multiprocess", root, drop, executor="multiprocess")
        print(f"  {result['runs']['multiprocess'].wall_s:.1f} s", flush=True)
        save(result, target)

    result["scan_after_s"] = bare_scan(drop)
    result["reference_after_s"] = reference_render()
    result["scan_s"] = statistics.fmean([result["scan_before_s"], result["scan_after_s"]])
    result["reference_s"] = statistics.fmean([result["reference_before_s"], result["reference_after_s"]])
    result["load_after"] = _load()
    print_report(result)
    save(result, target)
    print(f"figures written to {target}")
    return 0


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    raise SystemExit(main())
