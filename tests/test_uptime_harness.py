"""Harness for the uptime tests: a temporary warehouse with ingestion's `valid_*` tables and a probe drop.

`UptimeCase` builds exactly the interface columns ingestion provides, writes probe files in any format
and runs `build_uptime`. By default the month has one passing shared `health_live` and one passing
shared `chat_completions` result in every minute (so every minute is up), except the minutes a test
claims with `hole()`; tests then add the rows of the minutes they are about.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.money import minor_unit
from pipeline.months import RunParams, parse_month
from pipeline.uptime import build_uptime
from pipeline.warehouse import connect

COLUMNS = ["probed_at", "check", "region", "customer_id", "status_code", "error_code", "latency_ms"]
RUN_STARTED = datetime(2026, 11, 5, 6, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def probe(when: str | datetime, check: str = "chat_completions", status: str | int = 200, customer: str = "",
          region: str = "eu-west", error: str = "", latency: str = "120") -> dict[str, str]:
    return {
        "probed_at": when if isinstance(when, str) else iso(when),
        "check": check,
        "region": region,
        "customer_id": customer,
        "status_code": str(status),
        "error_code": error,
        "latency_ms": latency,
    }


@dataclass(frozen=True)
class Scheme:
    mode: str = "whole_steps"
    step: Decimal = Decimal("0.001")
    credit_per_step_pct: Decimal = Decimal("5")
    cap_pct: Decimal = Decimal("25")


TARGETS = {"enterprise": Decimal("0.999"), "growth": None}


@dataclass
class UptimeCase:
    root: Path
    month: str = "2026-10"
    customers: list[tuple[str, str]] = field(default_factory=lambda: [("acme", "Acme Corp")])
    contracts: list[dict] = field(default_factory=list)
    maintenance: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    holes: set[datetime] = field(default_factory=set)
    baseline: bool = True

    def __post_init__(self) -> None:
        self.data_dir = self.root / "drop"
        (self.data_dir / "probes").mkdir(parents=True, exist_ok=True)
        if not self.contracts:
            self.contract("C-acme", "acme", "enterprise", "10000.00", "EUR", "2026-01-01", None)

    # --- inputs ------------------------------------------------------------------------------------
    def contract(self, contract_id, customer_id, plan, fee, currency, starts_on, ends_on) -> None:
        self.contracts.append(dict(contract_id=contract_id, customer_id=customer_id, plan=plan, monthly_fee=fee,
                                   currency=currency, starts_on=starts_on, ends_on=ends_on))

    def window(self, maintenance_id, starts_at, ends_at, announced_at, customer_id=None, title="maintenance"):
        self.maintenance.append(dict(maintenance_id=maintenance_id, starts_at=at(starts_at), ends_at=at(ends_at),
                                     announced_at=at(announced_at), customer_id=customer_id, title=title))

    def incident(self, incident_id, starts_at, ends_at, cause, customer_id=None, summary="incident"):
        self.incidents.append(dict(incident_id=incident_id, starts_at=at(starts_at), ends_at=at(ends_at),
                                   cause=cause, customer_id=customer_id, summary=summary))

    def hole(self, first: str, minutes: int = 1) -> list[datetime]:
        """Claim `minutes` minutes from `first`: the baseline writes nothing there."""
        start = at(first)
        claimed = [start + timedelta(minutes=i) for i in range(minutes)]
        self.holes.update(claimed)
        return claimed

    # --- probe files -------------------------------------------------------------------------------
    def write(self, name: str, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
        path = self.data_dir / "probes" / name
        columns = columns or COLUMNS
        if name.endswith(".parquet"):
            table = pa.table({c: pa.array([r.get(c, "") for r in rows], pa.string()) for c in columns})
            pq.write_table(table, path)
            return path
        if ".csv" in name:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            data = buffer.getvalue()
        else:
            data = "".join(json.dumps({c: r.get(c, "") for c in columns}) + "\n" for r in rows)
        if name.endswith(".gz"):
            path.write_bytes(gzip.compress(data.encode()))
        else:
            path.write_text(data, encoding="utf-8")
        return path

    def _write_baseline(self) -> None:
        start, end = parse_month(self.month)
        path = self.data_dir / "probes" / "0-baseline.parquet"
        with duckdb.connect() as scratch:
            scratch.execute("SET TimeZone = 'UTC'")
            scratch.execute(
                f"""COPY (
                    SELECT strftime(m.minute + INTERVAL 5 SECOND, '%Y-%m-%dT%H:%M:%SZ') AS probed_at, c."check",
                           'eu-west' AS region, '' AS customer_id, '200' AS status_code, '' AS error_code,
                           '80' AS latency_ms
                    FROM range(CAST($start AS TIMESTAMPTZ), CAST($end AS TIMESTAMPTZ), INTERVAL 1 MINUTE) AS m(minute),
                         (VALUES ('health_live'), ('chat_completions')) AS c("check")
                    WHERE NOT list_contains(CAST($holes AS TIMESTAMPTZ[]), m.minute)
                    ORDER BY m.minute, c."check"
                ) TO '{path}' (FORMAT parquet)""",
                {"start": start, "end": end, "holes": sorted(self.holes)},
            )

    # --- warehouse ---------------------------------------------------------------------------------
    def _valid_tables(self, con) -> None:
        con.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
        con.execute("CREATE OR REPLACE TABLE intermediate.valid_customers (customer_id VARCHAR, name VARCHAR, billing_email VARCHAR)")
        con.executemany("INSERT INTO intermediate.valid_customers VALUES (?, ?, ?)",
                        [(c, n, f"billing@{c}.test") for c, n in self.customers])
        con.execute("""CREATE OR REPLACE TABLE intermediate.valid_contracts (contract_id VARCHAR, customer_id VARCHAR,
            plan VARCHAR, monthly_fee DECIMAL(22,4), currency VARCHAR, minor_unit INTEGER, starts_on DATE, ends_on DATE,
            starts_at TIMESTAMPTZ, ends_at TIMESTAMPTZ)""")
        for c in self.contracts:
            con.execute(
                "INSERT INTO intermediate.valid_contracts VALUES (?, ?, ?, CAST(? AS DECIMAL(22,4)), ?, ?, "
                "CAST(? AS DATE), CAST(? AS DATE), CAST(? AS DATE)::TIMESTAMPTZ, CAST(? AS DATE)::TIMESTAMPTZ)",
                [c["contract_id"], c["customer_id"], c["plan"], c["monthly_fee"], c["currency"],
                 minor_unit(c["currency"]), c["starts_on"], c["ends_on"], c["starts_on"], c["ends_on"]],
            )
        con.execute("""CREATE OR REPLACE TABLE intermediate.valid_maintenance (maintenance_id VARCHAR, starts_at TIMESTAMPTZ,
            ends_at TIMESTAMPTZ, announced_at TIMESTAMPTZ, customer_id VARCHAR, title VARCHAR)""")
        for w in self.maintenance:
            con.execute("INSERT INTO intermediate.valid_maintenance VALUES (?, ?, ?, ?, ?, ?)",
                        [w["maintenance_id"], w["starts_at"], w["ends_at"], w["announced_at"], w["customer_id"], w["title"]])
        con.execute("""CREATE OR REPLACE TABLE intermediate.valid_incidents (incident_id VARCHAR, starts_at TIMESTAMPTZ,
            ends_at TIMESTAMPTZ, cause VARCHAR, customer_id VARCHAR, summary VARCHAR)""")
        for i in self.incidents:
            con.execute("INSERT INTO intermediate.valid_incidents VALUES (?, ?, ?, ?, ?, ?)",
                        [i["incident_id"], i["starts_at"], i["ends_at"], i["cause"], i["customer_id"], i["summary"]])

    def run(self, scheme: Scheme | None = None, targets=None) -> dict[str, int]:
        if self.baseline:
            self._write_baseline()
        self.con = connect(self.root / "warehouse.duckdb")
        self._valid_tables(self.con)
        params = RunParams(self.month, as_of=RUN_STARTED, run_started_at=RUN_STARTED)
        return build_uptime(self.con, params, self.data_dir, scheme or Scheme(), targets or TARGETS)

    # --- reading results ---------------------------------------------------------------------------
    def rows(self, sql: str, params=None) -> list[dict]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

    def uptime(self, customer="acme", plan="enterprise") -> dict:
        (row,) = self.rows("SELECT * FROM main.uptime_monthly WHERE customer_id = ? AND plan = ? AND month = ?",
                           [customer, plan, self.month])
        return row

    def credit(self, customer="acme") -> dict:
        (row,) = self.rows("SELECT * FROM main.credits WHERE customer_id = ? AND month = ?", [customer, self.month])
        return row

    def states(self, customer="acme") -> dict[str, str]:
        return {iso(r["minute"]): r["state"] for r in self.rows(
            "SELECT minute, state FROM main.availability_minutes WHERE customer_id = ? AND month = ? ORDER BY minute",
            [customer, self.month])}

    def state(self, minute: str, customer="acme") -> str:
        return self.states(customer).get(minute, "up")

    def close(self) -> None:
        if getattr(self, "con", None) is not None:
            self.con.close()


def test_harness_builds_the_interface_tables(tmp_path):
    case = UptimeCase(tmp_path)
    case.run()
    columns = case.rows("SELECT table_name, count(*) AS n FROM information_schema.columns "
                        "WHERE table_schema = 'intermediate' AND table_name LIKE 'valid_%' GROUP BY ALL ORDER BY 1")
    assert {r["table_name"]: r["n"] for r in columns} == {
        "valid_contracts": 10, "valid_customers": 3, "valid_incidents": 6, "valid_maintenance": 6}
    assert case.uptime()["total_minutes"] == 44640
    assert case.states() == {}
    case.close()
