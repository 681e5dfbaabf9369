"""Shared harness for the support SLA tests (no tests here): a real DuckDB file in tmp_path holding
`intermediate.valid_tickets` / `valid_ticket_events` exactly as ingestion hands them over, and a way
to run the support engine on it and read `ticket_sla` back by value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from pipeline.months import RunParams, month_of
from pipeline.policy import PolicyVersion, load_policy
from pipeline.settings import DEFAULT_POLICY_FILE
from pipeline.sqlrunner import load_model, run_model
from pipeline.support import build_support, default_as_of
from pipeline.warehouse import connect

BRUSSELS = ZoneInfo("Europe/Brussels")
H = 3600
RUN_STARTED = datetime(2026, 11, 1, tzinfo=UTC)


def bxl(text: str) -> datetime:
    """A Europe/Brussels wall-clock time, 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=BRUSSELS)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def create_valid_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
    con.execute(
        "CREATE TABLE intermediate.valid_tickets (ticket_id VARCHAR, customer_id VARCHAR, channel VARCHAR,"
        " severity VARCHAR, created_at TIMESTAMPTZ, subject VARCHAR, plan VARCHAR, contract_id VARCHAR,"
        " month VARCHAR)"
    )
    con.execute(
        "CREATE TABLE intermediate.valid_ticket_events (event_id BIGINT, ticket_id VARCHAR,"
        " occurred_at TIMESTAMPTZ, event VARCHAR, severity VARCHAR)"
    )


@dataclass
class Desk:
    """A warehouse with valid tickets and events; `run()` builds the support marts."""

    con: duckdb.DuckDBPyConnection
    next_event_id: int = 1
    last_counts: dict = field(default_factory=dict)

    @classmethod
    def open(cls, tmp_path: Path) -> Desk:
        con = connect(tmp_path / "warehouse.duckdb")
        create_valid_tables(con)
        return cls(con)

    def ticket(
        self,
        ticket_id: str,
        created_at: datetime,
        severity: str = "S3",
        *events: tuple,
        plan: str = "enterprise",
        customer_id: str = "acme",
    ) -> None:
        """Add a ticket and its events, each `(occurred_at, event)` or `(occurred_at, event, severity)`;
        event ids increase in the given order unless an event carries `event_id=` as a 4th item."""
        self.con.execute(
            "INSERT INTO intermediate.valid_tickets VALUES (?, ?, 'email', ?, ?, 'subject', ?, ?, ?)",
            [ticket_id, customer_id, severity, created_at, plan, f"k-{customer_id}-{plan}", month_of(created_at)],
        )
        for event in events:
            at, name, *rest = event
            new_severity = rest[0] if rest else None
            event_id = rest[1] if len(rest) > 1 else self.next_event_id
            self.next_event_id = max(self.next_event_id, event_id) + 1
            self.con.execute(
                "INSERT INTO intermediate.valid_ticket_events VALUES (?, ?, ?, ?, ?)",
                [event_id, ticket_id, at, name, new_severity],
            )

    def run(self, month: str, as_of: datetime | None = None, version: PolicyVersion | None = None) -> dict:
        as_of = as_of or default_as_of(self.con)
        version = version or load_policy(DEFAULT_POLICY_FILE).version_for(month)
        self.last_counts = build_support(self.con, RunParams(month, as_of, RUN_STARTED), version)
        return self.last_counts

    def sla(self, ticket_id: str, clock: str) -> dict:
        cur = self.con.execute("SELECT * FROM main.ticket_sla WHERE ticket_id = ? AND clock = ?", [ticket_id, clock])
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        assert len(rows) == 1, f"expected one ticket_sla row for {ticket_id}/{clock}, got {len(rows)}"
        return dict(zip(names, rows[0]))

    def attainment(self, month: str) -> list[dict]:
        cur = self.con.execute(
            "SELECT * FROM main.support_attainment WHERE month = ? ORDER BY customer_id, plan, severity, clock", [month]
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def brief(row: dict) -> tuple:
    """(status, severity, elapsed_seconds, target_seconds) — the headline of a ticket_sla row."""
    return row["status"], row["severity"], row["elapsed_seconds"], row["target_seconds"]


# --- business time through the production SQL models ------------------------------------------------
# `run_model` (not `run_models`): these two models use no shared macros, and the property test calls
# them hundreds of times.


def measure_spans(con: duckdb.DuckDBPyConnection, spans: list[tuple]) -> list[int]:
    """Business (or, with schedule None, real) microseconds of each `(schedule, start, end)`, computed by
    the `intermediate/business_spans` model over a calendar already written to `con`."""
    ts = pa.timestamp("us", tz="UTC")
    table = pa.table(
        {
            "span_id": pa.array(range(1, len(spans) + 1), pa.int64()),
            "schedule": pa.array([s[0] for s in spans], pa.string()),
            "start_at": pa.array([s[1] for s in spans], ts),
            "end_at": pa.array([s[2] for s in spans], ts),
        }
    )
    # One transaction, rolled back: the inputs are scratch, and nothing is flushed to disk per call.
    con.begin()
    try:
        con.register("_spans_in", table)
        con.execute("CREATE OR REPLACE TABLE intermediate.ticket_segment_spans AS SELECT * FROM _spans_in")
        con.unregister("_spans_in")
        run_model(con, load_model("intermediate/business_spans"), {})
        rows = con.execute("SELECT span_id, length_us FROM intermediate.business_spans ORDER BY span_id").fetchall()
    finally:
        con.rollback()
    assert [r[0] for r in rows] == list(range(1, len(spans) + 1))
    return [r[1] for r in rows]


def find_deadlines(con: duckdb.DuckDBPyConnection, requests: list[tuple]) -> list[datetime]:
    """For each `(schedule, from_at, remaining_us, exceed)`, the instant computed by the
    `intermediate/business_deadlines` model."""
    ts = pa.timestamp("us", tz="UTC")
    table = pa.table(
        {
            "request_id": pa.array(range(1, len(requests) + 1), pa.int64()),
            "deadline_schedule": pa.array([r[0] for r in requests], pa.string()),
            "from_at": pa.array([r[1] for r in requests], ts),
            "remaining_us": pa.array([r[2] for r in requests], pa.int64()),
            "exceed": pa.array([r[3] for r in requests], pa.bool_()),
        }
    )
    con.begin()
    try:
        con.register("_requests_in", table)
        con.execute("CREATE OR REPLACE TABLE intermediate.ticket_deadline_requests AS SELECT * FROM _requests_in")
        con.unregister("_requests_in")
        run_model(con, load_model("intermediate/business_deadlines"), {})
        rows = con.execute(
            "SELECT request_id, due_at FROM intermediate.business_deadlines ORDER BY request_id"
        ).fetchall()
    finally:
        con.rollback()
    assert [r[0] for r in rows] == list(range(1, len(requests) + 1))
    return [r[1] for r in rows]
