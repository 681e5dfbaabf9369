"""A small, consistent synthetic warehouse for statement tests and the statement benchmark.

Until the real pipeline fills the marts, this writes the tables statements read — the validated
inputs (`intermediate.valid_*`) and the marts (`ticket_sla`, `support_attainment`,
`availability_minutes`, `uptime_monthly`, `credits`) — with the columns of the interface. The marts
are derived from the synthetic minutes and tickets with the R17–R19 formulas (default policy, whole
steps) so figures agree the way the real marts will. It is test data, not a second engine.

Fixed customers of the statement month (default 2025-03) cover the cases statements must handle:
`acme` (EUR, one step of credit, every exclusion kind, breached tickets), `smith-gmbh` (a name with
`<`, `&` and quotes, zero credit), `zurich` (accented name, JPY, capped), `switcher` (growth → enterprise
mid-month), `growthco` (growth only: no statement). Rows of other months and of other customers
are there to prove they never reach a statement. `extra_customers` adds generated enterprise
customers (for the benchmark).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import duckdb
import pyarrow as pa

from pipeline.months import parse_month
from pipeline.sqlrunner import run_models

TRICKY_NAME = 'Smith <&> "Quotes" O\'Brien GmbH'
ACCENTED_NAME = "Zürich Straße Ærø Łódź Ångström Société Générale AG"
MINOR_UNITS = {"EUR": 2, "USD": 2, "GBP": 2, "JPY": 0}
TARGET = Decimal("0.999")

SCHEMAS = {
    "intermediate.valid_customers": "customer_id VARCHAR, name VARCHAR, billing_email VARCHAR",
    "intermediate.valid_contracts": (
        "contract_id VARCHAR, customer_id VARCHAR, plan VARCHAR, monthly_fee DECIMAL(22,4), currency VARCHAR, "
        "minor_unit INTEGER, starts_on DATE, ends_on DATE, starts_at TIMESTAMPTZ, ends_at TIMESTAMPTZ"
    ),
    "intermediate.valid_tickets": (
        "ticket_id VARCHAR, customer_id VARCHAR, channel VARCHAR, severity VARCHAR, created_at TIMESTAMPTZ, "
        "subject VARCHAR, plan VARCHAR, contract_id VARCHAR, month VARCHAR"
    ),
    "intermediate.valid_ticket_events": (
        "event_id BIGINT, ticket_id VARCHAR, occurred_at TIMESTAMPTZ, event VARCHAR, severity VARCHAR"
    ),
    "intermediate.valid_maintenance": (
        "maintenance_id VARCHAR, starts_at TIMESTAMPTZ, ends_at TIMESTAMPTZ, announced_at TIMESTAMPTZ, "
        "customer_id VARCHAR, title VARCHAR"
    ),
    "intermediate.valid_incidents": (
        "incident_id VARCHAR, starts_at TIMESTAMPTZ, ends_at TIMESTAMPTZ, cause VARCHAR, customer_id VARCHAR, "
        "summary VARCHAR"
    ),
    "main.ticket_sla": (
        "ticket_id VARCHAR, customer_id VARCHAR, month VARCHAR, plan VARCHAR, clock VARCHAR, severity VARCHAR, "
        "business_time BOOLEAN, target_seconds BIGINT, elapsed_seconds BIGINT, started_at TIMESTAMPTZ, "
        "stopped_at TIMESTAMPTZ, due_at TIMESTAMPTZ, breached_at TIMESTAMPTZ, status VARCHAR"
    ),
    "main.availability_minutes": (
        "customer_id VARCHAR, month VARCHAR, plan VARCHAR, minute TIMESTAMPTZ, state VARCHAR, window_id VARCHAR"
    ),
    "main.uptime_monthly": (
        "customer_id VARCHAR, month VARCHAR, plan VARCHAR, total_minutes BIGINT, unavailable_minutes BIGINT, "
        "maintenance_minutes BIGINT, customer_caused_minutes BIGINT, upstream_minutes BIGINT, "
        "no_data_minutes BIGINT, uptime DECIMAL(10,8), target DECIMAL(6,5)"
    ),
    "main.credits": (
        "customer_id VARCHAR, month VARCHAR, currency VARCHAR, fee_base DECIMAL(22,4), shortfall_steps INTEGER, "
        "credit_pct DECIMAL(9,4), credit_amount DECIMAL(22,4), capped BOOLEAN"
    ),
}
SUPPORT_ATTAINMENT_SQL = """
CREATE OR REPLACE TABLE main.support_attainment AS
SELECT customer_id, month, plan, severity, clock,
       count(*) FILTER (WHERE status = 'met') AS met,
       count(*) FILTER (WHERE status = 'breached') AS breached,
       count(*) FILTER (WHERE status = 'pending') AS pending,
       CASE WHEN count(*) FILTER (WHERE status IN ('met', 'breached')) = 0 THEN NULL
            ELSE CAST(count(*) FILTER (WHERE status = 'met') / count(*) FILTER (WHERE status IN ('met', 'breached'))
                      AS DECIMAL(9, 6)) END AS attainment
