"""Seeded, deterministic sample-data generator for the SLA pipeline's input drop.

Two modes, one entry point (``python -m tools.samplegen``):

* **Designed sample** (default, no ``--customers``): writes the committed ``data/sample`` drop for 2026-10.
  Every hard case (DST, the 11 November holiday, R9's worked examples, each uptime exclusion class, each
  kind of bad row ...) is an explicit hand-written row with a stable id; seeded random "filler" tickets
  make the month look real. ``README.md`` is written too: the designed cases with their hand-computed
  expected outcomes, and every bad row with its file and 1-based record number (computed here, so the
  line numbers can never drift from the files). Filler never touches a designed outcome: filler tickets
  are separate tickets, and the probe files contain no random failures (latencies only).
* **Benchmark** (``--customers N``): N enterprise customers (+ N//10 growth) for any month, tenant
  ``chat_completions`` probes every minute for every enterprise customer plus shared probes in two
  regions, sparse random failures, ~20 tickets per customer. Probe files are split per 50 customers
  (Parquet by default, plain CSV with ``--probe-format csv``). Built with numpy/pyarrow.

Both modes are byte-deterministic for a given seed (gzip headers carry no name or mtime, no dict/set
ordering leaks, no clock). Only the Python standard library, numpy and pyarrow are used.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.policy import SEVERITIES as POLICY_SEVERITIES

UTC = timezone.utc
BRUSSELS = ZoneInfo("Europe/Brussels")
ZONES = {
    "brussels": BRUSSELS,
    "newyork": ZoneInfo("America/New_York"),
    "tokyo": ZoneInfo("Asia/Tokyo"),
}
DEFAULT_MONTH = "2026-10"
DEFAULT_SEED = 20261001
SAMPLE_AS_OF = "2026-11-16T09:00:00Z"  # newest loaded ticket/event timestamp of the designed sample
CHUNK_CUSTOMERS = 50

PROBE_COLUMNS = ["probed_at", "check", "region", "customer_id", "status_code", "error_code", "latency_ms"]
TICKET_COLUMNS = ["ticket_id", "customer_id", "channel", "severity", "created_at", "subject"]
EVENT_COLUMNS = ["event_id", "ticket_id", "occurred_at", "event", "severity"]
CUSTOMER_COLUMNS = ["customer_id", "name", "billing_email"]
CONTRACT_COLUMNS = ["contract_id", "customer_id", "plan", "monthly_fee", "currency", "starts_on", "ends_on"]
MAINTENANCE_COLUMNS = ["maintenance_id", "starts_at", "ends_at", "announced_at", "customer_id", "title"]
INCIDENT_COLUMNS = ["incident_id", "starts_at", "ends_at", "cause", "customer_id", "summary"]

# Probe outcomes: (status_code text, error_code text). "" = empty.
OK = ("200", "")
DOWN = ("503", "")
MAINT = ("503", "maintenance")
UPSTREAM = ("502", "upstream_error")
ERR500 = ("500", "internal_error")
TIMEOUT = ("", "timeout")
TIMEOUT0 = ("0", "timeout")
BADKEY = ("401", "invalid_api_key")
BADPOLICY = ("403", "policy_misconfigured")
OUTCOMES = [OK, DOWN, MAINT, UPSTREAM, ERR500, TIMEOUT, TIMEOUT0, BADKEY, BADPOLICY]
OUTCOME_INDEX = {o: i for i, o in enumerate(OUTCOMES)}


# --------------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------------
def ts(text: str) -> datetime:
    """Parse an ISO-8601 string with offset to an aware UTC datetime."""
    d = datetime.fromisoformat(text)
    if d.tzinfo is None:
        raise ValueError(f"designed timestamp without offset: {text}")
    return d.astimezone(UTC)


def fmt(d: datetime, style: str = "Z") -> str:
    """Format an aware datetime: 'Z', '+00:00', or local time of a named zone with its offset."""
    d = d.astimezone(UTC)
    if style == "Z":
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "+00:00":
        return d.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    local = d.astimezone(ZONES[style])
    off = local.utcoffset()
    assert off is not None
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def emin(d: datetime) -> int:
    """Epoch minute of an aware datetime (must be on a minute boundary for windows)."""
    s = int(d.timestamp())
    return s // 60


def month_bounds(month: str) -> tuple[datetime, datetime]:
    y, m = (int(p) for p in month.split("-"))
    start = datetime(y, m, 1, tzinfo=UTC)
    end = datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=UTC)
    return start, end


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as g:
        g.write(data)
    return buf.getvalue()


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def is_business(d: datetime) -> bool:
    loc = d.astimezone(BRUSSELS)
    return loc.weekday() < 5 and 9 <= loc.hour < 17


def next_opening(d: datetime) -> datetime:
    """Next Mon-Fri 09:00 Europe/Brussels strictly after-or-at d (holidays ignored: filler only)."""
    loc = d.astimezone(BRUSSELS)
    day = loc.date()
    if loc.hour >= 9:
        day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=BRUSSELS).astimezone(UTC)


# --------------------------------------------------------------------------------------------------
# Probe streams (vectorised)
# --------------------------------------------------------------------------------------------------
@dataclass
class Stream:
    """One probe series: one check, one region, shared or one tenant; rows at given epoch minutes."""

    check: str
    region: str
    customer: str  # "" = shared
    minutes: np.ndarray  # int64 epoch minutes
    millis: np.ndarray  # int32 offset within the minute, ms
    outcome: np.ndarray  # int8 index into OUTCOMES
    latency: np.ndarray  # int32

    @classmethod
    def build(cls, rng, check, region, customer, start_min, end_min, step=1, sec_lo=0, sec_hi=10, whole_seconds=True):
        minutes = np.arange(start_min, end_min, step, dtype=np.int64)
        n = len(minutes)
        ms = rng.integers(sec_lo * 1000, sec_hi * 1000, size=n).astype(np.int32)
        if whole_seconds:
            ms = (ms // 1000) * 1000
        base, spread = (12, 30) if check == "health_live" else (420, 900)
        latency = (base + rng.gamma(2.0, spread / 2.0, size=n)).astype(np.int32)
        return cls(check, region, customer, minutes, ms, np.zeros(n, dtype=np.int8), latency)

    def set(self, start: datetime, end: datetime, outcome: tuple[str, str]) -> None:
        m = (self.minutes >= emin(start)) & (self.minutes < emin(end))
        self.outcome[m] = OUTCOME_INDEX[outcome]

    def drop(self, start: datetime, end: datetime) -> None:
        keep = ~((self.minutes >= emin(start)) & (self.minutes < emin(end)))
        self.minutes, self.millis = self.minutes[keep], self.millis[keep]
        self.outcome, self.latency = self.outcome[keep], self.latency[keep]


def format_instants(epoch_ms: np.ndarray, with_millis: bool) -> pa.Array:
    """Epoch milliseconds -> 'YYYY-MM-DDTHH:MM:SS[.mmm]Z' strings, vectorised through unique minutes."""
    minute = epoch_ms // 60000
    uniq, inv = np.unique(minute, return_inverse=True)
    prefixes = pc.strftime(
        pa.array(uniq * 60, type=pa.timestamp("s", tz="UTC")), format="%Y-%m-%dT%H:%M:"
    ).take(pa.array(inv.astype(np.int64)))
    within = (epoch_ms - minute * 60000).astype(np.int64)
    if with_millis:
        su, sinv = np.unique(within, return_inverse=True)
        vocab = pa.array([f"{v // 1000:02d}.{v % 1000:03d}Z" for v in su.tolist()])
    else:
        within //= 1000
        su, sinv = np.unique(within, return_inverse=True)
        vocab = pa.array([f"{v:02d}Z" for v in su.tolist()])
    suffixes = vocab.take(pa.array(sinv.astype(np.int64)))
    return pc.binary_join_element_wise(prefixes, suffixes, "")


def streams_table(streams: list[Stream], with_millis: bool = False, time_major: bool = True) -> pa.Table:
    """All rows of the streams as an all-string table (empty values as nulls), sorted by time."""
    if not streams:
        return pa.table({c: pa.array([], pa.string()) for c in PROBE_COLUMNS})
    minutes = np.concatenate([s.minutes for s in streams])
    millis = np.concatenate([s.millis for s in streams])
    outcome = np.concatenate([s.outcome for s in streams])
    latency = np.concatenate([s.latency for s in streams])
    sid = np.concatenate([np.full(len(s.minutes), i, dtype=np.int32) for i, s in enumerate(streams)])
    epoch_ms = minutes * 60000 + millis
    order = np.lexsort((sid, epoch_ms)) if time_major else np.arange(len(minutes))
    epoch_ms, outcome, latency, sid = epoch_ms[order], outcome[order], latency[order], sid[order]
    idx = pa.array(sid.astype(np.int64))

    def per_stream(values):
        return pa.array([v if v != "" else None for v in values], pa.string()).take(idx)

    status_vocab = pa.array([o[0] or None for o in OUTCOMES], pa.string())
    error_vocab = pa.array([o[1] or None for o in OUTCOMES], pa.string())
    oidx = pa.array(outcome.astype(np.int64))
    return pa.table(
        {
            "probed_at": format_instants(epoch_ms, with_millis),
            "check": per_stream([s.check for s in streams]),
            "region": per_stream([s.region for s in streams]),
            "customer_id": per_stream([s.customer for s in streams]),
            "status_code": status_vocab.take(oidx),
            "error_code": error_vocab.take(oidx),
            "latency_ms": pc.cast(pa.array(latency), pa.string()),
        }
    )


def table_rows(table: pa.Table) -> list[list[str]]:
    cols = [[("" if v is None else v) for v in table.column(c).to_pylist()] for c in PROBE_COLUMNS]
    return [list(r) for r in zip(*cols)]


def jsonl_line(row: list[str]) -> str:
    """A probe row as JSON: numbers for status/latency, null for empty values (parse-level text-safe)."""
    probed_at, check, region, customer, status, error, latency = row
    obj = {
        "probed_at": probed_at,
        "check": check,
        "region": region,
        "customer_id": customer or None,
        "status_code": int(status) if status else None,
        "error_code": error or None,
        "latency_ms": int(latency) if latency else None,
    }
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------------------------------
# Tickets
# --------------------------------------------------------------------------------------------------
@dataclass
class Ticket:
    ticket_id: str
    customer_id: str
    channel: str
    severity: str
    created_at: str  # text as written
    subject: str
    sort_at: datetime | None = None  # export position (defaults to created_at)
    bad: str | None = None  # rejection category if this row is a designed bad row
    note: str = ""

    def row(self) -> list[str]:
        return [self.ticket_id, self.customer_id, self.channel, self.severity, self.created_at, self.subject]


@dataclass
class Event:
    ticket_id: str
    occurred_at: str  # text as written
    event: str
    severity: str = ""
    export_at: datetime | None = None  # position in export order (defaults to occurred_at)
    bad: str | None = None
    note: str = ""
    same_id_as_previous: bool = False  # conflicting duplicate: reuses the previous row's event_id
    duplicate_of: "Event | None" = None  # exact duplicate: written right after this event, same id
    ticket: "Ticket | None" = None  # filler: the ticket, whose id is assigned after sorting
    event_id: int = 0


SUBJECTS = {
    "S1": [
        "Production gateway returns 5xx for all requests",
        "Chat completions timing out in prod",
        "All API keys rejected since deploy",
        "Data leak risk: prompts visible across tenants?",
    ],
    "S2": [
        "Streaming responses cut off mid-answer",
        "Policy editor fails to save",
        "Latency spikes above 10s on /v1/chat/completions",
        "SSO login broken for half the team",
        "Usage dashboard shows no data since yesterday",
    ],
    "S3": [
        "Rate limit headers missing",
        "Export to CSV drops unicode characters",
        "Webhook retries happen twice",
        "Audit log filter ignores date range",
        "Token counts differ from invoice, workaround ok",
    ],
    "S4": [
        "How do we rotate API keys without downtime?",
        "Feature request: per-team budgets",
        "Question about data retention settings",
        "Docs typo in the policy reference",
        "Can we get the SOC 2 report?",
    ],
}
SEVERITIES = list(POLICY_SEVERITIES)


def filler_ticket_events(rng, created: datetime, sev: str, bound: datetime) -> list[tuple[datetime, str, str]]:
    """A realistic random life of a ticket as (instant, event, severity) tuples, all in [created, bound]."""
    evs: list[tuple[datetime, str, str]] = []

    def mins(x: float) -> timedelta:
        return timedelta(seconds=int(max(1.0, x) * 60))

    if rng.random() < 0.55:
        evs.append((created + timedelta(seconds=int(rng.integers(3, 90))), "auto_reply", ""))
    base = {"S1": 35, "S2": 150, "S3": 420, "S4": 1500}[sev]
    delay = mins(rng.lognormal(math.log(base), 0.8))
    reply = created + delay
    if sev != "S1" and not is_business(reply) and rng.random() < 0.8:
        reply = next_opening(reply) + mins(rng.integers(5, 120))
    cur = sev
    if rng.random() < 0.12:
        change = created + (reply - created) * float(rng.uniform(0.2, 0.8))
        cur = str(rng.choice([s for s in SEVERITIES if s != sev]))
        evs.append((change.replace(microsecond=0), "severity_changed", cur))
    evs.append((reply, "agent_reply", ""))
    t = reply
    if rng.random() < 0.3:
        t += mins(rng.integers(10, 240))
        evs.append((t, "awaiting_customer", ""))
        t += mins(rng.lognormal(math.log(1200), 1.0))
        evs.append((t, "customer_reply", ""))
        if rng.random() < 0.7:
            t += mins(rng.integers(5, 180))
            evs.append((t, "agent_reply", ""))
    if rng.random() < 0.08:
        t += mins(rng.integers(30, 600))
        new = str(rng.choice([s for s in SEVERITIES if s != cur]))
        evs.append((t, "severity_changed", new))
        cur = new
    res_base = {"S1": 200, "S2": 700, "S3": 2500, "S4": 5000}[cur]
    t += mins(rng.lognormal(math.log(res_base), 0.7))
    evs.append((t, "resolved", ""))
    if rng.random() < 0.2:
        t += mins(rng.integers(5, 300))
        evs.append((t, "customer_reply", ""))
    if rng.random() < 0.82:
        t += mins(rng.lognormal(math.log(600), 1.0))
        evs.append((t, "customer_confirmed", ""))
        if rng.random() < 0.08:
            t += mins(rng.integers(600, 5000))
            evs.append((t, "reopened", ""))
            t += mins(rng.integers(20, 400))
            evs.append((t, "agent_reply", ""))
            t += mins(rng.lognormal(math.log(res_base), 0.7))
            evs.append((t, "resolved", ""))
            if rng.random() < 0.7:
                t += mins(rng.integers(60, 2000))
                evs.append((t, "customer_confirmed", ""))
    return [e for e in evs if e[0] <= bound]


def random_created(rng, lo: datetime, hi: datetime) -> datetime:
    """Mostly business hours on weekdays; a quarter anywhere (nights, weekends)."""
    span = int((hi - lo).total_seconds())
    for _ in range(50):
        d = lo + timedelta(seconds=int(rng.integers(0, span)))
        if rng.random() < 0.25 or is_business(d):
            return d
    return d


def assign_event_ids(events: list[Event], rng, first_id: int) -> list[Event]:
    """Export order = by export instant (stable); exact duplicates right after their original."""
    main = [e for e in events if e.duplicate_of is None]
    dups = [e for e in events if e.duplicate_of is not None]
    order = sorted(range(len(main)), key=lambda i: (main[i].export_at, i))
    out: list[Event] = []
    for i in order:
        out.append(main[i])
        out.extend(d for d in dups if d.duplicate_of is main[i])
    next_id, last_id = first_id, first_id
    for e in out:
        if e.duplicate_of is not None:
            e.event_id = e.duplicate_of.event_id
        elif e.same_id_as_previous:
            e.event_id = last_id
        else:
            e.event_id = last_id = next_id
            next_id += int(rng.integers(1, 4))
    return out


def event_rows(events: list[Event]) -> list[list[str]]:
    return [[str(e.event_id), e.ticket_id, e.occurred_at, e.event, e.severity] for e in events]


# --------------------------------------------------------------------------------------------------
# Designed sample (2026-10)
# --------------------------------------------------------------------------------------------------
CUSTOMERS = [
    ("acme", "Acme Analytics NV", "billing@acme.example"),
    ("globex", "Globex Corporation", "ap@globex.example"),
    ("initech", "Initech Bénélux SA", "finance@initech.example"),
    ("kyoto-ai", "Kyoto AI 株式会社", "keiri@kyoto-ai.example"),
    ("quote-co", "Smith <&> \"Quotes\" O'Brien GmbH", ""),
    ("umbrella", "Umbrella Health Inc.", "billing@umbrella.example"),
    ("hooli", "Hooli Europe SRL", "accounts@hooli.example"),
    ("stark-labs", "Stark Labs LLC", "ops@stark-labs.example"),
    ("piedpiper", "Pied Piper Compression", ""),
    ("vandelay", "Vandelay Industries", "art@vandelay.example"),
]

# contract_id, customer_id, plan, monthly_fee, currency, starts_on, ends_on
CONTRACTS = [
    ("C-ACME-1", "acme", "enterprise", "12500.00", "EUR", "2025-01-01", ""),
    ("C-GLOBEX-1", "globex", "enterprise", "18000.00", "USD", "2025-07-01", "2026-07-01"),
    ("C-GLOBEX-2", "globex", "enterprise", "20000.10", "USD", "2026-07-01", ""),
    ("C-INITECH-1", "initech", "enterprise", "15000.00", "EUR", "2026-01-01", "2027-01-01"),
    ("C-KYOTO-1", "kyoto-ai", "enterprise", "1500000", "JPY", "2025-04-01", ""),
    ("C-QUOTE-1", "quote-co", "enterprise", "5000.00", "EUR", "2026-03-01", ""),
    ("C-UMBRELLA-1", "umbrella", "enterprise", "9000.00", "USD", "2026-10-15", ""),
    ("C-HOOLI-G", "hooli", "growth", "490.00", "EUR", "2026-06-01", "2026-10-20"),
    ("C-HOOLI-E", "hooli", "enterprise", "8000.00", "EUR", "2026-10-20", ""),
    ("C-STARK-1", "stark-labs", "growth", "299.00", "USD", "2026-02-01", ""),
    ("C-PIED-1", "piedpiper", "growth", "390.00", "EUR", "2026-05-01", ""),
    ("C-VANDELAY-1", "vandelay", "growth", "199.00", "GBP", "2025-10-01", "2026-10-01"),
]
# Bad contract rows (all in the past, never overlapping a good contract of the same customer).
BAD_CONTRACTS = [
    (("C-BAD-FEE", "vandelay", "growth", "12,500.00", "GBP", "2024-01-01", "2024-04-01"),
     "unparseable value", "monthly_fee `12,500.00` is not a decimal"),
    (("C-BAD-PLAN", "vandelay", "platinum", "199.00", "GBP", "2024-04-01", "2024-07-01"),
     "unknown enum value", "plan `platinum`"),
    (("C-BAD-CUR", "vandelay", "growth", "199.00", "XYZ", "2024-07-01", "2024-10-01"),
     "unknown currency", "currency `XYZ` is not ISO 4217"),
    (("C-BAD-NEG", "vandelay", "growth", "-100.00", "GBP", "2024-10-01", "2025-01-01"),
     "negative fee", "monthly_fee `-100.00`"),
    (("C-BAD-DATES", "vandelay", "growth", "199.00", "GBP", "2025-06-01", "2025-03-01"),
     "window ends before it starts", "ends_on 2025-03-01 < starts_on 2025-06-01"),
    (("C-BAD-CUST", "wayne-ent", "enterprise", "1000.00", "USD", "2026-01-01", ""),
     "unknown customer", "customer `wayne-ent` not in customers.csv"),
]

# Which customers get filler tickets, how many, their usual timestamp style.
FILLER = {
    "acme": (18, "brussels"),
    "globex": (20, "newyork"),
    "initech": (16, "Z"),
    "kyoto-ai": (12, "tokyo"),
    "quote-co": (12, "brussels"),
    "umbrella": (8, "Z"),
    "hooli": (12, "brussels"),
    "stark-labs": (10, "Z"),
    "piedpiper": (10, "+00:00"),
}

M = ts  # short alias for the window tables below

# Shared probe windows (apply to every customer whose contract covers the minute).
W_SH_U1 = (M("2026-10-07T14:00:00Z"), M("2026-10-07T14:05:00Z"))  # health down (1 region then)
W_M1 = (M("2026-10-10T02:00:00Z"), M("2026-10-10T02:30:00Z"))  # maintenance announced 48h01m ahead
W_SH_UP1 = (M("2026-10-14T10:00:00Z"), M("2026-10-14T10:25:00Z"))  # upstream 502, health up
W_SH_HALF = (M("2026-10-15T12:00:00Z"), M("2026-10-15T12:03:00Z"))  # health eu-west only (1 of 2)
W_SH_RETRY = (M("2026-10-15T12:10:00Z"), M("2026-10-15T12:11:00Z"))  # eu-west fails, retry passes
W_GAP = (M("2026-10-16T05:00:00Z"), M("2026-10-16T05:10:00Z"))  # no probe rows at all
W_M2 = (M("2026-10-21T02:00:00Z"), M("2026-10-21T02:10:00Z"))  # maintenance announced exactly 48h
W_SH_UP2 = (M("2026-10-22T16:00:00Z"), M("2026-10-22T16:07:00Z"))  # upstream 502, health down
W_SH_500 = (M("2026-10-26T09:00:00Z"), M("2026-10-26T09:04:00Z"))  # chat 500, health up
W_SH_NOCHAT = (M("2026-10-27T06:00:00Z"), M("2026-10-27T06:05:00Z"))  # shared chat missing, health ok
W_M3 = (M("2026-10-28T03:00:00Z"), M("2026-10-28T03:06:00Z"))  # maintenance announced 15h ahead
W_SH_MIX = (M("2026-10-29T13:00:00Z"), M("2026-10-29T13:03:00Z"))  # 502 upstream + timeout mix
W_M5 = (M("2026-10-24T01:00:00Z"), M("2026-10-24T01:30:00Z"))  # maintenance with no failures
W_PREV = (M("2026-09-30T23:50:00Z"), M("2026-10-01T00:00:00Z"))  # September failures (other month)
W_NEXT = (M("2026-11-01T00:00:00Z"), M("2026-11-01T00:05:00Z"))  # November failures (other month)
# Tenant windows
W_GLOBEX = (M("2026-10-13T09:00:00Z"), M("2026-10-13T09:52:00Z"))
W_GLOBEX_TIMEOUT_END = M("2026-10-13T09:26:00Z")
W_INITECH_KEY = (M("2026-10-09T08:00:00Z"), M("2026-10-09T08:40:00Z"))
W_INITECH_POLICY = (M("2026-10-23T12:00:00Z"), M("2026-10-23T12:15:00Z"))
W_INITECH_500 = (M("2026-10-27T15:00:00Z"), M("2026-10-27T15:32:00Z"))
W_INITECH_KEY_IN_UP1 = (M("2026-10-14T10:00:00Z"), M("2026-10-14T10:05:00Z"))
W_KYOTO = (M("2026-10-08T03:00:00Z"), M("2026-10-08T04:35:00Z"))
W_KYOTO_I1 = (M("2026-10-18T11:00:00Z"), M("2026-10-18T11:30:00Z"))  # incident I-1 starts 11:00:30
W_QUOTE = (M("2026-10-03T20:00:00Z"), M("2026-10-04T03:42:00Z"))
W_QUOTE_M4 = (M("2026-10-05T22:00:00Z"), M("2026-10-05T22:20:00Z"))
W_UMB_PRE = (M("2026-10-13T10:00:00Z"), M("2026-10-13T10:30:00Z"))  # before its contract starts
W_UMB = (M("2026-10-19T14:00:00Z"), M("2026-10-19T14:16:00Z"))
W_PIED = (M("2026-10-20T10:00:00Z"), M("2026-10-20T10:30:00Z"))  # tenant probes every 5 minutes

MAINTENANCE = [
    ("M-1", W_M1[0], W_M1[1], "2026-10-08T01:59:00Z", "", "Database failover test (announced 48h01m ahead)"),
    ("M-2", W_M2[0], W_M2[1], "2026-10-19T04:00:00+02:00", "", "Gateway node rotation (announced exactly 48h ahead)"),
    ("M-3", W_M3[0], W_M3[1], "2026-10-27T12:00:00Z", "", "Emergency certificate renewal (announced 15h ahead)"),
    ("M-4", W_QUOTE_M4[0], W_QUOTE_M4[1], "2026-09-28T10:00:00Z", "quote-co", "Dedicated tenant migration for quote-co"),
    ("M-5", W_M5[0], W_M5[1], "2026-10-15T10:00:00Z", "", "Kernel patching, no impact expected"),
]
INCIDENTS = [
    ("I-1", "2026-10-18T11:00:30Z", "2026-10-18T11:30:00Z", "customer_caused", "kyoto-ai",
     "Customer rotated its API keys without updating its gateway configuration"),
    ("I-2", "2026-10-14T09:58:00Z", "2026-10-14T10:27:00Z", "upstream", "",
     "Upstream LLM provider outage; gateway returned passthrough 502s"),
    ("I-3", "2026-10-07T13:58:00Z", "2026-10-07T14:07:00Z", "platform", "",
     "Gateway pods crash-looping after a bad config push"),
    ("I-4", "2026-10-28T02:55:00Z", "2026-10-28T03:10:00Z", "customer_caused", "acme",
     "Customer load test during emergency maintenance"),
    ("I-5", "2026-10-22T15:59:00Z", "2026-10-22T16:08:00Z", "platform", "",
     "Upstream outage overlapped with a gateway health-check failure"),
]


def designed_tickets_and_events() -> tuple[list[Ticket], list[Event]]:
    """The hand-written tickets and events. Times as written in the file (mixed offsets on purpose)."""
    T, E = Ticket, Event
    tickets = [
        T("T-R9-1", "acme", "slack_connect", "S4", "2026-10-07T10:00:00+02:00", "Can we raise the per-key rate limit?"),
        T("T-R9-2", "globex", "dedicated_contact", "S1", "2026-10-10T04:00:00-04:00", "Prod chat completions failing for EU users"),
        T("T-R9-3", "initech", "email", "S1", "2026-10-17T08:00:00Z", "Gateway rejects every request"),
        T("T-R9-4", "kyoto-ai", "slack_connect", "S3", "2026-10-19T16:00:00+09:00", "Audit log export is slow"),
        T("T-DST-1", "acme", "email", "S2", "2026-10-23T16:00:00+02:00", "Streaming stops after 30 seconds"),
        T("T-DST-2", "globex", "slack_connect", "S2", "2026-10-25T02:30:00+02:00", "Policy editor fails to save"),
        T("T-DST-3", "kyoto-ai", "dedicated_contact", "S1", "2026-10-25T02:30:00+02:00", "All keys rejected after rotation"),
        T("T-DST-4", "initech", "slack_connect", "S2", "2026-10-25T10:00:00+01:00", "Latency above 10 s on chat completions"),
        T("T-AUTO-1", "quote-co", "slack_connect", "S1", "2026-10-01T20:00:00Z", "Gateway down for our tenant"),
        T("T-AUTO-2", "quote-co", "email", "S3", "2026-10-05T10:00:00+02:00", "Webhook retries happen twice"),
        T("T-PAUSE-1", "globex", "email", "S2", "2026-10-06T09:30:00+02:00", "SSO login broken for the finance team"),
        T("T-REOPEN-1", "acme", "slack_connect", "S3", "2026-10-08T12:00:00+02:00", "Token counts differ from invoice"),
        T("T-UNCONF-1", "globex", "email", "S2", "2026-10-14T11:00:00+02:00", "Usage dashboard empty"),
        T("T-LOWER-1", "globex", "slack_connect", "S2", "2026-10-15T09:00:00+02:00", "Model list endpoint returns 404"),
        T("T-SAMESEV-1", "quote-co", "email", "S3", "2026-10-12T10:00:00+02:00", "Rate limit headers missing"),
        T("T-TIE-1", "kyoto-ai", "slack_connect", "S3", "2026-10-20T09:00:00+09:00", "Intermittent 401s on one key"),
        T("T-BACKFILL-1", "globex", "email", "S3", "2026-10-21T10:00:00+02:00", "CSV export drops accents"),
        T("T-SEPT-1", "acme", "email", "S3", "2026-09-30T17:00:00+02:00", "Invoice line items unclear"),
        T("T-HOL-1", "initech", "email", "S3", "2026-10-29T10:00:00+01:00", "Need a second SSO domain"),
        T("T-HOL-2", "acme", "email", "S2", "2026-11-10T15:00:00+01:00", "Budget alerts not sent"),
        T("T-GROWTH-1", "piedpiper", "email", "S1", "2026-10-13T14:00:00+02:00", "Everything returns 500"),
        T("T-PLAN-0", "hooli", "email", "S2", "2026-10-19T17:00:00+02:00", "Playground broken in Firefox"),
        T("T-PLAN-B", "hooli", "email", "S3", "2026-10-20T01:30:00+02:00", "Team invites expire too fast"),
        T("T-PLAN-1", "hooli", "slack_connect", "S2", "2026-10-20T09:00:00+02:00", "Enterprise SSO not active yet"),
        T("T-S4-1", "stark-labs", "email", "S4", "2026-10-16T13:00:00Z", "Feature request: per-team budgets"),
        T("T-UMB-1", "umbrella", "slack_connect", "S1", "2026-10-15T00:10:00Z", "Go-live: gateway unreachable"),
        T("T-EVCONFLICT-1", "stark-labs", "email", "S3", "2026-10-20T08:00:00Z", "Webhook signature mismatch"),
        T("T-EARLY-1", "piedpiper", "email", "S2", "2026-10-06T10:00:00Z", "Streaming responses cut off"),
        T("T-BADSEV-1", "acme", "email", "S3", "2026-10-20T12:00:00Z", "Audit log filter ignores date range"),
        T("T-MULTILINE-1", "acme", "email", "S4",
          "2026-10-02T09:15:00+02:00", "Question about export,\nsecond line: is CSV quoting \"RFC 4180\"?"),
        T("T-QUOTE-SUBJ", "quote-co", "email", "S4", "2026-10-22T13:00:00+02:00",
          "Invoice shows \"<b>€0</b>\" & <script>alert('x')</script> as our name"),
        T("T-DUP-1", "stark-labs", "email", "S4", "2026-10-09T14:00:00Z", "Can we get the SOC 2 report?"),
        T("T-VAND-SEP", "vandelay", "email", "S3", "2026-10-01T01:30:00+02:00", "Final invoice question"),
    ]
    events = [
        E("T-R9-1", "2026-10-07T11:00:00+02:00", "severity_changed", "S2"),
        E("T-R9-1", "2026-10-07T15:00:00+02:00", "agent_reply"),
        E("T-R9-1", "2026-10-08T10:00:00+02:00", "resolved"),
        E("T-R9-1", "2026-10-08T11:00:00+02:00", "customer_confirmed"),
        E("T-R9-2", "2026-10-10T12:00:00+02:00", "severity_changed", "S2"),
        E("T-R9-2", "2026-10-12T10:00:00+02:00", "agent_reply"),
        E("T-R9-2", "2026-10-12T15:00:00+02:00", "resolved"),
        E("T-R9-2", "2026-10-12T16:00:00+02:00", "customer_confirmed"),
        E("T-R9-3", "2026-10-17T08:30:00Z", "severity_changed", "S2"),
        E("T-R9-3", "2026-10-19T08:00:00Z", "agent_reply"),
        E("T-R9-3", "2026-10-19T10:00:00Z", "resolved"),
        E("T-R9-3", "2026-10-19T10:30:00Z", "customer_confirmed"),
        E("T-R9-4", "2026-10-19T21:00:00+09:00", "severity_changed", "S1"),
        E("T-R9-4", "2026-10-19T21:15:00+09:00", "severity_changed", "S2"),
        E("T-R9-4", "2026-10-19T21:30:00+09:00", "agent_reply"),
        E("T-R9-4", "2026-10-19T13:00:00Z", "resolved"),
        E("T-R9-4", "2026-10-20T07:30:00Z", "customer_confirmed"),
        E("T-DST-1", "2026-10-26T12:00:00+01:00", "agent_reply"),
        E("T-DST-1", "2026-10-26T15:00:00+01:00", "resolved"),
        E("T-DST-1", "2026-10-26T16:00:00+01:00", "customer_confirmed"),
        E("T-DST-2", "2026-10-26T12:30:00+01:00", "agent_reply"),
        E("T-DST-2", "2026-10-26T16:00:00+01:00", "resolved"),
        E("T-DST-2", "2026-10-27T10:00:00+01:00", "customer_confirmed"),
        E("T-DST-3", "2026-10-25T02:20:00+01:00", "agent_reply"),
        E("T-DST-3", "2026-10-25T04:00:00+01:00", "resolved"),
        E("T-DST-3", "2026-10-25T04:30:00+01:00", "customer_confirmed"),
        E("T-DST-4", "2026-10-26T14:00:00+01:00", "agent_reply"),
        E("T-DST-4", "2026-10-26T15:00:00Z", "resolved"),
        E("T-DST-4", "2026-10-27T08:00:00Z", "customer_confirmed"),
        E("T-AUTO-1", "2026-10-01T20:00:30Z", "auto_reply"),
        E("T-AUTO-1", "2026-10-01T21:30:00Z", "agent_reply"),
        E("T-AUTO-1", "2026-10-01T23:00:00Z", "resolved"),
        E("T-AUTO-1", "2026-10-02T08:00:00Z", "customer_confirmed"),
        E("T-AUTO-2", "2026-10-05T08:00:05Z", "auto_reply"),
        E("T-AUTO-2", "2026-10-05T12:00:00Z", "resolved"),
        E("T-AUTO-2", "2026-10-05T13:00:00Z", "customer_confirmed"),
        E("T-PAUSE-1", "2026-10-06T08:00:00Z", "agent_reply"),
        E("T-PAUSE-1", "2026-10-06T09:00:00Z", "awaiting_customer"),
        E("T-PAUSE-1", "2026-10-08T12:00:00Z", "customer_reply"),
        E("T-PAUSE-1", "2026-10-08T14:00:00Z", "resolved"),
        E("T-PAUSE-1", "2026-10-09T07:00:00Z", "customer_confirmed"),
        E("T-REOPEN-1", "2026-10-08T12:00:00Z", "agent_reply"),
        E("T-REOPEN-1", "2026-10-09T08:00:00Z", "resolved"),
        E("T-REOPEN-1", "2026-10-09T08:30:00Z", "customer_reply"),
        E("T-REOPEN-1", "2026-10-09T09:00:00Z", "customer_confirmed"),
        E("T-REOPEN-1", "2026-10-12T08:00:00Z", "reopened"),
        E("T-REOPEN-1", "2026-10-12T09:00:00Z", "agent_reply"),
        E("T-REOPEN-1", "2026-10-13T14:00:00Z", "resolved"),
        E("T-REOPEN-1", "2026-10-14T07:30:00Z", "customer_confirmed"),
        E("T-UNCONF-1", "2026-10-14T10:00:00Z", "agent_reply"),
        E("T-UNCONF-1", "2026-10-14T13:00:00Z", "resolved"),
        E("T-LOWER-1", "2026-10-15T13:00:00Z", "severity_changed", "S4"),
        E("T-LOWER-1", "2026-10-15T14:00:00Z", "agent_reply"),
        E("T-LOWER-1", "2026-10-16T08:00:00Z", "resolved"),
        E("T-LOWER-1", "2026-10-16T09:00:00Z", "customer_confirmed"),
        E("T-SAMESEV-1", "2026-10-12T10:00:00Z", "severity_changed", "S3"),
        E("T-SAMESEV-1", "2026-10-13T09:00:00Z", "agent_reply"),
        E("T-SAMESEV-1", "2026-10-14T12:00:00Z", "resolved"),
        E("T-SAMESEV-1", "2026-10-14T13:00:00Z", "customer_confirmed"),
        E("T-TIE-1", "2026-10-20T10:00:00+09:00", "severity_changed", "S1"),
        E("T-TIE-1", "2026-10-20T01:00:00Z", "agent_reply"),
        E("T-TIE-1", "2026-10-20T04:00:00Z", "resolved"),
        E("T-TIE-1", "2026-10-20T13:00:00+09:00", "customer_confirmed"),
        # exported late: the reply reached the export after the ticket was already confirmed
        E("T-BACKFILL-1", "2026-10-21T09:00:00Z", "agent_reply", export_at=ts("2026-10-22T09:30:00Z")),
        E("T-BACKFILL-1", "2026-10-22T08:00:00Z", "resolved"),
        E("T-BACKFILL-1", "2026-10-22T09:00:00Z", "customer_confirmed"),
        E("T-SEPT-1", "2026-10-01T10:00:00+02:00", "agent_reply"),
        E("T-SEPT-1", "2026-10-02T12:00:00Z", "resolved"),
        E("T-SEPT-1", "2026-10-02T13:00:00Z", "customer_confirmed"),
        E("T-HOL-1", "2026-10-29T09:30:00Z", "agent_reply"),
        E("T-HOL-1", "2026-10-29T10:00:00Z", "awaiting_customer"),
        E("T-HOL-1", "2026-11-09T08:00:00Z", "customer_reply"),
        E("T-HOL-1", "2026-11-16T08:30:00Z", "resolved"),
        E("T-HOL-1", "2026-11-16T10:00:00+01:00", "customer_confirmed"),
        E("T-HOL-2", "2026-11-12T10:30:00+01:00", "agent_reply"),
        E("T-HOL-2", "2026-11-12T13:00:00Z", "resolved"),
        E("T-HOL-2", "2026-11-12T14:00:00Z", "customer_confirmed"),
        E("T-GROWTH-1", "2026-10-14T09:00:00Z", "agent_reply"),
        E("T-PLAN-0", "2026-10-20T09:00:00Z", "agent_reply"),
        E("T-PLAN-B", "2026-10-20T12:00:00Z", "agent_reply"),
        E("T-PLAN-1", "2026-10-20T10:00:00Z", "agent_reply"),
        E("T-PLAN-1", "2026-10-20T14:00:00Z", "resolved"),
        E("T-PLAN-1", "2026-10-21T07:00:00Z", "customer_confirmed"),
        E("T-S4-1", "2026-10-21T10:00:00Z", "agent_reply"),
        E("T-UMB-1", "2026-10-15T00:50:00Z", "agent_reply"),
        E("T-UMB-1", "2026-10-15T02:00:00Z", "resolved"),
        E("T-UMB-1", "2026-10-15T03:00:00Z", "customer_confirmed"),
        E("T-EVCONFLICT-1", "2026-10-21T08:00:00Z", "agent_reply"),
        E("T-EARLY-1", "2026-10-06T14:00:00Z", "agent_reply"),
        E("T-BADSEV-1", "2026-10-21T09:00:00Z", "agent_reply"),
        E("T-MULTILINE-1", "2026-10-02T09:15:40+02:00", "auto_reply"),
        E("T-MULTILINE-1", "2026-10-02T13:00:00+02:00", "agent_reply"),
        E("T-MULTILINE-1", "2026-10-05T08:00:00Z", "resolved"),
        E("T-MULTILINE-1", "2026-10-05T09:00:00Z", "customer_confirmed"),
        E("T-QUOTE-SUBJ", "2026-10-22T14:00:00+02:00", "agent_reply"),
        E("T-DUP-1", "2026-10-12T09:00:00Z", "agent_reply"),
        E("T-VAND-SEP", "2026-10-01T09:00:00Z", "agent_reply"),
    ]
    return tickets, events


def designed_bad_tickets() -> list[tuple[Ticket, str | None]]:
    """Bad ticket rows; the second element names the good row it must be written after (dup) or None."""
    T = Ticket
    return [
        (T("T-BAD-TS", "globex", "email", "S3", "2026-10-32T10:00:00Z", "Cannot parse this date",
           sort_at=ts("2026-10-02T10:00:00Z"), bad="unparseable value", note="created_at `2026-10-32T10:00:00Z`"), None),
        (T("T-BAD-CUST", "wayne-ent", "email", "S2", "2026-10-08T10:00:00Z", "Who are we?",
           bad="unknown customer", note="customer `wayne-ent`"), None),
        (T("T-BAD-EMPTY", "", "email", "S3", "2026-10-08T11:00:00Z", "No customer on this ticket",
           bad="missing required value", note="empty customer_id"), None),
        (T("T-BAD-NAIVE", "globex", "email", "S3", "2026-10-08T10:00:00", "Naive timestamp",
           sort_at=ts("2026-10-08T10:00:00Z"), bad="naive timestamp", note="created_at without offset"), None),
        (T("T-BAD-CHAN", "acme", "phone", "S2", "2026-10-09T10:00:00Z", "Called the hotline",
           bad="unknown enum value", note="channel `phone`"), None),
        (T("T-BAD-SEV", "initech", "email", "S5", "2026-10-09T12:00:00Z", "Severity five",
           bad="unknown enum value", note="severity `S5`"), None),
        (T("T-NOCONTRACT-1", "umbrella", "email", "S2", "2026-10-12T10:00:00Z", "Pre-sales question before go-live",
           bad="no contract at created_at", note="umbrella's contract starts 2026-10-15"), None),
        (T("T-VAND-OCT", "vandelay", "email", "S3", "2026-10-01T00:00:00Z", "Are we still customers?",
           bad="no contract at created_at", note="vandelay's contract ended (exclusive) 2026-10-01"), None),
        (T("T-CONFLICT-1", "globex", "email", "S2", "2026-10-16T10:00:00Z", "Embeddings endpoint slow",
           bad="conflicting duplicate", note="same ticket_id as the other T-CONFLICT-1 row, severity S2 vs S3"), None),
        (T("T-CONFLICT-1", "globex", "email", "S3", "2026-10-16T10:00:00Z", "Embeddings endpoint slow",
           sort_at=ts("2026-10-17T10:00:00Z"), bad="conflicting duplicate",
           note="same ticket_id as the other T-CONFLICT-1 row, severity S3 vs S2"), None),
        (T("T-BAD-FUTURE", "kyoto-ai", "email", "S3", "2099-01-01T00:00:00Z", "Ticket from the future",
           sort_at=ts("2026-11-13T00:00:00Z"), bad="in the future", note="created_at 2099-01-01"), None),
        (T("T-DUP-1", "stark-labs", "email", "S4", "2026-10-09T14:00:00Z", "Can we get the SOC 2 report?",
           bad="exact duplicate", note="identical to the row before it: collapsed, counted once, not rejected"),
         "T-DUP-1"),
    ]


def designed_bad_events() -> list[Event]:
    E = Event
    return [
        E("T-GHOST-1", "2026-10-10T10:00:00Z", "agent_reply", bad="unknown ticket", note="ticket `T-GHOST-1` does not exist"),
        E("T-BAD-CHAN", "2026-10-09T11:00:00Z", "agent_reply", bad="ticket rejected", note="T-BAD-CHAN"),
        E("T-CONFLICT-1", "2026-10-16T11:00:00Z", "agent_reply", bad="ticket rejected", note="T-CONFLICT-1"),
        E("T-NOCONTRACT-1", "2026-10-12T11:00:00Z", "agent_reply", bad="ticket rejected", note="T-NOCONTRACT-1"),
        E("T-EARLY-1", "2026-10-06T09:00:00Z", "agent_reply", bad="event before ticket created_at",
          note="occurred 09:00Z, ticket created 10:00Z"),
        E("T-EARLY-1", "2026-10-06T11:00:00Z", "escalated", bad="unknown enum value", note="event `escalated`"),
        E("T-EARLY-1", "2026-10-07T10:00:00", "resolved", export_at=ts("2026-10-07T10:00:00Z"),
          bad="naive timestamp", note="occurred_at without offset"),
        E("T-EARLY-1", "2026-10-07T25:00:00Z", "resolved", export_at=ts("2026-10-07T12:00:00Z"),
          bad="unparseable value", note="occurred_at hour 25"),
        E("T-BADSEV-1", "2026-10-20T13:00:00Z", "severity_changed", "", bad="invalid severity",
          note="severity_changed with empty severity"),
        E("T-BADSEV-1", "2026-10-20T13:30:00Z", "severity_changed", "S7", bad="invalid severity",
          note="severity_changed to `S7`"),
        E("T-BADSEV-1", "2099-01-01T00:00:00Z", "customer_confirmed", export_at=ts("2026-11-13T00:00:00Z"),
          bad="in the future", note="occurred_at 2099-01-01 (must not move as-of)"),
        E("T-EVCONFLICT-1", "2026-10-20T09:00:00Z", "agent_reply", bad="conflicting duplicate",
          note="same event_id as the next row, different occurred_at"),
        E("T-EVCONFLICT-1", "2026-10-20T09:05:00Z", "agent_reply", export_at=ts("2026-10-20T09:00:00Z"),
          bad="conflicting duplicate", note="same event_id as the previous row, different occurred_at",
          same_id_as_previous=True),
    ]


BAD_MAINTENANCE = [
    (("M-BAD-1", "2026-10-12T03:00:00Z", "2026-10-12T02:00:00Z", "2026-10-01T09:00:00Z", "", "Window backwards"),
     "window ends before it starts", "ends_at 02:00Z < starts_at 03:00Z"),
    (("M-BAD-2", "2026-10-13T03:00:00Z", "2026-10-13T03:30:00Z", "2026-10-01T09:00:00", "", "Naive announcement"),
     "naive timestamp", "announced_at without offset"),
    (("M-BAD-3", "2026-10-14T03:00:00Z", "2026-10-14T03:30:00Z", "2026-10-01T09:00:00Z", "nobody-inc", "Unknown tenant"),
     "unknown customer", "customer `nobody-inc`"),
    (("M-9", "2026-10-24T03:00:00Z", "2026-10-24T03:30:00Z", "2026-10-10T09:00:00Z", "", "Storage upgrade"),
     "conflicting duplicate", "M-9 twice with different ends_at (03:30Z vs 03:45Z); no probe fails in it"),
    (("M-9", "2026-10-24T03:00:00Z", "2026-10-24T03:45:00Z", "2026-10-10T09:00:00Z", "", "Storage upgrade"),
     "conflicting duplicate", "M-9 twice with different ends_at (03:45Z vs 03:30Z)"),
]
BAD_INCIDENTS = [
    (("I-BAD-1", "2026-10-11T10:00:00Z", "2026-10-11T09:00:00Z", "platform", "", "Backwards window"),
     "window ends before it starts", "ends_at 09:00Z < starts_at 10:00Z"),
    (("I-BAD-2", "2026-10-11T12:00:00Z", "2026-10-11T12:30:00Z", "gremlins", "", "Unknown cause"),
     "unknown enum value", "cause `gremlins`"),
    (("I-BAD-3", "2026-10-11T14:00:00Z", "2026-10-11T14:30:00Z", "customer_caused", "", "Whose fault?"),
     "missing required value", "customer_caused without customer_id"),
    (("I-BAD-4", "2026-10-11T16:00:00Z", "2026-10-11T16:30:00Z", "customer_caused", "wayne-ent", "Unknown tenant"),
     "unknown customer", "customer `wayne-ent`"),
    (("I-BAD-5", "2026-10-11T18:00:00", "2026-10-11T18:30:00Z", "platform", "", "Naive start"),
     "naive timestamp", "starts_at without offset"),
]


@dataclass
class BadRow:
    file: str
    line: int
    key: str
    category: str
    note: str


@dataclass
class SampleBuild:
    files: dict[str, bytes] = field(default_factory=dict)
    bad: list[BadRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def plan_at(customer: str, d: datetime) -> str | None:
    for _cid, cust, plan, _fee, _cur, s, e in CONTRACTS:
        if cust != customer:
            continue
        start = datetime.fromisoformat(s).replace(tzinfo=UTC)
        end = datetime.fromisoformat(e).replace(tzinfo=UTC) if e else None
        if start <= d and (end is None or d < end):
            return plan
    return None


def build_sample_probes(rng) -> tuple[dict[str, bytes], list[BadRow], dict[str, int]]:
    files: dict[str, bytes] = {}
    bad: list[BadRow] = []
    oct_start, nov_start = M("2026-10-01T00:00:00Z"), M("2026-11-01T00:00:00Z")
    shared_lo, shared_hi = M("2026-09-30T22:00:00Z"), M("2026-11-01T02:00:00Z")
    us_east_from = M("2026-10-12T00:00:00Z")

    # ---- shared streams: eu-west the whole time, us-east from 2026-10-12
    shared: dict[tuple[str, str], Stream] = {}
    for region, lo, sec in (("eu-west", shared_lo, 0), ("us-east", us_east_from, 20)):
        for check, off in (("health_live", 0), ("chat_completions", 3)):
            shared[(check, region)] = Stream.build(
                rng, check, region, "", emin(lo), emin(shared_hi), sec_lo=sec + off, sec_hi=sec + off + 8
            )
    health = [s for (c, _r), s in shared.items() if c == "health_live"]
    chat = [s for (c, _r), s in shared.items() if c == "chat_completions"]
    both = list(shared.values())
    for s in both:
        s.set(*W_SH_U1, DOWN)
        s.set(*W_M1, MAINT)
        s.set(*W_M2, MAINT)
        s.set(*W_M3, MAINT)
    for s in chat:
        s.set(*W_SH_UP1, UPSTREAM)
        s.set(*W_SH_UP2, UPSTREAM)
        s.set(*W_SH_500, ERR500)
    for s in health:
        s.set(*W_SH_UP2, DOWN)
    shared[("health_live", "eu-west")].set(*W_SH_HALF, DOWN)
    shared[("health_live", "eu-west")].set(*W_SH_RETRY, DOWN)
    shared[("chat_completions", "eu-west")].set(*W_SH_MIX, UPSTREAM)
    shared[("chat_completions", "us-east")].set(*W_SH_MIX, TIMEOUT)
    shared[("health_live", "eu-west")].set(*W_PREV, DOWN)
    for s in health:
        s.set(*W_NEXT, DOWN)
    for s in both:
        s.drop(*W_GAP)
    for s in chat:
        s.drop(*W_SH_NOCHAT)

    # ---- tenant chat streams
    def tenant(customer, region, lo, hi, sec, step=1, whole=True):
        return Stream.build(rng, "chat_completions", region, customer, emin(lo), emin(hi), step=step,
                            sec_lo=sec, sec_hi=sec + 1, whole_seconds=whole)

    ten = {
        "acme": tenant("acme", "eu-west", M("2026-09-30T23:00:00Z"), M("2026-11-01T01:00:00Z"), 31),
        "initech": tenant("initech", "eu-west", oct_start, nov_start, 33),
        "kyoto-ai": tenant("kyoto-ai", "ap-northeast", oct_start, nov_start, 35),
        "quote-co": tenant("quote-co", "eu-west", oct_start, nov_start, 37),
        "globex": tenant("globex", "us-east", oct_start, nov_start, 41, whole=False),
        "umbrella": tenant("umbrella", "us-east", M("2026-10-12T00:00:00Z"), nov_start, 43, whole=False),
        "piedpiper": tenant("piedpiper", "eu-west", oct_start, nov_start, 45, step=5, whole=False),
    }
    for c, s in ten.items():
        # the gateway-wide events seen by the tenant probes too
        s.set(*W_SH_U1, DOWN)
        s.set(*W_M1, MAINT)
        s.set(*W_M2, MAINT)
        s.set(*W_M3, MAINT)
        s.set(*W_SH_UP1, UPSTREAM)
        s.set(*W_SH_UP2, UPSTREAM)
        s.set(*W_SH_500, ERR500)
        s.set(*W_SH_MIX, TIMEOUT)
        s.drop(*W_GAP)
    g = ten["globex"]
    g.set(W_GLOBEX[0], W_GLOBEX_TIMEOUT_END, TIMEOUT)
    g.set(W_GLOBEX_TIMEOUT_END, W_GLOBEX[1], ERR500)
    i = ten["initech"]
    i.set(*W_INITECH_KEY, BADKEY)
    i.set(*W_INITECH_POLICY, BADPOLICY)
    i.set(*W_INITECH_500, ERR500)
    i.set(*W_INITECH_KEY_IN_UP1, BADKEY)
    k = ten["kyoto-ai"]
    k.set(*W_KYOTO, DOWN)
    k.set(*W_KYOTO_I1, ERR500)
    q = ten["quote-co"]
    q.set(*W_QUOTE, TIMEOUT0)
    q.set(*W_QUOTE_M4, MAINT)
    u = ten["umbrella"]
    u.set(*W_UMB_PRE, ERR500)
    u.set(*W_UMB, ERR500)
    ten["piedpiper"].set(*W_PIED, ERR500)

    # ---- shared-2026-10.csv.gz: shared rows before 2026-11-01 (+ one exact in-file duplicate)
    shared_tab = streams_table(both)
    oct_mask = pc.less(shared_tab.column("probed_at"), pa.scalar("2026-11-01"))
    shared_oct = table_rows(shared_tab.filter(oct_mask))
    shared_nov = table_rows(shared_tab.filter(pc.invert(oct_mask)))

    def find(rows, prefix, check, region, customer=""):
        for n, r in enumerate(rows):
            if r[0].startswith(prefix) and r[1] == check and r[2] == region and r[3] == customer:
                return n
        raise LookupError(prefix)

    n_dup = find(shared_oct, "2026-10-15T12:00:", "health_live", "us-east")
    shared_oct.insert(n_dup + 1, list(shared_oct[n_dup]))
    bad.append(BadRow("probes/shared-2026-10.csv.gz", n_dup + 2, f"{shared_oct[n_dup][0]} health_live us-east",
                      "exact duplicate",
                      f"identical to line {n_dup + 1} (the row before it); collapsed. If it counted twice, minute "
                      "12:00 would be 1 failure of 3 (up) instead of 1 of 2 (down)"))
    n_half = find(shared_oct, "2026-10-15T12:01:", "health_live", "us-east")
    n_last = find(shared_oct, "2026-10-31T23:59:", "health_live", "us-east")
    files["probes/shared-2026-10.csv.gz"] = gzip_bytes(csv_bytes(PROBE_COLUMNS, shared_oct))

    # ---- shared-2026-11-head.jsonl: November's first two hours + a late re-export of an October row
    nov_rows = [list(shared_oct[n_last])] + shared_nov
    files["probes/shared-2026-11-head.jsonl"] = "".join(jsonl_line(r) + "\n" for r in nov_rows).encode()
    bad.append(BadRow("probes/shared-2026-11-head.jsonl", 1, f"{shared_oct[n_last][0]} health_live us-east",
                      "exact duplicate",
                      f"same parsed values as probes/shared-2026-10.csv.gz line {n_last + 1} (JSON numbers vs CSV "
                      "text); the CSV copy is first in path order and kept"))

    # ---- tenant-eu-2026-10.parquet (acme, initech, kyoto-ai, quote-co), all columns strings
    eu_tab = streams_table([ten[c] for c in ("acme", "initech", "kyoto-ai", "quote-co")])
    eu_rows = table_rows(eu_tab)
    n_acme = find(eu_rows, "2026-10-05T09:00:", "chat_completions", "eu-west", "acme")
    files["probes/tenant-eu-2026-10.parquet"] = parquet_bytes(eu_tab)

    # ---- tenant-us-2026-10.jsonl.gz (globex, umbrella, piedpiper), millisecond timestamps
    us_tab = streams_table([ten[c] for c in ("globex", "umbrella", "piedpiper")], with_millis=True)
    files["probes/tenant-us-2026-10.jsonl.gz"] = gzip_bytes(
        "".join(jsonl_line(r) + "\n" for r in table_rows(us_tab)).encode())

    # ---- edge-cases.csv: a small plain CSV with hand-made rows (sorted first in path order)
    retry = shared_oct[find(shared_oct, "2026-10-15T12:10:", "health_live", "eu-west")]
    edge: list[tuple[list[str], str | None, str]] = [
        (list(shared_oct[n_half]), None, "kept copy of a cross-file duplicate (see shared-2026-10.csv.gz)"),
        (["2026-10-15T12:10:40Z", "health_live", "eu-west", "", "200", "", "19"], None,
         f"valid retry: with the failing {retry[0]} eu-west row and the passing us-east row the minute has 1 "
         "failure of 3 -> health passes -> up"),
        (list(eu_rows[n_acme]), None, "kept copy of a cross-file duplicate (see tenant-eu-2026-10.parquet)"),
        (["2026-10-20T10:00:04Z", "health_live", "eu-west", "", "2OO", "", "15"], "unparseable value",
         "status_code `2OO` (letter O)"),
        (["2026-10-20T10:01:04Z", "chat_completions", "eu-west", "nobody-inc", "500", "", "800"], "unknown customer",
         "customer_id `nobody-inc`"),
        (["2026-10-20T10:02:04Z", "dns_lookup", "eu-west", "", "200", "", "3"], "unknown enum value",
         "check `dns_lookup`"),
        (["2026-10-20T10:03:04", "health_live", "eu-west", "", "503", "", "15"], "naive timestamp",
         "probed_at without offset"),
        (["2099-01-01T00:00:00Z", "health_live", "eu-west", "", "200", "", "15"], "in the future",
         "probed_at 2099-01-01"),
        (["2026-10-20 10:04", "health_live", "eu-west", "", "503", "", "15"], "unparseable value",
         "probed_at `2026-10-20 10:04` has no seconds and no offset"),
    ]
    files["probes/edge-cases.csv"] = csv_bytes(PROBE_COLUMNS, [r for r, _c, _n in edge])
    for n, (row, cat, note) in enumerate(edge, start=1):
        if cat is not None:
            bad.append(BadRow("probes/edge-cases.csv", n, f"{row[0]} {row[1]} {row[3] or 'shared'}", cat, note))
    bad.append(BadRow("probes/shared-2026-10.csv.gz", n_half + 1, f"{shared_oct[n_half][0]} health_live us-east",
                      "exact duplicate",
                      "same row as probes/edge-cases.csv line 1, which is first in path order and kept; this copy is "
                      "collapsed. Minute 2026-10-15T12:01Z stays 1 failure of 2 (down); counted twice it would be up"))
    bad.append(BadRow("probes/tenant-eu-2026-10.parquet", n_acme + 1, f"{eu_rows[n_acme][0]} chat_completions acme",
                      "exact duplicate",
                      "same parsed values as probes/edge-cases.csv line 3 (CSV vs Parquet), which is first in path "
                      "order and kept; this copy is collapsed"))
    counts = {
        "probes/shared-2026-10.csv.gz": len(shared_oct),
        "probes/shared-2026-11-head.jsonl": len(nov_rows),
        "probes/tenant-eu-2026-10.parquet": eu_tab.num_rows,
        "probes/tenant-us-2026-10.jsonl.gz": us_tab.num_rows,
        "probes/edge-cases.csv": len(edge),
    }
    return files, bad, counts


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", row_group_size=1 << 20)
    return sink.getvalue().to_pybytes()


def build_sample(seed: int) -> SampleBuild:
    out = SampleBuild()
    ss = np.random.SeedSequence(seed)
    probe_rng, ticket_rng, id_rng = (np.random.default_rng(s) for s in ss.spawn(3))

    # ---- customers
    cust_rows = [list(c) for c in CUSTOMERS]
    stark = next(r for r in cust_rows if r[0] == "stark-labs")
    cust_rows.insert(cust_rows.index(stark) + 1, list(stark))
    cust_rows.append(["bad id!", "Broken Identifier Ltd", ""])
    out.files["customers.csv"] = csv_bytes(CUSTOMER_COLUMNS, cust_rows)
    out.bad.append(BadRow("customers.csv", cust_rows.index(stark) + 2, "stark-labs", "exact duplicate",
                          "identical to the row before it; collapsed"))
    out.bad.append(BadRow("customers.csv", len(cust_rows), "bad id!", "unparseable value",
                          "customer_id `bad id!` does not match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"))

    # ---- contracts (an exact duplicate of C-ACME-1 must be collapsed, not seen as an overlap)
    con_rows = [list(c) for c in CONTRACTS]
    con_rows.insert(1, list(CONTRACTS[0]))
    out.bad.append(BadRow("contracts.csv", 2, "C-ACME-1", "exact duplicate",
                          "identical to line 1; collapsed (not an overlapping contract)"))
    for row, cat, note in BAD_CONTRACTS:
        con_rows.append(list(row))
        out.bad.append(BadRow("contracts.csv", len(con_rows), row[0], cat, note))
    out.files["contracts.csv"] = csv_bytes(CONTRACT_COLUMNS, con_rows)

    # ---- maintenance, incidents
    m_rows = [[mid, fmt(s), fmt(e), ann, cust, title] for mid, s, e, ann, cust, title in MAINTENANCE]
    m_rows.insert(1, list(m_rows[0]))
    out.bad.append(BadRow("maintenance.csv", 2, "M-1", "exact duplicate", "identical to line 1; collapsed"))
    for row, cat, note in BAD_MAINTENANCE:
        m_rows.append(list(row))
        out.bad.append(BadRow("maintenance.csv", len(m_rows), row[0], cat, note))
    out.files["maintenance.csv"] = csv_bytes(MAINTENANCE_COLUMNS, m_rows)
    i_rows = [list(r) for r in INCIDENTS]
    for row, cat, note in BAD_INCIDENTS:
        i_rows.append(list(row))
        out.bad.append(BadRow("incidents.csv", len(i_rows), row[0], cat, note))
    out.files["incidents.csv"] = csv_bytes(INCIDENT_COLUMNS, i_rows)

    # ---- tickets: designed + filler, export sorted by created instant
    tickets, events = designed_tickets_and_events()
    bound = M("2026-11-13T17:00:00Z")
    filler_tickets: list[Ticket] = []
    filler_events: list[Event] = []
    styles = ["Z", "+00:00", "brussels", "newyork", "tokyo"]
    channels_ent = ["email", "slack_connect", "dedicated_contact"]
    for cust, (n, style) in FILLER.items():
        lo = M("2026-09-18T00:00:00Z")
        if cust == "umbrella":
            lo = M("2026-10-15T00:00:00Z")
        for _ in range(n):
            window_lo = lo if ticket_rng.random() < 0.1 else max(lo, M("2026-10-01T00:00:00Z"))
            created = random_created(ticket_rng, window_lo, M("2026-10-31T23:00:00Z"))
            plan = plan_at(cust, created)
            assert plan is not None
            sev = str(ticket_rng.choice(SEVERITIES, p=[0.07, 0.23, 0.42, 0.28]))
            channel = "email" if plan == "growth" else str(ticket_rng.choice(channels_ent, p=[0.45, 0.4, 0.15]))
            st = style if ticket_rng.random() < 0.7 else str(ticket_rng.choice(styles))
            t = Ticket("", cust, channel, sev, fmt(created, st), str(ticket_rng.choice(SUBJECTS[sev])), sort_at=created)
            filler_tickets.append(t)
            for when, ev, sv in filler_ticket_events(ticket_rng, created, sev, bound):
                est = style if ticket_rng.random() < 0.8 else str(ticket_rng.choice(styles))
                filler_events.append(Event("", fmt(when, est), ev, sv, export_at=when, ticket=t))
    filler_tickets.sort(key=lambda t: (t.sort_at, t.customer_id))
    for n, t in enumerate(filler_tickets):
        t.ticket_id = f"TK-{24101 + n}"
    for e in filler_events:
        assert e.ticket is not None
        e.ticket_id = e.ticket.ticket_id

    all_tickets = tickets + filler_tickets
    for t in all_tickets:
        if t.sort_at is None:
            t.sort_at = ts(t.created_at)
    bad_tickets = designed_bad_tickets()
    main = all_tickets + [t for t, after in bad_tickets if after is None]
    for t in main:
        if t.sort_at is None:
            t.sort_at = ts(t.created_at)
    order = sorted(range(len(main)), key=lambda i: (main[i].sort_at, i))
    ticket_list = [main[i] for i in order]
    for t, after in bad_tickets:
        if after is not None:
            pos = next(n for n, x in enumerate(ticket_list) if x.ticket_id == after)
            ticket_list.insert(pos + 1, t)
    out.files["tickets.csv"] = csv_bytes(TICKET_COLUMNS, [t.row() for t in ticket_list])
    ticket_lines: dict[str, list[int]] = {}
    for n, t in enumerate(ticket_list, start=1):
        ticket_lines.setdefault(t.ticket_id, []).append(n)
        if t.bad:
            out.bad.append(BadRow("tickets.csv", n, t.ticket_id, t.bad, t.note))

    # ---- events
    for e in events:
        if e.export_at is None:
            e.export_at = ts(e.occurred_at)
    bad_events = designed_bad_events()
    for e in bad_events:
        if e.export_at is None:
            e.export_at = ts(e.occurred_at)
    # exact duplicate of T-R9-1's agent_reply, written right after it with the same event_id
    r9_reply = next(e for e in events if e.ticket_id == "T-R9-1" and e.event == "agent_reply")
    dup = Event(r9_reply.ticket_id, r9_reply.occurred_at, r9_reply.event, r9_reply.severity,
                export_at=r9_reply.export_at, duplicate_of=r9_reply, bad="exact duplicate",
                note="identical to the row before it (same event_id); collapsed")
    # the conflicting pair must stay adjacent: give the second the same export instant as the first
    all_events = events + filler_events + bad_events + [dup]
    ev_list = assign_event_ids(all_events, id_rng, first_id=50001)
    conflict = [n for n, e in enumerate(ev_list) if e.ticket_id == "T-EVCONFLICT-1" and e.bad]
    assert conflict[1] == conflict[0] + 1, "conflicting event rows must be adjacent"
    out.files["ticket_events.csv"] = csv_bytes(EVENT_COLUMNS, event_rows(ev_list))
    for n, e in enumerate(ev_list, start=1):
        if e.bad:
            note = e.note
            if e.bad == "ticket rejected":
                lines = ", ".join(str(x) for x in ticket_lines[e.note])
                note = f"its ticket was rejected (tickets.csv line {lines})"
            out.bad.append(BadRow("ticket_events.csv", n, f"{e.event_id} {e.ticket_id}", e.bad, note))

    out.counts = {
        "customers.csv": len(cust_rows),
        "contracts.csv": len(con_rows),
        "tickets.csv": len(ticket_list),
        "ticket_events.csv": len(ev_list),
        "maintenance.csv": len(m_rows),
        "incidents.csv": len(i_rows),
        "filler_tickets": len(filler_tickets),
    }

    # ---- probes
    pfiles, pbad, pcounts = build_sample_probes(probe_rng)
    out.files.update(pfiles)
    out.bad.extend(pbad)
    out.counts.update(pcounts)
    out.files["README.md"] = sample_readme(out, seed).encode("utf-8")
    return out


# --------------------------------------------------------------------------------------------------
# README of the designed sample (expected outcomes are hand-computed from the rules R1-R21)
# --------------------------------------------------------------------------------------------------
README_HEAD = """\
# Sample data drop — 2026-10 (designed, deliberately hard)

