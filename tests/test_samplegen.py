"""Tests of the seeded sample-data generator and of the committed designed sample (data/sample).

The committed sample must be exactly what the generator writes (so the README's expectations and line
numbers cannot drift), the generator must be byte-deterministic, and every designed case the README
promises must be present in the files. `test_readme_uptime_table_matches_the_probe_rows` recomputes the
per-customer minute counts from the raw probe rows with a small independent reading of R13-R16, so an
edit of the generator that silently changes a designed outcome fails here.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tools.samplegen import generator as sg

UTC = timezone.utc
REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
CC_CODES = ("invalid_api_key", "policy_misconfigured")


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample-a")
    assert sg.main(["--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def drop(generated) -> "Drop":
    return Drop(generated)


class Drop:
    """The generated sample, parsed naively (text only) for assertions."""

    def __init__(self, root: Path):
        self.root = root
        self.customers = self.csv("customers.csv")
        self.contracts = self.csv("contracts.csv")
        self.tickets = self.csv("tickets.csv")
        self.events = self.csv("ticket_events.csv")
        self.maintenance = self.csv("maintenance.csv")
        self.incidents = self.csv("incidents.csv")
        self.readme = (root / "README.md").read_text(encoding="utf-8")
        self.probe_files: dict[str, list[dict[str, str]]] = {}
        for p in sorted((root / "probes").iterdir()):
            self.probe_files[p.name] = read_probe_file(p)
        # every probe row with its parsed instant (None = unparseable or naive), in sorted path order
        self.probe_rows = [(r, parsed(r["probed_at"])) for name in sorted(self.probe_files)
                           for r in self.probe_files[name]]

    def csv(self, name: str) -> list[dict[str, str]]:
        with open(self.root / name, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def ticket(self, tid: str) -> dict[str, str]:
        rows = [t for t in self.tickets if t["ticket_id"] == tid]
        assert len(rows) == 1, tid
        return rows[0]

    def events_of(self, tid: str) -> list[tuple[datetime, str, str]]:
        return [(instant(e["occurred_at"]), e["event"], e["severity"]) for e in self.events if e["ticket_id"] == tid]


def read_probe_file(p: Path) -> list[dict[str, str]]:
    name = p.name
    if name.endswith(".parquet"):
        return [{k: ("" if v is None else str(v)) for k, v in r.items()} for r in pq.read_table(p).to_pylist()]
    opener = gzip.open if name.endswith(".gz") else open
    with opener(p, "rt", encoding="utf-8", newline="") as f:
        if ".jsonl" in name:
            return [{k: ("" if v is None else str(v)) for k, v in json.loads(line).items()} for line in f]
        return list(csv.DictReader(f))


def instant(text: str) -> datetime:
    d = datetime.fromisoformat(text)
    assert d.tzinfo is not None, text
    return d.astimezone(UTC)


def parsed(text: str) -> datetime | None:
    """ISO 8601 with 'T', seconds and an offset; None otherwise (unparseable or naive)."""
    if len(text) < 20 or text[10] != "T" or text[16] != ":":
        return None
    try:
        d = datetime.fromisoformat(text)
    except ValueError:
        return None
    return d.astimezone(UTC) if d.tzinfo is not None else None


# ------------------------------------------------------------------------------------------------
# determinism, drift, size
# ------------------------------------------------------------------------------------------------
def test_two_runs_with_the_same_seed_are_byte_identical(generated, tmp_path):
    again = tmp_path / "sample-b"
    assert sg.main(["--out", str(again), "--seed", str(sg.DEFAULT_SEED)]) == 0
    a, b = files_of(generated), files_of(again)
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name] == b[name], f"{name} differs between two runs with the same seed"


def test_committed_sample_is_exactly_what_the_generator_writes(generated):
    assert SAMPLE.is_dir(), "data/sample is missing: run `uv run python -m tools.samplegen --out data/sample`"
    want, have = files_of(generated), files_of(SAMPLE)
    assert sorted(have) == sorted(want), "data/sample holds other files than the generator writes"
    stale = [n for n in want if want[n] != have[n]]
    assert not stale, f"data/sample drifted from tools/samplegen/: {stale}; regenerate it"


def test_sample_stays_under_10_mb():
    total = sum(len(b) for b in files_of(SAMPLE).values())
    assert total < 10 * 1024 * 1024, total


# ------------------------------------------------------------------------------------------------
# the designed cases exist
# ------------------------------------------------------------------------------------------------
def test_customers_and_contracts(drop):
    ids = [c["customer_id"] for c in drop.customers]
    names = {c["customer_id"]: c["name"] for c in drop.customers}
    assert names["quote-co"] == "Smith <&> \"Quotes\" O'Brien GmbH"
    good = [c for c in drop.contracts if not c["contract_id"].startswith("C-BAD")]
    ent = {c["customer_id"] for c in good if c["plan"] == "enterprise"}
    growth = {c["customer_id"] for c in good if c["plan"] == "growth"}
    assert len(set(ids)) >= 8 and len(ent) >= 5 and len(growth) >= 2
    by_id = {c["contract_id"]: c for c in good}
    assert by_id["C-KYOTO-1"]["currency"] == "JPY" and by_id["C-KYOTO-1"]["monthly_fee"] == "1500000"
    assert by_id["C-UMBRELLA-1"]["starts_on"] == "2026-10-15"
    assert by_id["C-HOOLI-G"]["ends_on"] == by_id["C-HOOLI-E"]["starts_on"] == "2026-10-20"
    assert {c["currency"] for c in good} >= {"EUR", "USD", "JPY"}
    assert all(re.fullmatch(r"\d+(\.\d\d)?", c["monthly_fee"]) for c in good)
    # no two good contracts of one customer overlap (dates read as UTC midnight, ends exclusive)
    seen = {}
    for c in good:
        key = (c["contract_id"], c["customer_id"])
        if key in seen:
            continue  # the designed exact duplicate
        seen[key] = c
    per_customer = defaultdict(list)
    for c in seen.values():
        per_customer[c["customer_id"]].append((c["starts_on"], c["ends_on"] or "9999-12-31"))
    for cust, periods in per_customer.items():
        periods.sort()
        for (s1, e1), (s2, _e2) in zip(periods, periods[1:]):
            assert e1 <= s2, cust


def test_ticket_volume_and_variety(drop):
    good = [t for t in drop.tickets if parsed(t["created_at"])]
    assert len(drop.tickets) >= 150
    assert {t["severity"] for t in good} >= {"S1", "S2", "S3", "S4"}
    assert {t["channel"] for t in good} >= {"email", "slack_connect", "dedicated_contact"}
    assert sum(1 for t in good if instant(t["created_at"]).astimezone(sg.BRUSSELS).weekday() >= 5) >= 5
    assert any(instant(t["created_at"]) < datetime(2026, 10, 1, tzinfo=UTC) for t in good)
    offsets = {re.search(r"(Z|[+-]\d\d:\d\d)$", t["created_at"]).group(1) for t in good}
    assert {"Z", "+02:00", "+01:00", "+09:00"} <= offsets
    kinds = Counter(e["event"] for e in drop.events)
    for k in ("agent_reply", "auto_reply", "customer_reply", "severity_changed", "awaiting_customer",
              "resolved", "reopened", "customer_confirmed"):
        assert kinds[k] > 0, k


def test_event_ids_are_integers_increasing_in_export_order(drop):
    ids = [int(e["event_id"]) for e in drop.events]
    repeats = [b for a, b in zip(ids, ids[1:]) if b == a]
    assert all(b >= a for a, b in zip(ids, ids[1:]))
    assert len(repeats) == 2  # the designed exact duplicate and the conflicting pair


@pytest.mark.parametrize(
    "tid, created_utc, events",
    [
        # R9 worked examples (Europe/Brussels local times of R9, October 2026, CEST)
        ("T-R9-1", "2026-10-07T08:00:00Z", [("2026-10-07T09:00:00Z", "severity_changed", "S2"),
                                         ("2026-10-07T13:00:00Z", "agent_reply", "")]),
        ("T-R9-2", "2026-10-10T08:00:00Z", [("2026-10-10T10:00:00Z", "severity_changed", "S2"),
                                         ("2026-10-12T08:00:00Z", "agent_reply", "")]),
        ("T-R9-3", "2026-10-17T08:00:00Z", [("2026-10-17T08:30:00Z", "severity_changed", "S2"),
                                         ("2026-10-19T08:00:00Z", "agent_reply", "")]),
        ("T-R9-4", "2026-10-19T07:00:00Z", [("2026-10-19T12:00:00Z", "severity_changed", "S1"),
                                         ("2026-10-19T12:15:00Z", "severity_changed", "S2"),
                                         ("2026-10-19T12:30:00Z", "agent_reply", "")]),
        # DST: the Monday after 2026-10-25 opens at 08:00Z
        ("T-DST-1", "2026-10-23T14:00:00Z", [("2026-10-26T11:00:00Z", "agent_reply", "")]),
        ("T-DST-3", "2026-10-25T00:30:00Z", [("2026-10-25T01:20:00Z", "agent_reply", "")]),
        ("T-DST-4", "2026-10-25T09:00:00Z", [("2026-10-26T13:00:00Z", "agent_reply", "")]),
        # before the holiday of Wednesday 2026-11-11
        ("T-HOL-1", "2026-10-29T09:00:00Z", [("2026-10-29T10:00:00Z", "awaiting_customer", ""),
                                          ("2026-11-09T08:00:00Z", "customer_reply", ""),
                                          ("2026-11-16T09:00:00Z", "customer_confirmed", "")]),
        ("T-HOL-2", "2026-11-10T14:00:00Z", [("2026-11-12T09:30:00Z", "agent_reply", "")]),
        ("T-AUTO-1", "2026-10-01T20:00:00Z", [("2026-10-01T20:00:30Z", "auto_reply", ""),
                                           ("2026-10-01T21:30:00Z", "agent_reply", "")]),
        ("T-REOPEN-1", "2026-10-08T10:00:00Z", [("2026-10-09T08:00:00Z", "resolved", ""),
                                             ("2026-10-09T09:00:00Z", "customer_confirmed", ""),
                                             ("2026-10-12T08:00:00Z", "reopened", "")]),
        ("T-LOWER-1", "2026-10-15T07:00:00Z", [("2026-10-15T13:00:00Z", "severity_changed", "S4")]),
        ("T-PLAN-B", "2026-10-19T23:30:00Z", [("2026-10-20T12:00:00Z", "agent_reply", "")]),
    ],
)
def test_designed_ticket(drop, tid, created_utc, events):
    assert instant(drop.ticket(tid)["created_at"]) == instant(created_utc)
    have = drop.events_of(tid)
    for when, ev, sev in events:
        assert (instant(when), ev, sev) in have, (tid, when, ev)


def test_designed_ticket_weekdays_and_dst_facts(drop):
    local = {tid: instant(drop.ticket(tid)["created_at"]).astimezone(sg.BRUSSELS)
             for tid in ("T-R9-1", "T-R9-2", "T-R9-3", "T-R9-4", "T-DST-2", "T-HOL-2")}
    assert [local[t].strftime("%a %H:%M") for t in ("T-R9-1", "T-R9-2", "T-R9-3", "T-R9-4")] == [
        "Wed 10:00", "Sat 10:00", "Sat 10:00", "Mon 09:00"]
    assert local["T-DST-2"].strftime("%a %H:%M %z") == "Sun 02:30 +0200"
    assert local["T-HOL-2"].strftime("%a %d") == "Tue 10"
    monday = datetime(2026, 10, 26, 9, tzinfo=sg.BRUSSELS).astimezone(UTC)
    assert monday.hour == 8
    # T-TIE-1: the severity change and the reply share an instant, the change has the lower event_id
    tie = [(int(e["event_id"]), instant(e["occurred_at"]), e["event"]) for e in drop.events
           if e["ticket_id"] == "T-TIE-1"]
    sc = next(x for x in tie if x[2] == "severity_changed")
    rep = next(x for x in tie if x[2] == "agent_reply")
    assert sc[1] == rep[1] and sc[0] < rep[0]
    # T-BACKFILL-1: the reply was exported after the confirmation
    bf = {e["event"]: int(e["event_id"]) for e in drop.events if e["ticket_id"] == "T-BACKFILL-1"}
    assert bf["agent_reply"] > bf["customer_confirmed"]


def test_default_as_of_is_the_documented_instant(drop):
    now = datetime.now(UTC)
    stamps = [parsed(t["created_at"]) for t in drop.tickets] + [parsed(e["occurred_at"]) for e in drop.events]
    newest = max(s for s in stamps if s is not None and s <= now)
    assert newest == instant(sg.SAMPLE_AS_OF)
    assert sg.SAMPLE_AS_OF in drop.readme


def test_maintenance_announcements(drop):
    m = {r["maintenance_id"]: r for r in drop.maintenance if r["maintenance_id"] in ("M-1", "M-2", "M-3", "M-4")}
    lead = {k: instant(v["starts_at"]) - instant(v["announced_at"]) for k, v in m.items()}
    assert lead["M-1"] > timedelta(hours=48)
    assert lead["M-2"] == timedelta(hours=48)
    assert lead["M-3"] < timedelta(hours=48)
    assert m["M-4"]["customer_id"] == "quote-co"
    causes = {r["cause"] for r in drop.incidents if not r["incident_id"].startswith("I-BAD")}
    assert causes == {"customer_caused", "upstream", "platform"}


def test_probe_files_mix_formats_and_cover_the_month(drop):
    names = set(drop.probe_files)
    assert {n.split(".", 1)[1] for n in names} == {"csv", "csv.gz", "jsonl", "parquet", "jsonl.gz"}
    schema = pq.read_schema(drop.root / "probes" / "tenant-eu-2026-10.parquet")
    assert all(str(f.type) == "string" for f in schema)
    good = [r for r, t in drop.probe_rows if t is not None and t.year < 2099]
    assert {r["check"] for r in good} >= {"health_live", "chat_completions"}
    assert {r["region"] for r in good if not r["customer_id"]} >= {"eu-west", "us-east"}
    assert {r["customer_id"] for r in good} >= {"", "acme", "globex", "initech", "kyoto-ai", "quote-co"}
    times = [t for _r, t in drop.probe_rows if t is not None and t.year < 2099]
    assert min(times) < datetime(2026, 10, 1, tzinfo=UTC) and max(times) >= datetime(2026, 11, 1, tzinfo=UTC)
    assert not [t for t in times if sg.W_GAP[0] <= t < sg.W_GAP[1]], "the probe gap must have no rows at all"


def test_every_bad_row_in_the_readme_points_at_its_row(drop):
    listed = re.findall(r"^\| `([^`]+)` \| (\d+) \| `([^`]*)` \| ([^|]+?) \| (.*) \|$", drop.readme, re.M)
    assert len(listed) >= 50
    categories = Counter(cat for _p, _l, _k, cat, _d in listed)
    for kind in ("unparseable value", "unknown customer", "unknown enum value", "window ends before it starts",
                 "naive timestamp", "unknown ticket", "ticket rejected", "event before ticket created_at",
                 "invalid severity", "no contract at created_at", "negative fee", "unknown currency",
                 "in the future", "exact duplicate", "conflicting duplicate"):
        assert categories[kind] >= 1, kind
    for path, line, key, cat, detail in listed:
        if path.startswith("probes/"):
            rec = drop.probe_files[path.split("/", 1)[1]][int(line) - 1]
            assert key.startswith(f"{rec['probed_at']} {rec['check']}"), (path, line, key)
            continue
        rows = {"customers.csv": drop.customers, "contracts.csv": drop.contracts, "tickets.csv": drop.tickets,
                "ticket_events.csv": drop.events, "maintenance.csv": drop.maintenance,
                "incidents.csv": drop.incidents}[path]
        rec = rows[int(line) - 1]
        first = next(iter(rec.values()))
        if path == "ticket_events.csv":
            assert key == f"{rec['event_id']} {rec['ticket_id']}", (path, line, key)
        else:
            assert key == first, (path, line, key)
        if cat == "exact duplicate":
            assert rows[int(line) - 2] == rec
        if cat == "ticket rejected":
            ticket_lines = re.search(r"tickets\.csv line ([\d, ]+)", detail).group(1)
            for tl in re.findall(r"\d+", ticket_lines):
                assert drop.tickets[int(tl) - 1]["ticket_id"] == rec["ticket_id"]


def test_multiline_subject_shifts_physical_lines(drop):
    raw = (drop.root / "tickets.csv").read_text(encoding="utf-8")
    assert raw.count("\n") > len(drop.tickets) + 1
    assert "\n" in drop.ticket("T-MULTILINE-1")["subject"]


def test_readme_uptime_table_matches_the_probe_rows(drop):
    """Recompute U and the exclusion counts per customer x plan from the raw rows (R13-R17)."""
    customers = {c["customer_id"] for c in drop.customers}
    seen, agg = set(), defaultdict(list)
    now = datetime.now(UTC)
    for r, t in drop.probe_rows:
        if (t is None or t > now or r["check"] not in ("health_live", "chat_completions")
                or (r["customer_id"] and r["customer_id"] not in customers)
                or (r["status_code"] and not r["status_code"].isdigit())):
            continue
        status = int(r["status_code"]) if r["status_code"] else None
        key = (t, r["check"], r["region"], r["customer_id"], status, r["error_code"], r.get("latency_ms", ""))
        if key in seen:
            continue
        seen.add(key)
        failed = status is None or not 200 <= status <= 299
        agg[(t.replace(second=0, microsecond=0), r["check"], r["customer_id"])].append(
            (failed, status, r["error_code"]))
    maint = [(instant(m["starts_at"]), instant(m["ends_at"]), instant(m["announced_at"]), m["customer_id"])
             for m in drop.maintenance if m["maintenance_id"] in ("M-1", "M-2", "M-3", "M-4", "M-5")]
    cc_windows = [(instant(i["starts_at"]), instant(i["ends_at"]), i["customer_id"])
                  for i in drop.incidents if i["incident_id"].startswith("I-") and i["cause"] == "customer_caused"
                  and not i["incident_id"].startswith("I-BAD")]

    def fails(results):
        return bool(results) and 2 * sum(f for f, _s, _e in results) >= len(results)

    def classify(c, m):
        hs, ht = agg.get((m, "health_live", ""), []), agg.get((m, "health_live", c), [])
        cs, ct = agg.get((m, "chat_completions", ""), []), agg.get((m, "chat_completions", c), [])
        if not (hs or ht or cs or ct):
            return "no_data"
        h_fail, cs_fail, ct_fail = fails(hs) or fails(ht), fails(cs), fails(ct)
        if not (h_fail or cs_fail or ct_fail):
            return "up"
        end = m + timedelta(minutes=1)
        if any((mc in ("", c)) and s <= m and end <= e and a < s - timedelta(hours=48) for s, e, a, mc in maint):
            return "maintenance"
        if not (hs or ht) or h_fail:
            return "unavailable"
        failing = [("s", st, er) for f, st, er in cs if f and cs_fail] + [("t", st, er) for f, st, er in ct
                                                                          if f and ct_fail]
        if any(ic == c and s <= m and end <= e for s, e, ic in cc_windows):
            return "customer_caused"
        if failing and all(src == "t" and er in CC_CODES for src, _st, er in failing):
            return "customer_caused"
        passthrough = [st == 502 and er == "upstream_error" for _src, st, er in failing]
        excused = [p or (src == "t" and er in CC_CODES) for p, (src, _st, er) in zip(passthrough, failing)]
        if all(excused) and any(passthrough):
            return "upstream"
        return "unavailable"

    periods = {  # customer, plan -> [start, end)
        ("hooli", "growth"): (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC)),
        ("hooli", "enterprise"): (datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)),
        ("umbrella", "enterprise"): (datetime(2026, 10, 15, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)),
    }
    # only minutes with a failing result or without any result can be other than up
    with_rows: dict[str, set[datetime]] = defaultdict(set)
    with_failure: dict[str, set[datetime]] = defaultdict(set)
    for (m, _check, cust), results in agg.items():
        with_rows[cust].add(m)
        if any(f for f, _s, _e in results):
            with_failure[cust].add(m)
    for cust, plan, t_min, u, mnt, cc, up, nd, _fee, _d in sg.UPTIME_EXPECTED:
        lo, hi = periods.get((cust, plan), (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)))
        assert (hi - lo) == timedelta(minutes=t_min)
        minutes = [lo + timedelta(minutes=k) for k in range(t_min)]
        covered = with_rows[""] | with_rows[cust]
        candidates = [m for m in minutes if m not in covered] + sorted(
            m for m in with_failure[""] | with_failure[cust] if lo <= m < hi)
        counts = Counter(classify(cust, m) for m in candidates)
        got = (counts["unavailable"], counts["maintenance"], counts["customer_caused"], counts["upstream"],
               counts["no_data"])
        assert got == (u, mnt, cc, up, nd), (cust, plan, got)
        assert f"| {cust} × {plan} | {t_min} | {u} | {mnt} | {cc} | {up} | {nd} |" in drop.readme


# ------------------------------------------------------------------------------------------------
# benchmark mode (small)
# ------------------------------------------------------------------------------------------------
def test_benchmark_mode_is_deterministic_and_complete(tmp_path):
    args = ["--customers", "3", "--month", "2026-09", "--seed", "5", "--probe-format", "parquet"]
    a, b = tmp_path / "a", tmp_path / "b"
    assert sg.main(["--out", str(a), *args]) == 0
    assert sg.main(["--out", str(b), *args]) == 0
    fa = files_of(a)
    assert fa == files_of(b)
    assert {"customers.csv", "contracts.csv", "tickets.csv", "ticket_events.csv", "maintenance.csv",
            "incidents.csv", "probes/shared-2026-09.parquet", "probes/tenant-2026-09-0001.parquet"} <= set(fa)
    tenant = pq.read_table(a / "probes" / "tenant-2026-09-0001.parquet")
    assert all(str(f.type) == "string" for f in tenant.schema)
    assert tenant.num_rows == 3 * (30 * 1440 + 60)
    assert set(tenant.column("customer_id").to_pylist()) == {"ent-00001", "ent-00002", "ent-00003"}
    tickets = list(csv.DictReader(io.StringIO(fa["tickets.csv"].decode())))
    assert 20 <= len(tickets) <= 120


def test_benchmark_csv_format(tmp_path):
    assert sg.main(["--out", str(tmp_path), "--customers", "2", "--probe-format", "csv", "--seed", "1"]) == 0
    with open(tmp_path / "probes" / "tenant-2026-10-0001.csv", encoding="utf-8") as f:
        header = f.readline().strip()
        first = f.readline().strip().split(",")
    assert header.split(",") == sg.PROBE_COLUMNS
    assert first[1] == "chat_completions" and first[3] == "ent-00001"


def test_designed_sample_refuses_other_months(tmp_path):
    with pytest.raises(SystemExit):
        sg.main(["--out", str(tmp_path), "--month", "2026-09"])