FROM main.ticket_sla
WHERE status <> 'no_target'
GROUP BY ALL
"""


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _half_up(value: Fraction, minor_unit: int) -> Decimal:
    scaled = value * 10**minor_unit
    units = math.floor(scaled + Fraction(1, 2))
    return (Decimal(units) / Decimal(10**minor_unit)).quantize(Decimal(1).scaleb(-minor_unit), ROUND_HALF_UP)


@dataclass
class Warehouse:
    """Rows per table; `write` creates the tables in a connection and derives the marts."""

    month: str
    rows: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in SCHEMAS})
    minutes: dict[tuple[str, str], dict[datetime, tuple[str, str | None]]] = field(default_factory=dict)
    _event_id: int = 0

    @property
    def month_start(self) -> datetime:
        return parse_month(self.month)[0]

    @property
    def month_end(self) -> datetime:
        return parse_month(self.month)[1]

    def customer(self, customer_id: str, name: str, email: str | None = None) -> None:
        self.rows["intermediate.valid_customers"].append((customer_id, name, email))

    def contract(self, contract_id, customer_id, plan, fee, currency, starts_on: date, ends_on: date | None) -> None:
        starts_at = datetime(starts_on.year, starts_on.month, starts_on.day, tzinfo=UTC)
        ends_at = None if ends_on is None else datetime(ends_on.year, ends_on.month, ends_on.day, tzinfo=UTC)
        self.rows["intermediate.valid_contracts"].append(
            (
                contract_id,
                customer_id,
                plan,
                Decimal(fee),
                currency,
                MINOR_UNITS[currency],
                starts_on,
                ends_on,
                starts_at,
                ends_at,
            )
        )

    def mark(self, customer_id: str, start: datetime, minutes: int, state: str, window_id: str | None = None) -> None:
        month = start.strftime("%Y-%m")
        bucket = self.minutes.setdefault((customer_id, month), {})
        for i in range(minutes):
            bucket[start + timedelta(minutes=i)] = (state, window_id)

    def ticket(
        self,
        ticket_id,
        customer_id,
        severity,
        created_at: datetime,
        subject,
        plan="enterprise",
        contract_id=None,
        clocks=(("response", "met"), ("resolution", "met")),
        channel="email",
    ) -> None:
        month = created_at.strftime("%Y-%m")
        self.rows["intermediate.valid_tickets"].append(
            (ticket_id, customer_id, channel, severity, created_at, subject, plan, contract_id, month)
        )
        self._event_id += 1
        self.rows["intermediate.valid_ticket_events"].append(
            (self._event_id, ticket_id, created_at + timedelta(minutes=30), "agent_reply", None)
        )
        for clock, status in clocks:
            target = {
                "response": 3600 if severity == "S1" else 4 * 3600,
                "resolution": 4 * 3600 if severity == "S1" else 8 * 3600,
            }[clock]
            if severity == "S4" and clock == "resolution":
                target, status = None, "no_target"
            elapsed = None if target is None else (target + 1800 if status == "breached" else target // 2)
            stopped = None if status == "pending" else created_at + timedelta(seconds=elapsed or 3600)
            breached_at = created_at + timedelta(seconds=target) if status == "breached" else None
            due_at = created_at + timedelta(seconds=target) if status == "pending" and target else None
            self.rows["main.ticket_sla"].append(
                (
                    ticket_id,
                    customer_id,
                    month,
                    plan,
                    clock,
                    severity,
                    severity != "S1",
                    target,
                    elapsed,
                    created_at,
                    stopped,
                    due_at,
                    breached_at,
                    status,
                )
            )

    def maintenance(self, maintenance_id, starts_at, ends_at, announced_at, customer_id, title) -> None:
        self.rows["intermediate.valid_maintenance"].append(
            (maintenance_id, starts_at, ends_at, announced_at, customer_id, title)
        )

    def incident(self, incident_id, starts_at, ends_at, cause, customer_id, summary) -> None:
        self.rows["intermediate.valid_incidents"].append((incident_id, starts_at, ends_at, cause, customer_id, summary))

    # --- marts, derived with the R17–R19 formulas ---

    def _coverage(self, customer_id: str, plan: str) -> list[tuple[datetime, datetime, tuple]]:
        out = []
        for row in self.rows["intermediate.valid_contracts"]:
            if row[1] != customer_id or row[2] != plan:
                continue
            start = max(row[8], self.month_start)
            end = min(row[9] or self.month_end, self.month_end)
            if start < end:
                out.append((start, end, row))
        return out

    def _plan_at(self, customer_id: str, minute: datetime) -> str | None:
        for row in self.rows["intermediate.valid_contracts"]:
            if row[1] == customer_id and row[8] <= minute and (row[9] is None or minute < row[9]):
                return row[2]
        return None

    def derive_marts(self) -> None:
        month_minutes = int((self.month_end - self.month_start).total_seconds()) // 60
        for (customer_id, month), bucket in sorted(self.minutes.items()):
            for minute, (state, window_id) in sorted(bucket.items()):
                plan = self._plan_at(customer_id, minute)
                self.rows["main.availability_minutes"].append((customer_id, month, plan, minute, state, window_id))
        customers = sorted({r[0] for r in self.rows["intermediate.valid_customers"]})
        for customer_id in customers:
            for plan in ("enterprise", "growth"):
                coverage = self._coverage(customer_id, plan)
                if not coverage:
                    continue
                total = sum(int((e - s).total_seconds()) // 60 for s, e, _ in coverage)
                counts = dict.fromkeys(("unavailable", "maintenance", "customer_caused", "upstream", "no_data"), 0)
                for minute, (state, _) in self.minutes.get((customer_id, self.month), {}).items():
                    if any(s <= minute < e for s, e, _ in coverage):
                        counts[state] += 1
                unavailable = counts["unavailable"]
                uptime = Decimal(math.floor(Fraction(total - unavailable, total) * 10**8)) / Decimal(10**8)
                self.rows["main.uptime_monthly"].append(
                    (
                        customer_id,
                        self.month,
                        plan,
                        total,
                        unavailable,
                        counts["maintenance"],
                        counts["customer_caused"],
                        counts["upstream"],
                        counts["no_data"],
                        uptime,
                        TARGET if plan == "enterprise" else None,
                    )
                )
                if plan != "enterprise":
                    continue
                steps = max(0, (1000 * unavailable - total) // total)
                raw_pct = steps * 5
                credit_pct = min(25, raw_pct)
                currency = coverage[0][2][4]
                minor = MINOR_UNITS[currency]
                fee_base = sum(
                    _half_up(Fraction(row[3]) * Fraction(int((e - s).total_seconds()) // 60, month_minutes), minor)
                    for s, e, row in coverage
                )
                credit = _half_up(Fraction(credit_pct, 100) * Fraction(fee_base), minor)
                self.rows["main.credits"].append(
                    (customer_id, self.month, currency, fee_base, steps, Decimal(credit_pct), credit, raw_pct > 25)
                )

    def write(self, con: duckdb.DuckDBPyConnection) -> None:
        self.derive_marts()
        con.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
        for table, columns in SCHEMAS.items():
            con.execute(f"CREATE OR REPLACE TABLE {table} ({columns})")
            rows = self.rows[table]
            if not rows:
                continue
            names = [c.strip().split(" ")[0] for c in columns.split(", ")]
            arrow = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})  # noqa: F841
            con.execute(f"INSERT INTO {table} SELECT * FROM arrow")
        con.execute(SUPPORT_ATTAINMENT_SQL)
        # The measured periods come from the uptime engine's own model, as in a real run.
        month_start, month_end = parse_month(self.month)
        run_models(con, ["intermediate/uptime_measured_periods"], {"month_start": month_start, "month_end": month_end})


def sample_warehouse(month: str = "2025-03", *, extra_customers: int = 0, seed: int = 7) -> Warehouse:
    """The fixed customers described in the module docstring, plus `extra_customers` generated ones."""
    w = Warehouse(month)
    start, end = parse_month(month)
    first = start.date()
    prev = (start - timedelta(days=1)).replace(day=1)

    def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
        return start + timedelta(days=day - 1, hours=hour, minutes=minute)

    # acme: EUR, 90 unavailable minutes in three runs → 1 step (5 %), every exclusion kind.
    w.customer("acme", "Acme Analytics NV", "billing@acme.example")
    w.contract("C-ACME-1", "acme", "enterprise", "1000.00", "EUR", date(2024, 1, 1), None)
    w.mark("acme", at(3, 10, 0), 45, "unavailable")
    w.mark("acme", at(3, 10, 50), 15, "unavailable")
    w.mark("acme", at(17, 22, 30), 30, "unavailable")
    w.mark("acme", at(9, 2, 0), 120, "maintenance", "MW-1")
    w.mark("acme", at(12, 14, 0), 15, "customer_caused", "INC-7")
    w.mark("acme", at(20, 8, 0), 30, "upstream")
    w.mark("acme", at(25, 4, 0), 20, "no_data")
    w.mark("acme", prev + timedelta(days=20), 300, "unavailable")  # another month: never on the statement
    w.maintenance("MW-1", at(9, 2, 0), at(9, 4, 0), at(1, 9, 0), None, "Database upgrade <v16> & failover drill")
    w.incident("INC-7", at(12, 14, 0), at(12, 14, 15), "customer_caused", "acme", "Rotated API key not deployed")
    w.incident("INC-8", at(20, 8, 0), at(20, 8, 30), "upstream", None, "Upstream LLM provider outage (502 passthrough)")
    w.incident("INC-OLD", prev + timedelta(days=3), prev + timedelta(days=3, hours=1), "platform", None, "Old month")
    w.ticket(
        "T-100",
        "acme",
        "S1",
        at(3, 10, 5),
        "Gateway returns 503 for all requests",
        clocks=(("response", "breached"), ("resolution", "breached")),
    )
    w.ticket(
        "T-101",
        "acme",
        "S2",
        at(5, 11, 0),
        '=HYPERLINK("http://evil") export broken',
        clocks=(("response", "met"), ("resolution", "breached")),
    )
    w.ticket(
        "T-102",
        "acme",
        "S3",
        at(10, 9, 30),
        "Question about rate limits",
        clocks=(("response", "met"), ("resolution", "met")),
    )
    w.ticket(
        "T-103",
        "acme",
        "S4",
        at(28, 15, 0),
        "Feature request: SSO groups",
        clocks=(("response", "pending"), ("resolution", "no_target")),
    )
    w.ticket(
        "T-090",
        "acme",
        "S1",
        prev + timedelta(days=5),
        "Old month ticket",
        clocks=(("response", "breached"), ("resolution", "breached")),
    )

    # smith-gmbh: a name that must be escaped; perfect month, zero credit.
    w.customer("smith-gmbh", TRICKY_NAME, "ap@smith.example")
    w.contract("C-SMITH-1", "smith-gmbh", "enterprise", "2500.00", "USD", date(2024, 6, 1), None)
    w.mark("smith-gmbh", at(7, 12, 0), 10, "unavailable")
    w.ticket(
        "T-200",
        "smith-gmbh",
        "S2",
        at(4, 9, 0),
        'Subject with <b>tags</b> & "quotes"',
        clocks=(("response", "met"), ("resolution", "met")),
    )

    # zurich: accented name, JPY (no minor digits), heavy outage → capped at 25 %.
    w.customer("zurich", ACCENTED_NAME, None)
    w.contract("C-ZH-1", "zurich", "enterprise", "312500", "JPY", date(2024, 1, 1), None)
    w.mark("zurich", at(14, 6, 0), 420, "unavailable")
    w.mark("zurich", at(22, 18, 0), 180, "unavailable")
    w.mark("zurich", at(23, 1, 0), 5, "no_data")

    # switcher: growth until the 15th, enterprise from then on (statement shows the enterprise part).
    w.customer("switcher", "Switcher Labs BV", "finance@switcher.example")
    w.contract("C-SW-G", "switcher", "growth", "400.00", "EUR", date(2024, 9, 1), first.replace(day=15))
    w.contract("C-SW-E", "switcher", "enterprise", "2000.00", "EUR", first.replace(day=15), None)
    w.mark("switcher", at(4, 3, 0), 240, "unavailable")  # growth part: not on the statement
    w.mark("switcher", at(18, 3, 0), 35, "unavailable")
    w.ticket(
        "T-300",
        "switcher",
        "S1",
        at(5, 3, 0),
        "Growth-period ticket",
        plan="growth",
        clocks=(("response", "breached"), ("resolution", "no_target")),
    )
    w.ticket(
        "T-301",
        "switcher",
        "S2",
        at(19, 10, 0),
        "Enterprise-period ticket",
        clocks=(("response", "breached"), ("resolution", "pending")),
    )

    # growthco: growth only → no statement.
    w.customer("growthco", "Growth Co", None)
    w.contract("C-GR-1", "growthco", "growth", "300.00", "EUR", date(2024, 1, 1), None)
    w.mark("growthco", at(2, 2, 0), 100, "unavailable")

    rng = random.Random(seed)
    currencies = ("EUR", "USD", "GBP", "JPY")
    for n in range(extra_customers):
        cid = f"cust-{n:05d}"
        currency = currencies[n % 4]
        fee = str(rng.randrange(500, 20000)) + ("" if currency == "JPY" else ".00")
        if currency == "JPY":
            fee = str(int(fee) * 150)
        w.customer(cid, f"Generated Customer {n:05d} Ltd", None)
        w.contract(f"C-{cid}", cid, "enterprise", fee, currency, date(2024, 1, 1), None)
        for _ in range(rng.randrange(0, 4)):
            w.mark(
                cid,
                at(rng.randrange(1, 28), rng.randrange(0, 23), rng.randrange(0, 59)),
                rng.randrange(1, 60),
                rng.choice(("unavailable", "unavailable", "maintenance", "no_data", "upstream")),
            )
        for t in range(rng.randrange(0, 4)):
            status = rng.choice(("met", "met", "breached"))
            w.ticket(
                f"T-{cid}-{t}",
                cid,
                rng.choice(("S1", "S2", "S3")),
                at(rng.randrange(1, 28), 10),
                f"Generated ticket {t}",
                clocks=(("response", status), ("resolution", "met")),
            )
    return w


def build(con: duckdb.DuckDBPyConnection, month: str = "2025-03", *, extra_customers: int = 0) -> Warehouse:
    warehouse = sample_warehouse(month, extra_customers=extra_customers)
    warehouse.write(con)
    return warehouse


__all__ = ["Warehouse", "sample_warehouse", "build", "TRICKY_NAME", "ACCENTED_NAME"]