Generated by `uv run python -m tools.samplegen --out data/sample` (seed {seed}); do not edit by hand —
change `tools/samplegen/` and regenerate (`tests/test_samplegen.py` fails when the two differ).
Every hard case below is a hand-written row with a stable id; the other tickets (`TK-…`) are seeded filler
and only change support attainment totals. Probe files have no random failures: every non-up minute is
listed here. All times are UTC unless marked "local" (Europe/Brussels: CEST = UTC+2 until
2026-10-25 01:00Z, CET = UTC+1 after). `bh` = business hours (Mon–Fri 09:00–17:00 local, Belgian holidays:
2026-11-01 is a Sunday, 2026-11-11 is a Wednesday).

Files: `customers.csv` ({n_customers} rows), `contracts.csv` ({n_contracts}), `tickets.csv` ({n_tickets} records, {n_filler} of
them filler), `ticket_events.csv` ({n_events}), `maintenance.csv` ({n_maint}), `incidents.csv` ({n_inc}), and `probes/`:

| probe file | format | rows | content |
|---|---|---|---|
| `probes/edge-cases.csv` | plain CSV | {p_edge} | hand-made edge rows: bad rows, cross-file duplicates, a retry |
| `probes/shared-2026-10.csv.gz` | gzip CSV | {p_shared} | shared probes (`customer_id` empty), both checks: `eu-west` 2026-09-30T22:00Z → 2026-11-01, `us-east` from 2026-10-12T00:00Z |
| `probes/shared-2026-11-head.jsonl` | plain JSONL | {p_nov} | shared probes 2026-11-01T00:00Z–01:59Z (+ 1 re-exported October row) |
| `probes/tenant-eu-2026-10.parquet` | Parquet, all columns strings | {p_eu} | tenant `chat_completions` every minute: acme (2026-09-30T23:00Z → 2026-11-01T01:00Z), initech, kyoto-ai, quote-co |
| `probes/tenant-us-2026-10.jsonl.gz` | gzip JSONL, ms timestamps, numbers as JSON numbers | {p_us} | tenant `chat_completions`: globex, umbrella (from 2026-10-12), piedpiper (every 5 minutes) |

