"""The machine-readable side of a statement: `statement.json`, the breached-tickets CSV, the statement id.

`statement.json` (R21) carries the statement's figures: money as decimal strings with exactly the
currency's minor-unit digits (never a JSON float), ratios as exact decimal strings, minutes as
integers, instants as ISO 8601 UTC. The statement id is derived from that document (without the id
itself), so it changes exactly when a printed figure or an input changes — never random, never the
clock.
"""

from __future__ import annotations

from typing import Any

from pipeline.spreadsheet import csv_document
from pipeline.statements import figures
from pipeline.statements.viewmodel import StatementView, canonical_json, sha256_hex

SCHEMA = "tappass.sla-credit-statement/1"
CSV_COLUMNS = (
    "ticket_id",
    "created_at",
    "channel",
    "severity",
    "clock",
    "business_time",
    "target_seconds",
    "elapsed_seconds",
    "due_at",
    "breached_at",
    "subject",
    "segments",
)


def _ratio(value) -> str:
    return figures.decimal_string(value)


def statement_document(view: StatementView, *, with_id: bool = True) -> dict[str, Any]:
    credit, uptime = view.credit, view.uptime
    money = lambda amount: figures.money_string(amount, credit.minor_unit)  # noqa: E731
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "customer": {"customer_id": view.customer_id, "name": view.customer_name},
        "month": view.month,
        "as_of": figures.utc_iso(view.as_of),
        "input_fingerprint": {"algorithm": "sha256", "hex": view.input_fingerprint},
        "contracts": [
            {
                "contract_id": c.contract_id,
                "plan": "enterprise",
                "monthly_fee": figures.fee_string(c.monthly_fee, c.minor_unit),
                "currency": c.currency,
                "starts_on": figures.date_iso(c.starts_on),
                "ends_on": figures.date_iso(c.ends_on),
                "covered_from": figures.utc_iso(c.covered_from),
                "covered_until": figures.utc_iso(c.covered_until),
                "covered_minutes": c.covered_minutes,
            }
            for c in view.contracts
        ],
        "measured_period": [
            {"starts_at": figures.utc_iso(start), "ends_at": figures.utc_iso(end)}
            for start, end in view.measured_period
        ],
        "uptime": {
            "total_minutes": uptime.total_minutes,
            "unavailable_minutes": uptime.unavailable_minutes,
            "maintenance_minutes": uptime.maintenance_minutes,
            "customer_caused_minutes": uptime.customer_caused_minutes,
            "upstream_minutes": uptime.upstream_minutes,
            "no_data_minutes": uptime.no_data_minutes,
            "minutes_with_data": uptime.minutes_with_data,
            "coverage_percent": figures.percent_of_ratio(uptime.coverage, 3),
            "uptime": _ratio(uptime.uptime),
            "uptime_percent": figures.percent_of_ratio(uptime.uptime, 3),
            "target": _ratio(uptime.target),
            "shortfall_points": figures.floor_decimals(uptime.shortfall_points, 3),
            "shortfall_steps": credit.shortfall_steps,
        },
        "credit": {
            "currency": credit.currency,
            "minor_unit": credit.minor_unit,
            "fee_base": money(credit.fee_base),
            "credit_pct": _ratio(credit.credit_pct),
            "credit_amount": money(credit.credit_amount),
            "capped": credit.capped,
        },
        "credit_terms": None
        if view.credit_terms is None
        else {
            "mode": view.credit_terms.mode,
            "step_points": _ratio(view.credit_terms.step_points),
            "credit_per_step_pct": _ratio(view.credit_terms.credit_per_step_pct),
            "cap_pct": _ratio(view.credit_terms.cap_pct),
        },
        "unavailable_periods": [_period(p) for p in view.unavailable_periods],
        "excluded_periods": [_period(p) for p in view.excluded_periods],
        "incidents": [
            {
                "incident_id": i.incident_id,
                "cause": i.cause,
                "starts_at": figures.utc_iso(i.starts_at),
                "ends_at": figures.utc_iso(i.ends_at),
                "summary": i.summary,
                "for_all_customers": i.for_all_customers,
            }
            for i in view.incidents
        ],
        "support": [
            {
                "severity": row.severity,
                "clock": clock,
                "met": a.met,
                "breached": a.breached,
                "pending": a.pending,
                "attainment": None if a.attainment is None else figures.floor_decimals(a.attainment, 6),
            }
            for row in view.support
            for clock, a in (("response", row.response), ("resolution", row.resolution))
        ],
        "breached_tickets": [_csv_row(b) for b in view.breached_clocks],
        "downtime_by_cause": [
            {
                "cause": d.cause,
                "cause_id": d.cause_id,
                "counts_against_uptime": d.counts_against_uptime,
                "minutes": d.minutes,
                "sources": [{"check": c, "region": r, "minutes": m} for c, r, m in d.sources],
            }
            for d in view.downtime
        ],
    }
    if view.restatement is not None:
        r = view.restatement
        document["restates"] = {
            "statement_id": r.supersedes_statement_id,
            "version": r.supersedes_version,
            "produced_at": figures.utc_iso(r.superseded_produced_at),
            "changes": r.changes,
        }
    if with_id:
        document = {"statement_id": view.statement_id, **document}
    return document


def _period(period) -> dict[str, Any]:
    return {
        "state": period.state,
        "starts_at": figures.utc_iso(period.starts_at),
        "ends_at": figures.utc_iso(period.ends_at),
        "minutes": period.minutes,
        "windows": list(period.windows),
    }


def _csv_row(clock) -> dict[str, Any]:
    return {
        "ticket_id": clock.ticket_id,
        "created_at": figures.utc_iso(clock.created_at),
        "channel": clock.channel,
        "severity": clock.severity,
        "clock": clock.clock,
        "business_time": clock.business_time,
        "target_seconds": clock.target_seconds,
        "elapsed_seconds": clock.elapsed_seconds,
        "due_at": figures.utc_iso(clock.due_at),
        "breached_at": figures.utc_iso(clock.breached_at),
        "subject": clock.subject,
        "segments": clock.history,
    }


def statement_id(view: StatementView) -> str:
    """`SLA-<month>-<customer>-<16 hex>` from the statement's figures and inputs (never random or the clock)."""
    digest = sha256_hex(canonical_json(statement_document(view, with_id=False)))
    return f"SLA-{view.month}-{view.customer_id}-{digest[:16]}"


def statement_json(view: StatementView) -> str:
    """The `statement.json` attachment: pretty-printed, keys sorted, UTF-8, newline at the end."""
    import json

    return json.dumps(statement_document(view), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def breached_tickets_csv(view: StatementView) -> str:
    """The breached-tickets attachment: one row per breached clock, RFC 4180, header first."""
    rows = (_csv_row(clock) for clock in view.breached_clocks)
    return csv_document(CSV_COLUMNS, ([row[c] for c in CSV_COLUMNS] for row in rows))


__all__ = ["statement_document", "statement_json", "statement_id", "breached_tickets_csv", "SCHEMA", "CSV_COLUMNS"]
