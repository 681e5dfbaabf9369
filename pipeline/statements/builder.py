"""Build the statement view-models of a month from the marts (R21).

One `StatementView` per enterprise customer-month (one per row of `credits`). The month is read in a
handful of bulk queries (`sql/*.sql`) whose rows are grouped by customer, so 1,000 statements cost the
same few queries as one. Which contracts, periods, reasons and tickets a statement shows is decided
here; the template only formats.

A statement holds one customer's data only: every row is grouped by `customer_id`; maintenance
windows and incidents for everyone (customer_id NULL) are the only rows shared between customers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

import duckdb

from pipeline.months import parse_month
from pipeline.policy import SEVERITIES
from pipeline.statements.document import statement_id
from pipeline.statements.queries import fetch_rows
from pipeline.statements.viewmodel import (
    Attainment,
    BreachedClock,
    Contract,
    Credit,
    CreditTerms,
    Day,
    DowntimeCause,
    HistoryMonth,
    Incident,
    Period,
    SeveritySegment,
    StatementError,
    StatementView,
    SupportRow,
    Uptime,
    canonical_json,
    sha256_hex,
    validate_customer_id,
)

# --- input fingerprints ---

FINGERPRINT_SOURCES = ("customers", "contracts", "tickets", "ticket_events", "availability_minutes", "windows")


def input_fingerprints(
    con: duckdb.DuckDBPyConnection, params: Mapping[str, Any], customer_ids: Iterable[str]
) -> dict[str, str]:
    """sha256 of the canonical JSON of the input rows each customer's statement used.

    Per customer: its customer row, its contracts touching the month, its enterprise tickets of the
    month and their events up to as-of, its classified minutes of the month, and the maintenance
    windows / incidents that apply to it (its own and those for everyone). Rows of other months or
    customers never enter it.
    """
    wanted = set(customer_ids)
    rows: dict[str, dict[str, list[str]]] = {c: {s: [] for s in FINGERPRINT_SOURCES} for c in wanted}
    shared: dict[str, list[str]] = {s: [] for s in FINGERPRINT_SOURCES}
    for source in FINGERPRINT_SOURCES:
        for row in fetch_rows(con, f"fingerprint/{source}", params):
            owner = row["customer_id"]
            if owner is None:
                shared[source].append(canonical_json(row))
            elif owner in wanted:
                rows[owner][source].append(canonical_json(row))
    result = {}
    for customer_id, sources in rows.items():
        document = {s: sorted(sources[s] + shared[s]) for s in FINGERPRINT_SOURCES}
        result[customer_id] = sha256_hex(canonical_json({"month": params["month"], "inputs": document}))
    return result


# --- the builder ---


def _group(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["customer_id"]].append(row)
    return grouped


def _overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def _days(
    month_start: datetime, month_end: datetime, contracts: tuple[Contract, ...], rows: list[dict]
) -> tuple[Day, ...]:
    by_day: dict[date, dict[str, int]] = defaultdict(dict)
    for row in rows:
        by_day[row["day"]][row["state"]] = int(row["minutes"])
    days = []
    day_start = month_start
    while day_start < month_end:
        day_end = day_start + timedelta(days=1)
        covered = sum(
            max(0, int((min(day_end, c.covered_until) - max(day_start, c.covered_from)).total_seconds()) // 60)
            for c in contracts
        )
        states = by_day.get(day_start.date(), {})
        days.append(Day(day_start.date(), covered, {s: states[s] for s in sorted(states)}))
        day_start = day_end
    return tuple(days)


def _explaining_windows(period: Period, window_ids: list[str] | None, windows: list[dict[str, Any]]) -> tuple[str, ...]:
    """'<id>: <title or summary>' of the windows that excused a period: the ones the uptime engine named
    on its minutes, else the customer's qualifying windows overlapping it (months built before
    `availability_minutes` had `window_id` name none)."""
    by_id = {w["window_id"]: w for w in windows}
    if window_ids:
        return tuple(f"{i}: {by_id[i]['description']}" if i in by_id else i for i in window_ids)
    if period.state not in ("maintenance", "customer_caused"):
        return ()

    def wanted(w: dict[str, Any]) -> bool:
        if period.state == "maintenance":
            return w["kind"] == "maintenance" and bool(w["qualifies"])
        return w["kind"] == "incident" and w["cause"] == "customer_caused" and not w["for_all_customers"]

    return tuple(
        f"{w['window_id']}: {w['description']}"
        for w in windows
        if wanted(w) and _overlaps(w["starts_at"], w["ends_at"], period.starts_at, period.ends_at)
    )


def _attainment(
    rows: Mapping[tuple[str, str], dict[str, Any]], customer_id: str, month: str, severity: str, clock: str
) -> Attainment:
    """R12 counts of one severity × clock; the mart's ratio must agree with the counts."""
    r = rows.get((severity, clock))
    if r is None:
        return Attainment()
    counts = Attainment(int(r["met"]), int(r["breached"]), int(r["pending"]))
    stored, exact = r["attainment"], counts.attainment
    if (stored is None) != (exact is None) or (
        exact is not None and abs(Fraction(str(stored)) - exact) > Fraction(1, 10**6)
    ):
        raise StatementError(
            f"customer {customer_id} in {month}: support_attainment {severity}/{clock} says {stored} "
            f"but its counts give {exact} (R12)"
        )
    return counts