Sorted path order (for "first copy kept" of cross-file duplicates): edge-cases.csv, shared-2026-10.csv.gz,
shared-2026-11-head.jsonl, tenant-eu-2026-10.parquet, tenant-us-2026-10.jsonl.gz.

**As-of (R11):** the newest loaded ticket/event timestamp is **{as_of}** (T-HOL-1's
`customer_confirmed`); filler events stop at 2026-11-13T17:00Z; the 2099 rows are rejected and must not move it.
"""

README_CUSTOMERS = """
## Customers and contracts

| customer | name | contracts (plan, fee, currency, period) | role |
|---|---|---|---|
| acme | Acme Analytics NV | C-ACME-1 enterprise 12500.00 EUR from 2025-01-01 (open) | zero credit but below 100 % |
| globex | Globex Corporation | C-GLOBEX-1 enterprise 18000.00 USD 2025-07-01→2026-07-01; C-GLOBEX-2 enterprise 20000.10 USD from 2026-07-01 | exactly one whole step; half-up rounding of the credit |
| initech | Initech Bénélux SA | C-INITECH-1 enterprise 15000.00 EUR 2026-01-01→2027-01-01 | partial step (zero credit); customer-caused by tenant error codes |
| kyoto-ai | Kyoto AI 株式会社 | C-KYOTO-1 enterprise 1500000 JPY from 2025-04-01 | JPY (0 minor digits), two steps, partial-minute incident window |
| quote-co | `Smith <&> "Quotes" O'Brien GmbH` | C-QUOTE-1 enterprise 5000.00 EUR from 2026-03-01 | name needs escaping; credit capped at 25 % |
| umbrella | Umbrella Health Inc. | C-UMBRELLA-1 enterprise 9000.00 USD from **2026-10-15** | mid-month starter: outages before the 15th must not count |
| hooli | Hooli Europe SRL | C-HOOLI-G growth 490.00 EUR 2026-06-01→**2026-10-20**; C-HOOLI-E enterprise 8000.00 EUR from 2026-10-20 | plan change mid-month: one row per plan |
| stark-labs | Stark Labs LLC | C-STARK-1 growth 299.00 USD from 2026-02-01 | growth, shared probes only |
| piedpiper | Pied Piper Compression | C-PIED-1 growth 390.00 EUR from 2026-05-01 | growth with a 5-minute tenant probe |
| vandelay | Vandelay Industries | C-VANDELAY-1 growth 199.00 GBP 2025-10-01→2026-10-01 (+ 5 bad contracts) | no contract in October |
"""

README_UPTIME = """
## Uptime: designed minutes (R13–R16)

