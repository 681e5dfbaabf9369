"""The input files of a data drop and the columns the data contract requires of each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """One CSV input file: its raw table is `raw.<name>`, its typed rows `staging.<name>`."""

    name: str
    filename: str
    columns: tuple[str, ...]
    optional_columns: tuple[str, ...] = ()
    required_file: bool = True

    @property
    def all_columns(self) -> tuple[str, ...]:
        return self.columns + self.optional_columns


CSV_SOURCES: tuple[Source, ...] = (
    Source("customers", "customers.csv", ("customer_id", "name"), ("billing_email",)),
    Source(
        "contracts",
        "contracts.csv",
        ("contract_id", "customer_id", "plan", "monthly_fee", "currency", "starts_on", "ends_on"),
    ),
    Source("tickets", "tickets.csv", ("ticket_id", "customer_id", "channel", "severity", "created_at", "subject")),
    Source("ticket_events", "ticket_events.csv", ("event_id", "ticket_id", "occurred_at", "event", "severity")),
    Source(
        "maintenance",
        "maintenance.csv",
        ("maintenance_id", "starts_at", "ends_at", "announced_at", "customer_id", "title"),
        required_file=False,
    ),
    Source(
        "incidents",
        "incidents.csv",
        ("incident_id", "starts_at", "ends_at", "cause", "customer_id", "summary"),
        required_file=False,
    ),
)

PROBES_DIR = "probes"

__all__ = ["Source", "CSV_SOURCES", "PROBES_DIR"]
