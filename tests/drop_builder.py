"""Build small data drops for tests: CSV files from rows, with the contract's headers by default."""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline.ingest.sources import CSV_SOURCES

HEADERS = {s.filename: list(s.all_columns) for s in CSV_SOURCES}
HEADERS["probes.csv"] = ["probed_at", "check", "region", "customer_id", "status_code", "error_code", "latency_ms"]

BASE_CUSTOMERS = [
    {"customer_id": "acme", "name": "Acme Corp", "billing_email": "billing@acme.test"},
    {"customer_id": "beta", "name": "Beta GmbH", "billing_email": ""},
]
BASE_CONTRACTS = [
    {"contract_id": "C-acme", "customer_id": "acme", "plan": "enterprise", "monthly_fee": "10000.00",
     "currency": "EUR", "starts_on": "2026-01-01", "ends_on": ""},
    {"contract_id": "C-beta", "customer_id": "beta", "plan": "growth", "monthly_fee": "500.00",
     "currency": "EUR", "starts_on": "2026-01-01", "ends_on": ""},
]


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = header or HEADERS[path.name]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in header})
    return path


def write_drop(
    root: Path,
    *,
    customers: list[dict[str, str]] | None = None,
    contracts: list[dict[str, str]] | None = None,
    tickets: list[dict[str, str]] | None = None,
    ticket_events: list[dict[str, str]] | None = None,
    maintenance: list[dict[str, str]] | None = None,
    incidents: list[dict[str, str]] | None = None,
    probes: list[dict[str, str]] | None = None,
) -> Path:
    """A drop with the given rows (base customers/contracts by default); optional files only if given."""
    write_csv(root / "customers.csv", BASE_CUSTOMERS if customers is None else customers)
    write_csv(root / "contracts.csv", BASE_CONTRACTS if contracts is None else contracts)
    write_csv(root / "tickets.csv", tickets or [])
    write_csv(root / "ticket_events.csv", ticket_events or [])
    if maintenance is not None:
        write_csv(root / "maintenance.csv", maintenance)
    if incidents is not None:
        write_csv(root / "incidents.csv", incidents)
    (root / "probes").mkdir(parents=True, exist_ok=True)
    write_csv(root / "probes" / "probes.csv", probes or [])
    return root


def ticket(ticket_id: str, created_at: str, customer_id: str = "acme", severity: str = "S2", **extra: str) -> dict[str, str]:
    return {"ticket_id": ticket_id, "customer_id": customer_id, "channel": "email", "severity": severity,
            "created_at": created_at, "subject": f"subject of {ticket_id}", **extra}


def event(event_id: int | str, ticket_id: str, occurred_at: str, kind: str, severity: str = "") -> dict[str, str]:
    return {"event_id": str(event_id), "ticket_id": ticket_id, "occurred_at": occurred_at, "event": kind,
            "severity": severity}