Windows are `[start, end)` in whole minutes; "all" = every customer whose contract covers the minute.
Regions: only `eu-west` before 2026-10-12, `eu-west` + `us-east` after. Shared probes run every minute
(health at ~:00–:08 s / :20–:28 s, chat a few seconds later); tenant probes once a minute (piedpiper every 5).

| case | where | minutes | expected state |
|---|---|---|---|
| SH-PREV | shared health eu-west fails 2026-09-30T23:50Z–10-01T00:00Z | 10 | September: other month, never counted |
| SH-U1 | shared health+chat 503, 2026-10-07T14:00Z–14:05Z (incident I-3 `platform` narrates it) | 5 | `unavailable` (all) |
| M-1 | maintenance M-1 (all) 2026-10-10T02:00Z–02:30Z announced 2026-10-08T01:59Z = 48h01m ahead; health+chat 503 | 30 | `maintenance` (all) |
| SH-UP1 | shared chat 502 `upstream_error` in both regions 2026-10-14T10:00Z–10:25Z, health 200; tenants 502 `upstream_error` too (incident I-2 `upstream` narrates it) | 25 | `upstream` (all) |
| SH-UP1 + initech key | initech's tenant returns 401 `invalid_api_key` 2026-10-14T10:00Z–10:05Z while shared chat is 502 `upstream_error` | 5 of the 25 | `upstream` for initech (not customer_caused: the failing shared set is not initech's tenant; R16.4 excuses the tenant code) |
| SH-HALF | shared health fails in eu-west only, us-east 200, 2026-10-15T12:00Z–12:03Z | 3 | `unavailable` (all): 1 failure of 2 = "at least half". Minutes 12:00 and 12:01 also hold exact duplicates of the passing us-east row (see bad rows) — counted twice they would turn the minute up |
| SH-RETRY | 2026-10-15T12:10Z: eu-west health 503, us-east 200, plus a second eu-west result 200 at 12:10:40 in `edge-cases.csv` | 1 | up: 1 failure of 3 < half |
| GAP | no probe row at all (shared and tenant) 2026-10-16T05:00Z–05:10Z | 10 | `no_data` (all); never lowers uptime |
| M-2 | maintenance M-2 (all) 2026-10-21T02:00Z–02:10Z announced `2026-10-19T04:00:00+02:00` = exactly 48h ahead; health+chat 503 | 10 | **not excluded** → `unavailable` (all) |
| SH-UP2 | shared chat 502 `upstream_error` and health 503, 2026-10-22T16:00Z–16:07Z (I-5 `platform`) | 7 | `unavailable` (all): upstream needs health up |
| M-5 | maintenance M-5 (all) 2026-10-24T01:00Z–01:30Z announced a week ahead, nothing fails | 0 | up (a window alone makes no minute non-up) |
| SH-500 | shared chat 500 `internal_error` both regions, health 200, 2026-10-26T09:00Z–09:04Z | 4 | `unavailable` (all) |
| SH-NOCHAT | shared chat rows missing 2026-10-27T06:00Z–06:05Z, health 200 | 5 | up and covered (not `no_data`) |
| M-3 | maintenance M-3 (all) 2026-10-28T03:00Z–03:06Z announced 2026-10-27T12:00Z (15 h ahead); health+chat 503. I-4 (`customer_caused`, acme) 02:55Z–03:10Z covers it | 6 | `unavailable` (all, acme included: health down wins over the incident) |
| SH-MIX | chat eu-west 502 `upstream_error`, chat us-east timeout (empty status, `error_code` timeout), health 200, 2026-10-29T13:00Z–13:03Z | 3 | `unavailable` (all): not every failing result is the passthrough |
| SH-NEXT | shared health 503 both regions 2026-11-01T00:00Z–00:05Z | 5 | November: other month |
| globex | tenant chat fails 2026-10-13T09:00Z–09:52Z (09:00–09:25 timeout with empty status, 09:26–09:51 500) | 52 | `unavailable` (globex) |
| initech key | tenant 401 `invalid_api_key` 2026-10-09T08:00Z–08:40Z, shared all 200 | 40 | `customer_caused` (initech) |
| initech policy | tenant 403 `policy_misconfigured` 2026-10-23T12:00Z–12:15Z | 15 | `customer_caused` (initech) |
| initech 500 | tenant 500 2026-10-27T15:00Z–15:32Z | 32 | `unavailable` (initech) |
| kyoto-ai | tenant 503 2026-10-08T03:00Z–04:35Z | 95 | `unavailable` (kyoto-ai) |
| I-1 | incident I-1 `customer_caused` kyoto-ai **2026-10-18T11:00:30Z**–11:30:00Z; kyoto-ai tenant 500 2026-10-18T11:00Z–11:30Z | 30 | 11:00 is only half inside the window → `unavailable` (1); 11:01–11:29 → `customer_caused` (29) |
| quote-co | tenant status `0` `timeout` 2026-10-03T20:00Z → 2026-10-04T03:42Z | 462 | `unavailable` (quote-co) |
| M-4 | maintenance M-4 for quote-co only 2026-10-05T22:00Z–22:20Z announced 2026-09-28; quote-co tenant 503 | 20 | `maintenance` (quote-co) |
| umbrella pre-contract | umbrella tenant 500 2026-10-13T10:00Z–10:30Z | 30 | outside its contract: not counted |
| umbrella | tenant 500 2026-10-19T14:00Z–14:16Z | 16 | `unavailable` (umbrella) |
| piedpiper | tenant 500 at 10:00, 10:05, … 10:25 on 2026-10-20 (5-minute probe) | 6 | `unavailable` (piedpiper); the minutes in between have no tenant result and are up |

