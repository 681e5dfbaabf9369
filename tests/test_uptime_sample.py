"""The designed sample drop (data/sample/README.md): every uptime and credit figure of its table, by value.

Inputs are validated by the real ingestion (`pipeline.ingest`), the policy is the shipped policy file,
and the probe files are the sample's five files in four formats — so this is the engine end to end on
the cases the sample was designed to break (R13–R20).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pipeline.ingest.probes import ingest_probe_files
from pipeline.ingest.validate import ingest_csv_inputs
from pipeline.months import RunParams
from pipeline.policy import load_policy
from pipeline.settings import DEFAULT_POLICY_FILE, PROJECT_ROOT
from pipeline.uptime import build_credits, build_uptime
from pipeline.warehouse import connection

SAMPLE = PROJECT_ROOT / "data" / "sample"
RUN_STARTED = datetime(2026, 11, 20, tzinfo=UTC)

# customer, plan: T, U, maintenance, customer_caused, upstream, no_data, uptime  (README table)
UPTIME = {
    ("acme", "enterprise"): (44640, 38, 30, 0, 25, 10, "0.99914874"),
    ("globex", "enterprise"): (44640, 90, 30, 0, 25, 10, "0.99798387"),
    ("initech", "enterprise"): (44640, 70, 30, 55, 25, 10, "0.99843189"),
    ("kyoto-ai", "enterprise"): (44640, 134, 30, 29, 25, 10, "0.99699820"),
    ("quote-co", "enterprise"): (44640, 500, 50, 0, 25, 10, "0.98879928"),
    ("umbrella", "enterprise"): (24480, 49, 0, 0, 0, 10, "0.99799836"),
    ("hooli", "growth"): (27360, 8, 30, 0, 25, 10, "0.99970760"),
    ("hooli", "enterprise"): (17280, 30, 0, 0, 0, 0, "0.99826388"),
    ("stark-labs", "growth"): (44640, 38, 30, 0, 25, 10, "0.99914874"),
    ("piedpiper", "growth"): (44640, 44, 30, 0, 25, 10, "0.99901433"),
}
# customer: currency, steps, credit %, capped, fee_base, credit
CREDITS = {
    "acme": ("EUR", 0, "0", False, "12500.00", "0.00"),
    "globex": ("USD", 1, "5", False, "20000.10", "1000.01"),
    "initech": ("EUR", 0, "0", False, "15000.00", "0.00"),
    "kyoto-ai": ("JPY", 2, "10", False, "1500000", "150000"),
    "quote-co": ("EUR", 10, "25", True, "5000.00", "1250.00"),
    "umbrella": ("USD", 1, "5", False, "4935.48", "246.77"),
    "hooli": ("EUR", 0, "0", False, "3096.77", "0.00"),
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    version = load_policy(DEFAULT_POLICY_FILE).version_for("2026-10")
    params = RunParams("2026-10", as_of=RUN_STARTED, run_started_at=RUN_STARTED)
    with connection(warehouse) as con:
        ingest_csv_inputs(con, SAMPLE, params)
        counts = ingest_probe_files(con, SAMPLE, params)
        counts |= build_uptime(con, params, version.uptime_targets)
        counts |= build_credits(con, params, version.credits, version.uptime_targets)

        def rows(sql: str) -> list[dict]:
            cursor = con.execute(sql)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

        yield {
            "counts": counts,
            "uptime": {(r["customer_id"], r["plan"]): r for r in rows("SELECT * FROM main.uptime_monthly")},
            "credits": {r["customer_id"]: r for r in rows("SELECT * FROM main.credits")},
            "states": {(r["customer_id"], r["minute"].strftime("%Y-%m-%dT%H:%MZ")): r["state"]
                       for r in rows("SELECT * FROM main.availability_minutes")},
            "rejected": rows("SELECT * FROM intermediate.probe_rejections"),
            "accounting": {r["source_file"]: r for r in rows("SELECT * FROM intermediate.probe_file_accounting")},
        }


@pytest.mark.parametrize("key", sorted(UPTIME))
def test_r17_sample_uptime_per_customer_and_plan(sample, key):
    row = sample["uptime"][key]
    got = (row["total_minutes"], row["unavailable_minutes"], row["maintenance_minutes"], row["customer_caused_minutes"],
           row["upstream_minutes"], row["no_data_minutes"], str(row["uptime"]))
    assert got == UPTIME[key]


def test_r17_sample_has_exactly_the_designed_rows(sample):
    assert set(sample["uptime"]) == set(UPTIME)  # vandelay has no contract in October
    assert set(sample["credits"]) == set(CREDITS)  # growth is never credited (R20)


@pytest.mark.parametrize("customer", sorted(CREDITS))
def test_r18_r19_sample_credits(sample, customer):
    row = sample["credits"][customer]
    currency, steps, pct, capped, fee_base, credit = CREDITS[customer]
    assert (row["currency"], row["shortfall_steps"], row["credit_pct"], row["capped"]) == (
        currency, steps, Decimal(pct), capped)
    assert (row["fee_base"], row["credit_amount"]) == (Decimal(fee_base), Decimal(credit))


@pytest.mark.parametrize("customer, minute, state", [
    ("kyoto-ai", "2026-10-18T11:00Z", "unavailable"),  # I-1 starts 30 s into the minute
    ("kyoto-ai", "2026-10-18T11:01Z", "customer_caused"),
    ("initech", "2026-10-14T10:00Z", "upstream"),  # upstream 502 beside initech's own invalid key
    ("initech", "2026-10-09T08:00Z", "customer_caused"),
    ("acme", "2026-10-15T12:00Z", "unavailable"),  # 1 of 2 with a duplicate copy collapsed
    ("acme", "2026-10-15T12:01Z", "unavailable"),  # cross-file duplicate collapsed
    ("acme", "2026-10-15T12:10Z", "up"),  # SH-RETRY: 1 failure of 3
    ("acme", "2026-10-16T05:00Z", "no_data"),
    ("acme", "2026-10-21T02:00Z", "unavailable"),  # M-2: exactly 48 h notice
    ("acme", "2026-10-10T02:00Z", "maintenance"),  # M-1: 48 h 01 min
    ("acme", "2026-10-28T03:00Z", "unavailable"),  # M-3 short notice, health down beats I-4
    ("acme", "2026-10-22T16:00Z", "unavailable"),  # 502 with health down
    ("acme", "2026-10-27T06:00Z", "up"),  # no chat result, health passing
    ("umbrella", "2026-10-13T10:00Z", "up"),  # before its contract: not measured, not listed
    ("piedpiper", "2026-10-20T10:01Z", "up"),  # between two 5-minute tenant probes
])
def test_r15_r16_sample_designed_minutes(sample, customer, minute, state):
    assert sample["states"].get((customer, minute), "up") == state


def test_sample_probe_rejections_and_collapses(sample):
    rejected = sorted((r["source_file"], r["line_number"]) for r in sample["rejected"])
    assert rejected == [("probes/edge-cases.csv", n) for n in range(4, 10)]
    books = sample["accounting"]
    assert {k: v["rows_collapsed"] for k, v in books.items()} == {
        "probes/edge-cases.csv": 0,
        "probes/shared-2026-10.csv.gz": 2,
        "probes/shared-2026-11-head.jsonl": 1,
        "probes/tenant-eu-2026-10.parquet": 1,
        "probes/tenant-us-2026-10.jsonl.gz": 0,
    }
    reads = {"probes/edge-cases.csv": 9, "probes/shared-2026-10.csv.gz": 147071, "probes/shared-2026-11-head.jsonl": 481,
             "probes/tenant-eu-2026-10.parquet": 178640, "probes/tenant-us-2026-10.jsonl.gz": 82346}
    assert {k: v["rows_read"] for k, v in books.items()} == reads
    for row in books.values():
        assert row["rows_read"] == row["rows_used"] + row["rows_other_months"] + row["rows_rejected"] + row["rows_collapsed"]