def _ratio(part: int | None, whole: int | None) -> Fraction | None:
    return None if not whole else Fraction(int(part), int(whole))


def _require(head: dict[str, Any], columns: Iterable[str], what: str, month: str) -> None:
    missing = [c for c in columns if head[c] is None]
    if missing:
        raise StatementError(
            f"customer {head['customer_id']} in {month}: {what} missing ({', '.join(missing)}); "
            "cannot write its statement"
        )


def build_views(
    con: duckdb.DuckDBPyConnection,
    month: str,
    as_of: datetime,
    *,
    input_fingerprints_by_customer: Mapping[str, str] | None = None,
    customer_ids: Iterable[str] | None = None,
    credit_terms: CreditTerms | None = None,
) -> list[StatementView]:
    """The view-models of every enterprise customer-month of `month` (or of `customer_ids` only).

    `credit_terms` (the policy's credit scheme) is printed so the reader sees how steps become a
    credit; without it the statement shows the steps and the credit only."""
    month_start, month_end = parse_month(month)
    as_of = as_of.astimezone(UTC)
    params = {"month": month, "month_start": month_start, "month_end": month_end, "as_of": as_of}

    heads = fetch_rows(con, "heads", params)
    if customer_ids is not None:
        keep = set(customer_ids)
        heads = [h for h in heads if h["customer_id"] in keep]
    for head in heads:
        validate_customer_id(head["customer_id"])
        _require(head, ("name",), "customer row", month)
        _require(head, ("total_minutes", "unavailable_minutes", "uptime", "target"), "enterprise uptime row", month)
        _require(head, ("minor_unit",), f"minor unit of currency {head['currency']}", month)
    ids = [h["customer_id"] for h in heads]
    if not ids:
        return []

    contracts_by = _group(fetch_rows(con, "contracts", params))
    daily_by = _group(fetch_rows(con, "minutes_daily", params))
    periods_by = _group(fetch_rows(con, "periods", params))
    support_by = _group(fetch_rows(con, "support", params))
    breached_by = _group(fetch_rows(con, "breached_tickets", params))
    windows_by = _group(fetch_rows(con, "windows", params))
    downtime_by = _group(fetch_rows(con, "downtime", params))
    history_by = _group(fetch_rows(con, "history", params))

    fingerprints = dict(input_fingerprints_by_customer or {})
    missing_fp = [c for c in ids if c not in fingerprints]
    if missing_fp:
        fingerprints.update(input_fingerprints(con, params, missing_fp))

    views = []
    for head in heads:
        customer_id = head["customer_id"]
        contracts = tuple(
            Contract(
                contract_id=r["contract_id"],
                monthly_fee=r["monthly_fee"],
                currency=r["currency"],
                minor_unit=int(r["minor_unit"]),
                starts_on=r["starts_on"],
                ends_on=r["ends_on"],
                covered_from=r["covered_from"],
                covered_until=r["covered_until"],
                covered_minutes=int(r["covered_minutes"]),
            )
            for r in contracts_by.get(customer_id, [])
        )
        if not contracts:
            raise StatementError(f"customer {customer_id} in {month}: credits row but no enterprise contract")
        measured = sum(c.covered_minutes for c in contracts)
        if measured != head["total_minutes"]:
            raise StatementError(
                f"customer {customer_id} in {month}: enterprise contracts cover {measured} minutes "
                f"but uptime_monthly has T = {head['total_minutes']}"
            )

        own_windows = windows_by.get(customer_id, [])
        unavailable, excluded = [], []
        for r in periods_by.get(customer_id, []):
            period = Period(r["state"], r["starts_at"], r["ends_at"], int(r["minutes"]))
            if period.state == "unavailable":
                unavailable.append(period)
                continue
            explaining = _explaining_windows(period, r["window_ids"], own_windows)
            excluded.append(Period(period.state, period.starts_at, period.ends_at, period.minutes, explaining))

        incidents = tuple(
            Incident(
                incident_id=w["window_id"],
                cause=w["cause"],
                starts_at=w["starts_at"],
                ends_at=w["ends_at"],
                summary=w["description"] or "",
                for_all_customers=bool(w["for_all_customers"]),
            )
            for w in own_windows
            if w["kind"] == "incident"
            and any(_overlaps(w["starts_at"], w["ends_at"], c.covered_from, c.covered_until) for c in contracts)
        )

        support_rows = {(r["severity"], r["clock"]): r for r in support_by.get(customer_id, [])}

        support = tuple(
            SupportRow(
                severity,
                _attainment(support_rows, customer_id, month, severity, "response"),
                _attainment(support_rows, customer_id, month, severity, "resolution"),
            )
            for severity in SEVERITIES
        )

        for r in breached_by.get(customer_id, []):
            if r["severity"] is None:
                raise StatementError(
                    f"customer {customer_id} in {month}: breached {r['clock']} clock of ticket {r['ticket_id']} "
                    "has no breaching segment in ticket_sla_segments"
                )
        breached = tuple(
            BreachedClock(
                ticket_id=r["ticket_id"],
                created_at=r["created_at"],
                channel=r["channel"],
                subject=r["subject"],
                clock=r["clock"],
                severity=r["severity"],
                business_time=bool(r["business_time"]),
                target_seconds=None if r["target_seconds"] is None else int(r["target_seconds"]),
                elapsed_seconds=None if r["elapsed_seconds"] is None else int(r["elapsed_seconds"]),
                due_at=r["due_at"],
                breached_at=r["breached_at"],
                segments=tuple(
                    SeveritySegment(g["severity"], g["segment_start"], g["segment_end"]) for g in r["segments"] or ()
                ),
            )
            for r in breached_by.get(customer_id, [])
        )

        view = StatementView(
            customer_id=customer_id,
            customer_name=head["name"],
            billing_email=head["billing_email"],
            month=month,
            month_start=month_start,
            month_end=month_end,
            as_of=as_of,
            contracts=contracts,
            uptime=Uptime(
                total_minutes=int(head["total_minutes"]),
                unavailable_minutes=int(head["unavailable_minutes"]),
                maintenance_minutes=int(head["maintenance_minutes"] or 0),
                customer_caused_minutes=int(head["customer_caused_minutes"] or 0),
                upstream_minutes=int(head["upstream_minutes"] or 0),
                no_data_minutes=int(head["no_data_minutes"] or 0),
                uptime=head["uptime"],
                target=head["target"],
                shortfall=Fraction(int(head["shortfall_numerator"]), int(head["shortfall_denominator"])),
            ),
            credit=Credit(
                currency=head["currency"],
                minor_unit=int(head["minor_unit"]),
                fee_base=head["fee_base"],
                shortfall_steps=int(head["shortfall_steps"]),
                credit_pct=head["credit_pct"],
                credit_amount=head["credit_amount"],
                capped=bool(head["capped"]),
            ),
            days=_days(month_start, month_end, contracts, daily_by.get(customer_id, [])),
            unavailable_periods=tuple(unavailable),
            excluded_periods=tuple(excluded),
            incidents=incidents,
            support=support,
            breached_clocks=breached,
            input_fingerprint=fingerprints[customer_id],
            credit_terms=credit_terms,
            downtime=tuple(
                DowntimeCause(
                    cause=r["cause"],
                    cause_id=r["cause_id"],
                    counts_against_uptime=bool(r["counts_against_uptime"]),
                    minutes=int(r["minutes"]),
                    sources=tuple((x["check"], x["region"], int(x["minutes"])) for x in r["sources"]),
                )
                for r in downtime_by.get(customer_id, [])
            ),
        )
        view = replace(
            view,
            history=tuple(
                HistoryMonth(
                    month=r["month"],
                    state=r["state"],
                    uptime=r["uptime"],
                    target=r["target"],
                    credit_amount=r["credit_amount"],
                    currency=r["currency"],
                    minor_unit=None if r["minor_unit"] is None else int(r["minor_unit"]),
                    response_attainment=_ratio(r["response_met"], r["response_decided"]),
                    resolution_attainment=_ratio(r["resolution_met"], r["resolution_decided"]),
                )
                for r in history_by.get(customer_id, [])
            ),
        )
        counted = sum(d.minutes for d in view.downtime if d.counts_against_uptime)
        if counted != view.uptime.unavailable_minutes:
            raise StatementError(
                f"customer {customer_id} in {month}: downtime_attribution counts {counted} minutes against "
                f"uptime but uptime_monthly has U = {view.uptime.unavailable_minutes}"
            )
        views.append(replace(view, statement_id=statement_id(view)))
    return views


__all__ = ["build_views", "input_fingerprints", "FINGERPRINT_SOURCES"]