Every shared event above also makes the tenant probes fail in the same minutes (503, 502 `upstream_error`,
500, or timeout) except SH-HALF, SH-RETRY, SH-NOCHAT, SH-PREV and SH-NEXT; the GAP removes tenant rows too.
Shared totals for a customer covered the whole month: unavailable 5+3+10+7+4+6+3 = **38**, maintenance 30,
upstream 25, no_data 10.

## Uptime and credits per customer (R17–R19)

T = 44640 minutes for a full October; steps = ⌊(1000·U − T)/T⌋ (0 when U/T ≤ 0.1 %); credit % = min(25, 5·steps);
fee_base = round_half_up(fee × covered minutes / 44640); credit = round_half_up(credit % × fee_base).
Uptime is truncated to 8 decimals (display: 3 decimals of the percentage, truncated).

| customer × plan | T | U | maint. | cust.-caused | upstream | no_data | coverage | uptime (DECIMAL(10,8)) | shortfall (points) | steps | credit % | capped | fee_base | credit |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
"""

# customer, plan, T, U, maint, cc, upstream, no_data, fee, currency minor digits
UPTIME_EXPECTED = [
    ("acme", "enterprise", 44640, 38, 30, 0, 25, 10, "12500.00", 2),
    ("globex", "enterprise", 44640, 90, 30, 0, 25, 10, "20000.10", 2),
    ("initech", "enterprise", 44640, 70, 30, 55, 25, 10, "15000.00", 2),
    ("kyoto-ai", "enterprise", 44640, 134, 30, 29, 25, 10, "1500000", 0),
    ("quote-co", "enterprise", 44640, 500, 50, 0, 25, 10, "5000.00", 2),
    ("umbrella", "enterprise", 24480, 49, 0, 0, 0, 10, "9000.00", 2),
    ("hooli", "growth", 27360, 8, 30, 0, 25, 10, None, 2),
    ("hooli", "enterprise", 17280, 30, 0, 0, 0, 0, "8000.00", 2),
    ("stark-labs", "growth", 44640, 38, 30, 0, 25, 10, None, 2),
    ("piedpiper", "growth", 44640, 44, 30, 0, 25, 10, None, 2),
]

UPTIME_NOTES = """
Notes:
- acme: U = 38 (shared only), uptime 99.914 % ≥ 99.9 % → zero credit although below 100 %.
- globex: U = 38 + 52 = 90 → (90000 − 44640)/44640 = 1.016 → **1 whole step, 5 %**; 5 % × 20000.10 = 1000.005
  → **1000.01** half-up (half-even would give 1000.00). With U = 89 it would be 0 steps.
- initech: U = 38 + 32 = 70 → 0.568 of a step → **partial step, zero credit**; customer_caused 40 + 15 = 55.
- kyoto-ai: U = 38 + 95 + 1 (minute 11:00 of I-1) = 134 → (134000 − 44640)/44640 = 2.0018 → **2 steps, 10 %**
  of 1500000 JPY = **150000** (0 minor digits). Counting minute 11:00 as customer_caused gives U = 133 → 1 step.
- quote-co: U = 38 + 462 = 500 → 10.2 → 10 steps = 50 % → **capped at 25 %** → 1250.00 EUR. Maintenance 30 + 20 (M-4).
- umbrella: measured from 2026-10-15: T = 17 × 1440 = 24480. Shared after the 15th: SH-HALF 3 + M-2 10 + SH-UP2 7 +
  SH-500 4 + M-3 6 + SH-MIX 3 = 33, tenant 16 → U = 49 → (49000 − 24480)/24480 = 1.0016 → **1 step, 5 %**.
  Not counted: SH-U1, M-1, SH-UP1 and the tenant failure of 2026-10-13 (before the contract).
  fee_base = 9000.00 × 24480/44640 = 4935.4838… → 4935.48; credit 5 % → 246.774 → **246.77**.
- hooli: growth [10-01, 10-20): T = 27360, U = SH-U1 5 + SH-HALF 3 = 8, no credit (R1/R20).
  Enterprise [10-20, 11-01): T = 17280, U = M-2 10 + SH-UP2 7 + SH-500 4 + M-3 6 + SH-MIX 3 = 30 → 0.736 of a step → 0;
  fee_base = 8000.00 × 17280/44640 = 3096.7741… → 3096.77, credit 0.00. Its statement shows the enterprise part only.
- stark-labs, piedpiper: growth, no credit, no statement. piedpiper U = 38 + 6 = 44 (uptime 99.901 %).
- vandelay: no contract in October → no uptime row, no statement.
"""

README_TICKETS = """
## Tickets: designed cases (R4–R12)

Enterprise targets: S1 1 h / 4 h calendar, S2 4 bh / 8 bh, S3 8 bh / 40 bh, S4 24 bh / none. Growth: S1 4 bh,
S2 8 bh, S3 24 bh response; S4 and all resolutions: none. "elapsed" = of the last segment (R9), in seconds.

| ticket | customer (plan) | setup (UTC; local in brackets) | expected |
|---|---|---|---|
| T-R9-1 | acme (ent) | S4 Wed 10-07 08:00 (10:00); S2 at 09:00 (11:00); agent_reply 13:00 (15:00); resolved 10-08 08:00, confirmed 09:00 | response **met**, reported S2, elapsed **14400** (4 bh from 11:00 local), target 14400. Resolution met, S2, elapsed 25200 (7 bh), target 28800 |
| T-R9-2 | globex (ent) | S1 Sat 10-10 08:00 (10:00, written `04:00-04:00`); S2 at 10:00 (12:00); agent_reply Mon 10-12 08:00 (10:00); resolved 13:00, confirmed 14:00 | response **breached** (S1 segment 2 h > 1 h), breached_at **2026-10-10T09:00Z**, reported S2, elapsed 3600 (S2 counted from creation: 1 bh), target 14400. Resolution met (S1 2 h ≤ 4 h; S2 6 bh = 21600) |
| T-R9-3 | initech (ent) | S1 Sat 10-17 08:00 (10:00); S2 at 08:30; agent_reply Mon 10-19 08:00 (10:00); resolved 10:00, confirmed 10:30 | response **met**: S1 0.5 h; reported S2, elapsed 3600 (1 bh from creation). Resolution met, S2, 10800 |
| T-R9-4 | kyoto-ai (ent) | S3 Mon 10-19 07:00 (09:00, written `+09:00`); S1 at 12:00 (14:00); S2 at 12:15; agent_reply 12:30; resolved 13:00, confirmed Tue 10-20 07:30 | response **met**: S3 5 bh, S1 0.25 h, S2 counted from 14:00 local: elapsed **1800**, target 14400. Resolution met, S2, elapsed 3600 (14:00–15:00 local; resolved→confirmed does not run) |
| T-DST-1 | acme (ent) | S2 Fri 10-23 14:00 (16:00 CEST); agent_reply Mon 10-26 11:00 (12:00 CET); resolved 14:00, confirmed 15:00 | response **met** at exactly the target: 1 bh Fri + 3 bh Mon (opens 08:00Z after DST) = **14400**. Opening at 07:00Z would give 5 bh → breached. Resolution met, 25200 |
| T-DST-2 | globex (ent) | S2 Sun 10-25 00:30 (`02:30+02:00`); agent_reply Mon 10-26 11:30 (`12:30+01:00`); resolved 15:00, confirmed Tue 09:00 | response met, elapsed 12600 (Mon 09:00–12:30 CET). Resolution met, 25200 |
| T-DST-3 | kyoto-ai (ent) | S1 Sun 10-25 00:30 (`02:30+02:00`); agent_reply 01:20 (`02:20+01:00`, earlier local clock!); resolved 03:00, confirmed 03:30 | response met, elapsed **3000** (50 min calendar, not −10 min). Resolution met, 9000 |
| T-DST-4 | initech (ent) | S2 Sun 10-25 09:00 (10:00 CET); agent_reply Mon 10-26 13:00 (14:00 CET); resolved 15:00, confirmed Tue 08:00 | response **breached**, elapsed 18000 (5 bh), breached_at **2026-10-26T12:00Z** (13:00 CET). Resolution met, 25200 |
| T-AUTO-1 | quote-co (ent) | S1 Thu 10-01 20:00; auto_reply 20:00:30; agent_reply 21:30; resolved 23:00; confirmed 10-02 08:00 | response **breached** (auto_reply does not stop it), elapsed 5400, breached_at **2026-10-01T21:00Z**. Resolution met, 10800 |
| T-AUTO-2 | quote-co (ent) | S3 Mon 10-05 08:00 (10:00); auto_reply 08:00:05; resolved 12:00 (no agent reply); confirmed 13:00 | response met, stopped by `resolved`, elapsed 14400. Resolution met, 14400 |
| T-PAUSE-1 | globex (ent) | S2 Tue 10-06 07:30 (09:30); agent_reply 08:00; awaiting_customer 09:00; customer_reply Thu 10-08 12:00; resolved 14:00; confirmed Fri 07:00 | response met 1800. Resolution met: 1.5 bh + 2 bh = **12600** (pause not counted) |
| T-REOPEN-1 | acme (ent) | S3 Thu 10-08 10:00 (12:00); agent_reply 12:00; resolved Fri 08:00; customer_reply 08:30 ("thanks", no reopen); confirmed 09:00; **reopened** Mon 10-12 08:00; agent_reply 09:00; resolved Tue 14:00; confirmed Wed 10-14 07:30 | response met 7200. Resolution met, accumulated 5+1+7+7 = 20 bh = **72000** |
| T-UNCONF-1 | globex (ent) | S2 Wed 10-14 09:00 (11:00); agent_reply 10:00; resolved 13:00; never confirmed | response met 3600. Resolution **pending** (resolved without confirmation does not stop the clock), elapsed 14400, due_at null |
| T-LOWER-1 | globex (ent) | S2 Thu 10-15 07:00 (09:00); lowered to **S4** at 13:00 (15:00); agent_reply 14:00; resolved Fri 08:00; confirmed 09:00 | response **breached** (S2 segment 6 bh > 4; the downgrade cannot erase it), breached_at **2026-10-15T11:00Z**, reported S4, elapsed 25200 (7 bh from creation), target 86400. Resolution **no_target** (last segment S4; S2 segment 6 bh ≤ 8) |
| T-SAMESEV-1 | quote-co (ent) | S3 Mon 10-12 08:00 (10:00); severity_changed to S3 (same) 10:00; agent_reply Tue 10-13 09:00 (11:00); resolved Wed 12:00; confirmed 13:00 | one segment; response **breached**, elapsed 32400 (9 bh), breached_at **2026-10-13T08:00Z**. Resolution met, 72000 |
| T-TIE-1 | kyoto-ai (ent) | S3 Tue 10-20 00:00 (`09:00+09:00`); severity_changed S1 and agent_reply both at 01:00 (the change has the lower event_id); resolved and confirmed both at 04:00 | response met, reported **S1**, elapsed **0**, target 3600: sorted by (occurred_at, event_id) the change comes first, so the reply stops the clock in a zero-length S1 segment (S3 segment: 0 bh, before opening). Sorting the reply first would report S3. Resolution met, S1, 10800 |
| T-BACKFILL-1 | globex (ent) | S3 Wed 10-21 08:00 (10:00); agent_reply 09:00 exported **after** the confirmation (higher event_id); resolved Thu 08:00; confirmed 09:00 | response met 3600. Resolution met, 28800 (8 bh) |
| T-SEPT-1 | acme (ent) | S3 Wed **09-30** 15:00 (17:00); agent_reply 10-01 08:00; resolved 10-02 12:00; confirmed 13:00 | month **2026-09** (other month for the October run, although its events are in October); response met 3600; resolution met 46800 |
| T-HOL-1 | initech (ent) | S3 Thu 10-29 09:00 (10:00 CET); agent_reply 09:30; awaiting_customer 10:00; customer_reply Mon 11-09 08:00; resolved Mon 11-16 08:30; confirmed 09:00 | response met 1800. Resolution met: 1 + 8 (11-09) + 8 (11-10) + **0 (11-11 holiday)** + 8 + 8 + 0.5 = 33.5 bh = **120600** (41.5 bh → breached if the holiday counted) |
| T-HOL-2 | acme (ent) | S2 Tue **11-10** 14:00 (15:00); agent_reply Thu 11-12 09:30 (10:30); resolved 13:00; confirmed 14:00 | month **2026-11** (other month); response met 12600 (2 bh + holiday + 1.5 bh); resolution met 25200 |
| T-GROWTH-1 | piedpiper (growth) | S1 Tue 10-13 12:00 (14:00); agent_reply Wed 10-14 09:00 (11:00) | response **breached** (growth S1 4 bh; 5 bh), breached_at **2026-10-14T08:00Z**; resolution no_target |
| T-PLAN-0 | hooli (**growth**) | S2 Mon 10-19 15:00 (17:00, closing time); agent_reply Tue 10-20 09:00 (11:00) | growth plan; response met 7200 (target 28800); resolution no_target |
| T-PLAN-B | hooli (**growth**) | S3 created **2026-10-19T23:30Z** (written `2026-10-20T01:30:00+02:00`: local date is the 20th, UTC date the 19th); agent_reply 10-20 12:00 | growth (contract dates are UTC midnight); response met 18000; resolution no_target |
| T-PLAN-1 | hooli (**enterprise**) | S2 Tue 10-20 07:00 (09:00); agent_reply 10:00; resolved 14:00; confirmed 10-21 07:00 | enterprise plan; response met 10800; resolution met 25200 |
| T-S4-1 | stark-labs (growth) | S4 Fri 10-16 13:00; agent_reply Wed 10-21 10:00 | both clocks no_target |
| T-UMB-1 | umbrella (ent) | S1 Thu 10-15 00:10 (first day of its contract); agent_reply 00:50; resolved 02:00; confirmed 03:00 | response met 2400; resolution met 6600 |
| T-EVCONFLICT-1 | stark-labs (growth) | S3 Tue 10-20 08:00 (10:00); two rows share one event_id (agent_reply 09:00 / 09:05) → both rejected; agent_reply Wed 10-21 08:00 | response met, elapsed 28800 (7 + 1 bh) |
| T-EARLY-1 | piedpiper (growth) | S2 Tue 10-06 10:00 (12:00); 4 bad events (see below); agent_reply 14:00 (16:00) | response met 14400; resolution no_target |
| T-BADSEV-1 | acme (ent) | S3 Tue 10-20 12:00 (14:00 CEST); 3 bad events (see below); agent_reply Wed 10-21 09:00 (11:00) | response met 18000 (5 bh). Resolution never resolved → **breached** (elapsed 504000 = 140 bh at as-of), breached_at **2026-10-27T13:00Z** (40 bh: 3+8+8+8+8 until Mon 10-26, +5 bh Tue 10-27 09:00–14:00 CET) |
| T-MULTILINE-1 | acme (ent) | S4, subject contains a comma, quotes and a **newline** (one CSV record over two physical lines) | response met 13500 (3.75 bh); resolution no_target |
| T-QUOTE-SUBJ | quote-co (ent) | subject `Invoice shows "<b>€0</b>" & <script>alert('x')</script> as our name` | response met 3600; must print escaped |
| T-DUP-1 | stark-labs (growth) | S4; its tickets.csv row appears twice, identical | one ticket (duplicate collapsed) |
| T-VAND-SEP | vandelay (growth) | created **2026-09-30T23:30Z** (written `2026-10-01T01:30:00+02:00`: local date October, UTC date September), 30 min before its contract's exclusive end 2026-10-01; agent_reply 2026-10-01T09:00Z | accepted, growth, month **2026-09**; response met 7200 (Thu 10-01 09:00–11:00 local) |
| T-VAND-OCT | vandelay | created 2026-10-01T00:00:00Z = its contract's exclusive end | rejected: no contract at created_at |
| T-NOCONTRACT-1 | umbrella | created 2026-10-12T10:00Z, contract starts 2026-10-15 | rejected: no contract at created_at; its event is rejected as depending on it |
"""


def sample_readme(build: SampleBuild, seed: int) -> str:
    c = build.counts
    parts = [
        README_HEAD.format(
            seed=seed, n_customers=c["customers.csv"], n_contracts=c["contracts.csv"], n_tickets=c["tickets.csv"],
            n_filler=c["filler_tickets"], n_events=c["ticket_events.csv"], n_maint=c["maintenance.csv"],
            n_inc=c["incidents.csv"], p_edge=c["probes/edge-cases.csv"], p_shared=c["probes/shared-2026-10.csv.gz"],
            p_nov=c["probes/shared-2026-11-head.jsonl"], p_eu=c["probes/tenant-eu-2026-10.parquet"],
            p_us=c["probes/tenant-us-2026-10.jsonl.gz"], as_of=SAMPLE_AS_OF,
        ),
        README_CUSTOMERS,
        README_UPTIME,
    ]
    rows = []
    for cust, plan, t, u, mnt, cc, up, nd, fee, digits in UPTIME_EXPECTED:
        uptime = Fraction(t - u, t)
        uptime_s = str((Decimal(uptime.numerator) / Decimal(uptime.denominator)).quantize(
            Decimal("0.00000001"), rounding=ROUND_DOWN))
        shortfall = Fraction(u, t) - Fraction(1, 1000)
        if fee is None:
            rows.append(f"| {cust} × {plan} | {t} | {u} | {mnt} | {cc} | {up} | {nd} | {t - nd}/{t} | {uptime_s} | "
                        f"{_points(shortfall)} | – | – | – | – | – |")
            continue
        steps = max(0, math.floor(shortfall / Fraction(1, 1000))) if shortfall > 0 else 0
        pct = min(25, 5 * steps)
        capped = 5 * steps > 25
        q = Decimal(1).scaleb(-digits)
        fee_base = (Decimal(fee) * t / Decimal(44640)).quantize(q, rounding=ROUND_HALF_UP)
        credit = (fee_base * pct / Decimal(100)).quantize(q, rounding=ROUND_HALF_UP)
        rows.append(f"| {cust} × {plan} | {t} | {u} | {mnt} | {cc} | {up} | {nd} | {t - nd}/{t} | {uptime_s} | "
                    f"{_points(shortfall)} | {steps} | {pct} | {'yes' if capped else 'no'} | {fee_base} | {credit} |")
    parts.append("\n".join(rows) + "\n")
    parts.append(UPTIME_NOTES)
    parts.append(README_TICKETS)
    parts.append("\n## Bad rows (not loaded; `line` = 1-based record number after the header)\n\n"
                 "Exact duplicates are collapsed and counted, not rejected. Categories are the kinds listed in "
                 "data-contract.md; the reason text itself is the pipeline's.\n\n"
                 "| file | line | row | expected | detail |\n|---|---|---|---|---|\n")
    order = {f: n for n, f in enumerate(["customers.csv", "contracts.csv", "tickets.csv", "ticket_events.csv",
                                         "maintenance.csv", "incidents.csv", "probes/edge-cases.csv",
                                         "probes/shared-2026-10.csv.gz", "probes/shared-2026-11-head.jsonl",
                                         "probes/tenant-eu-2026-10.parquet"])}
    for b in sorted(build.bad, key=lambda b: (order.get(b.file, 99), b.file, b.line)):
        key = b.key.replace("|", "\\|")
        note = b.note.replace("|", "\\|")
        parts.append(f"| `{b.file}` | {b.line} | `{key}` | {b.category} | {note} |\n")
    parts.append("\nT-EARLY-1, T-BADSEV-1 and T-EVCONFLICT-1 keep their good events; their expected outcomes "
                 "above assume every bad event is dropped.\n")
    return "".join(parts)


def _points(shortfall: Fraction) -> str:
    """Shortfall in percentage points, truncated to 4 decimals (negative = above target)."""
    v = Decimal(shortfall.numerator * 100) / Decimal(shortfall.denominator)
    return str(v.quantize(Decimal("0.0001"), rounding=ROUND_DOWN))


# --------------------------------------------------------------------------------------------------
# Benchmark mode
# --------------------------------------------------------------------------------------------------
ADJ = ["Blue", "Quantum", "Northern", "Rapid", "Silver", "Bright", "Atlas", "Nimbus", "Polar", "Crimson",
       "Vertex", "Lumen", "Harbor", "Summit", "Cobalt", "Delta"]
NOUN = ["Analytics", "Robotics", "Health", "Logistics", "Finance", "Media", "Labs", "Systems", "Foods", "Energy",
        "Bank", "Insurance", "Retail", "Games", "Mobility", "Legal"]
SUFFIX = ["NV", "BV", "GmbH", "SA", "Ltd", "Inc.", "K.K.", "SRL", "AG", "& Co.", "Oy", "AB"]
CURRENCIES = [("EUR", 0.5), ("USD", 0.3), ("GBP", 0.15), ("JPY", 0.05)]


def build_large(out: Path, month: str, n_ent: int, seed: int, probe_format: str) -> dict[str, int]:
    start, end = month_bounds(month)
    n_growth = n_ent // 10
    ss = np.random.SeedSequence(seed)
    meta_rng, shared_rng, ticket_rng, id_rng = (np.random.default_rng(s) for s in ss.spawn(4))
    chunk_seqs = ss.spawn(1)[0].spawn((n_ent + CHUNK_CUSTOMERS - 1) // CHUNK_CUSTOMERS)
    days = (end - start).days

    # ---- customers and contracts
    customers, contracts, plans = [], [], {}
    cust_ids = [f"ent-{i + 1:05d}" for i in range(n_ent)] + [f"gro-{i + 1:05d}" for i in range(n_growth)]
    for n, cid in enumerate(cust_ids):
        name = f"{ADJ[meta_rng.integers(len(ADJ))]} {NOUN[meta_rng.integers(len(NOUN))]} {SUFFIX[meta_rng.integers(len(SUFFIX))]} {n + 1}"
        customers.append([cid, name, f"billing@{cid}.example"])
        cur = str(meta_rng.choice([c for c, _ in CURRENCIES], p=[p for _, p in CURRENCIES]))
        fee = (f"{int(meta_rng.integers(300, 6000)) * 1000}" if cur == "JPY"
               else f"{int(meta_rng.integers(200000, 5000000)) / 100:.2f}")
        long_ago = "2025-01-01"
        if cid.startswith("gro-"):
            contracts.append([f"C-{cid}", cid, "growth", f"{int(meta_rng.integers(9900, 99900)) / 100:.2f}", cur,
                              long_ago, ""])
            plans[cid] = [("growth", start)]
            continue
        r = meta_rng.random()
        if r < 0.03:  # starts mid-month
            s = (start + timedelta(days=int(meta_rng.integers(1, days - 1)))).date().isoformat()
            contracts.append([f"C-{cid}", cid, "enterprise", fee, cur, s, ""])
            plans[cid] = [("enterprise", datetime.fromisoformat(s).replace(tzinfo=UTC))]
        elif r < 0.05:  # growth -> enterprise mid-month
            s = (start + timedelta(days=int(meta_rng.integers(1, days - 1)))).date().isoformat()
            contracts.append([f"C-{cid}-G", cid, "growth", "490.00" if cur != "JPY" else "75000", cur, long_ago, s])
            contracts.append([f"C-{cid}-E", cid, "enterprise", fee, cur, s, ""])
            plans[cid] = [("growth", start), ("enterprise", datetime.fromisoformat(s).replace(tzinfo=UTC))]
        else:
            contracts.append([f"C-{cid}", cid, "enterprise", fee, cur, long_ago, ""])
            plans[cid] = [("enterprise", start)]
    write_bytes(out / "customers.csv", csv_bytes(CUSTOMER_COLUMNS, customers))
    write_bytes(out / "contracts.csv", csv_bytes(CONTRACT_COLUMNS, contracts))

    # ---- maintenance and incidents (a few, month-relative)
    def at(day: int, hh: int, mm: int = 0) -> datetime:
        return start + timedelta(days=day, hours=hh, minutes=mm)

    maint_win = (at(9, 2), at(9, 2, 20))
    up_win = (at(13, 10), at(13, 10, 25))
    outages = [(at(6, 14), at(6, 14, 6)), (at(20, 16), at(20, 16, 4)), (at(days - 3, 3), at(days - 3, 3, 9))]
    write_bytes(out / "maintenance.csv", csv_bytes(MAINTENANCE_COLUMNS, [
        ["M-1", fmt(maint_win[0]), fmt(maint_win[1]), fmt(maint_win[0] - timedelta(days=7)), "", "Planned failover"],
        ["M-2", fmt(at(18, 1)), fmt(at(18, 1, 30)), fmt(at(17, 9)), "", "Short-notice patching"],
    ]))
    write_bytes(out / "incidents.csv", csv_bytes(INCIDENT_COLUMNS, [
        ["I-1", fmt(up_win[0]), fmt(up_win[1]), "upstream", "", "Upstream LLM provider outage"],
        ["I-2", fmt(outages[0][0]), fmt(outages[0][1]), "platform", "", "Gateway crash loop"],
        ["I-3", fmt(at(11, 8)), fmt(at(11, 9)), "customer_caused", cust_ids[0], "Customer misconfigured policy"],
    ]))

    # ---- shared probes
    probes = out / "probes"
    probes.mkdir(parents=True, exist_ok=True)
    lo, hi = emin(start) - 30, emin(end) + 30
    shared = []
    for region, sec in (("eu-west", 0), ("us-east", 20)):
        for check, off in (("health_live", 0), ("chat_completions", 3)):
            s = Stream.build(shared_rng, check, region, "", lo, hi, sec_lo=sec + off, sec_hi=sec + off + 8)
            s.set(*maint_win, MAINT)
            for w in outages:
                s.set(*w, DOWN)
            if check == "chat_completions":
                s.set(*up_win, UPSTREAM)
            blips = shared_rng.random(len(s.minutes)) < 2e-5
            s.outcome[blips] = OUTCOME_INDEX[TIMEOUT]
            shared.append(s)
    write_probe_table(probes / f"shared-{month}", streams_table(shared), probe_format)

    # ---- tenant probes: chat every minute for every enterprise-plan customer, 50 per file
    n_min = hi - lo
    minutes = np.arange(lo, hi, dtype=np.int64)
    prefix = pc.strftime(pa.array(minutes * 60, type=pa.timestamp("s", tz="UTC")), format="%Y-%m-%dT%H:%M:")
    by_second = {}
    kinds = [ERR500, TIMEOUT, BADKEY, BADPOLICY, UPSTREAM, TIMEOUT0]
    kind_p = [0.4, 0.2, 0.12, 0.08, 0.15, 0.05]
    region_vocab = ["eu-west", "us-east", "ap-northeast"]
    for k, chunk_start in enumerate(range(0, n_ent, CHUNK_CUSTOMERS)):
        rng = np.random.default_rng(chunk_seqs[k])
        ids = cust_ids[chunk_start: chunk_start + CHUNK_CUSTOMERS]
        n = len(ids)
        outcome = np.zeros(n * n_min, dtype=np.int8)
        # sparse failure windows + single-minute blips
        for c in range(n):
            for _ in range(rng.poisson(1.2)):
                length = int(min(180, rng.geometric(1 / 9)))
                s0 = int(rng.integers(0, n_min - length))
                outcome[c * n_min + s0: c * n_min + s0 + length] = OUTCOME_INDEX[kinds[rng.choice(len(kinds), p=kind_p)]]
        blips = np.flatnonzero(rng.random(n * n_min) < 3e-5)
        outcome[blips] = OUTCOME_INDEX[ERR500]
        # the gateway-wide events are seen by tenant probes too
        for w, o in [(maint_win, MAINT), (up_win, UPSTREAM)] + [(w, DOWN) for w in outages]:
            a, b = emin(w[0]) - lo, emin(w[1]) - lo
            for c in range(n):
                outcome[c * n_min + a: c * n_min + b] = OUTCOME_INDEX[o]
        secs = [30 + (chunk_start + c) % 25 for c in range(n)]
        ts_parts = []
        for s in secs:
            if s not in by_second:
                by_second[s] = pc.binary_join_element_wise(prefix, pa.scalar(f"{s:02d}Z"), "")
            ts_parts.append(by_second[s])
        regions = rng.integers(0, len(region_vocab), size=n)
        oidx = pa.array(outcome.astype(np.int64))
        table = pa.table({
            "probed_at": pa.concat_arrays(ts_parts),
            "check": pa.repeat(pa.scalar("chat_completions"), n * n_min),
            "region": pa.concat_arrays([pa.repeat(pa.scalar(region_vocab[r]), n_min) for r in regions]),
            "customer_id": pa.concat_arrays([pa.repeat(pa.scalar(c), n_min) for c in ids]),
            "status_code": pa.array([o[0] or None for o in OUTCOMES], pa.string()).take(oidx),
            "error_code": pa.array([o[1] or None for o in OUTCOMES], pa.string()).take(oidx),
            "latency_ms": pc.cast(pa.array((380 + rng.gamma(2.0, 300.0, size=n * n_min)).astype(np.int32)),
                                  pa.string()),
        })
        write_probe_table(probes / f"tenant-{month}-{k + 1:04d}", table, probe_format)

    # ---- tickets (~20 per enterprise customer, ~5 per growth customer)
    bound = end + timedelta(days=13, hours=17)
    tickets: list[Ticket] = []
    events: list[Event] = []
    styles = ["Z", "+00:00", "brussels", "newyork", "tokyo"]
    for cid in cust_ids:
        n = int(ticket_rng.poisson(20 if cid.startswith("ent-") else 5))
        style = str(ticket_rng.choice(styles))
        first = plans[cid][0][1]
        lo_t = first if first > start else start - timedelta(days=10)
        for _ in range(n):
            created = random_created(ticket_rng, lo_t, end - timedelta(hours=1))
            plan = [p for p, since in plans[cid] if since <= created or since == start][-1]
            sev = str(ticket_rng.choice(SEVERITIES, p=[0.07, 0.23, 0.42, 0.28]))
            channel = "email" if plan == "growth" else str(
                ticket_rng.choice(["email", "slack_connect", "dedicated_contact"], p=[0.45, 0.4, 0.15]))
            t = Ticket("", cid, channel, sev, fmt(created, style), str(ticket_rng.choice(SUBJECTS[sev])),
                       sort_at=created)
            tickets.append(t)
            for when, ev, sv in filler_ticket_events(ticket_rng, created, sev, bound):
                events.append(Event("", fmt(when, style), ev, sv, export_at=when, ticket=t))
    tickets.sort(key=lambda t: (t.sort_at, t.customer_id))
    for n, t in enumerate(tickets):
        t.ticket_id = f"TK-{100001 + n}"
    for e in events:
        assert e.ticket is not None
        e.ticket_id = e.ticket.ticket_id
    write_bytes(out / "tickets.csv", csv_bytes(TICKET_COLUMNS, [t.row() for t in tickets]))
    ev_list = assign_event_ids(events, id_rng, first_id=1000001)
    write_bytes(out / "ticket_events.csv", csv_bytes(EVENT_COLUMNS, event_rows(ev_list)))
    write_bytes(out / "README.md", (
        f"# Benchmark drop {month}\n\nGenerated by `python -m tools.samplegen --out DIR --month {month} "
        f"--customers {n_ent} --seed {seed} --probe-format {probe_format}`.\n\n"
        f"{n_ent} enterprise customers (tenant `chat_completions` probe every minute, ~3 % start mid-month, "
        f"~2 % move from growth to enterprise mid-month) and {n_growth} growth customers; shared probes in two "
        f"regions; {len(tickets)} tickets, {len(ev_list)} events. Random sparse failures: no hand-computed "
        f"expectations, no bad rows.\n").encode())
    return {"customers": len(cust_ids), "tickets": len(tickets), "events": len(ev_list)}


def write_probe_table(stem: Path, table: pa.Table, probe_format: str) -> None:
    if probe_format == "parquet":
        pq.write_table(table, stem.with_name(stem.name + ".parquet"), compression="zstd", row_group_size=1 << 20)
    else:
        pacsv.write_csv(table, stem.with_name(stem.name + ".csv"),
                        pacsv.WriteOptions(quoting_style="none", quoting_header="none"))


# --------------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------------
def write_sample(out: Path, seed: int = DEFAULT_SEED) -> SampleBuild:
    build = build_sample(seed)
    for rel, data in build.files.items():
        write_bytes(out / rel, data)
    return build


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m tools.samplegen",
        description="Write a deterministic input drop: the designed 2026-10 sample (default) or, with "
                    "--customers N, a large benchmark month.")
    p.add_argument("--out", required=True, type=Path, help="output folder (the drop)")
    p.add_argument("--month", default=DEFAULT_MONTH,
                   help="YYYY-MM (designed sample: 2026-10 only; a benchmark month must be in the past, or the "
                        "pipeline rejects its rows as 'in the future')")
    p.add_argument("--customers", type=int, default=None,
                   help="benchmark mode: number of enterprise customers (plus N//10 growth)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--probe-format", choices=["csv", "parquet"], default="parquet",
                   help="benchmark mode: format of the probe files (the designed sample always mixes formats)")
    a = p.parse_args(argv)
    try:
        month_bounds(a.month)
    except ValueError:
        p.error(f"--month must be YYYY-MM, got {a.month!r}")
    if a.customers is None:
        if a.month != DEFAULT_MONTH:
            p.error(f"the designed sample exists for {DEFAULT_MONTH} only; use --customers N for other months")
        build = write_sample(a.out, a.seed)
        total = sum(len(b) for b in build.files.values())
        print(f"wrote designed sample {DEFAULT_MONTH} to {a.out}: {len(build.files)} files, {total} bytes, "
              f"{len(build.bad)} designed bad/duplicate rows")
    else:
        if a.customers < 1:
            p.error("--customers must be >= 1")
        stats = build_large(a.out, a.month, a.customers, a.seed, a.probe_format)
        print(f"wrote benchmark drop {a.month} to {a.out}: {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
