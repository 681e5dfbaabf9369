"""The statement view-model (R21): typed values for every figure a credit statement shows.

`builder.py` fills these from the marts; the template only formats them. Derived figures that
follow from the rules (coverage, shortfall in points, measured period) are properties here, computed
exactly from integers, so neither the template nor the JSON attachment re-derives anything.
`canonical_json` is the one serialisation behind input fingerprints, statement ids and
`statement.json`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pipeline.policy import CREDIT_MODES
from pipeline.statements import figures

CUSTOMER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
STATE_LABELS = {
    "unavailable": "Unavailable",
    "maintenance": "Scheduled maintenance",
    "customer_caused": "Customer-caused",
    "upstream": "Upstream LLM outage",
    "no_data": "No probe data",
}
# Why each excluded state does not lower uptime (R16/R17), printed next to the period.
STATE_REASONS = {
    "maintenance": "announced more than 48 h before it started (R16.1)",
    "customer_caused": "invalid API key, misconfigured policy or a customer-caused incident (R16.3)",
    "upstream": "upstream LLM error passed through while TapPass was up (R16.4)",
    "no_data": "no probe result in these minutes; not counted against uptime (R17)",
}
INCIDENT_CAUSES = {"customer_caused": "Customer-caused", "upstream": "Upstream", "platform": "Platform"}


class StatementError(RuntimeError):
    """The marts do not let us write a correct statement; the message names customer and month."""


def validate_customer_id(customer_id: str) -> str:
    """A customer id becomes a file name: accept only the data contract's pattern (no dots, no slashes)."""
    if not isinstance(customer_id, str) or not CUSTOMER_ID.fullmatch(customer_id):
        raise StatementError(f"customer id {customer_id!r} is not a valid id; refusing to use it in a path")
    return customer_id


@dataclass(frozen=True)
class Contract:
    contract_id: str
    monthly_fee: Decimal
    currency: str
    minor_unit: int
    starts_on: date
    ends_on: date | None
    covered_from: datetime
    covered_until: datetime
    covered_minutes: int


@dataclass(frozen=True)
class Period:
    """Consecutive minutes of one state, `[starts_at, ends_at)`; `windows` name what explains them."""

    state: str
    starts_at: datetime
    ends_at: datetime
    minutes: int
    windows: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def reason(self) -> str:
        return STATE_REASONS.get(self.state, "")


@dataclass(frozen=True)
class Incident:
    incident_id: str
    cause: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    for_all_customers: bool

    @property
    def cause_label(self) -> str:
        return INCIDENT_CAUSES.get(self.cause, self.cause)


@dataclass(frozen=True)
class Day:
    """One UTC day of the month: minutes covered by the enterprise contract(s) and the non-up minutes."""

    day: date
    covered_minutes: int
    state_minutes: Mapping[str, int]

    @property
    def down_minutes(self) -> int:
        return sum(self.state_minutes.values())


@dataclass(frozen=True)
class Attainment:
    """R12 counts of one severity × clock; the ratio is exact from the counts (the mart's column is
    checked against it by the builder)."""

    met: int = 0
    breached: int = 0
    pending: int = 0

    @property
    def attainment(self) -> Fraction | None:
        decided = self.met + self.breached
        return None if decided == 0 else Fraction(self.met, decided)


@dataclass(frozen=True)
class SupportRow:
    severity: str
    response: Attainment
    resolution: Attainment


DOWNTIME_CAUSE_LABELS = {
    "platform_incident": "Platform incident",
    "unattributed": "Unattributed",
    "maintenance": "Maintenance (notice > 48 h)",
    "customer_caused": "Customer-caused",
    "upstream": "Upstream provider",
}


@dataclass(frozen=True)
class DowntimeCause:
    """Minutes of the month not up for one cause (`downtime_attribution`, summed over checks and regions)."""

    cause: str
    cause_id: str | None
    counts_against_uptime: bool
    minutes: int
    sources: tuple[tuple[str, str | None, int], ...] = ()  # (check, region, minutes), most minutes first

    @property
    def label(self) -> str:
        return DOWNTIME_CAUSE_LABELS[self.cause]

    @property
    def sources_text(self) -> str:
        """'health_live eu-west 12 min, chat_completions us-east 3 min'."""
        return ", ".join(f"{check} {region or '(no result)'} {minutes} min" for check, region, minutes in self.sources)


@dataclass(frozen=True)
class HistoryMonth:
    """One month of a statement's year of history (issue 13): context, never a figure of this statement."""

    month: str
    state: str  # computed | before_contract | missing
    uptime: Decimal | None = None
    target: Decimal | None = None
    credit_amount: Decimal | None = None
    currency: str | None = None
    minor_unit: int | None = None
    response_attainment: Fraction | None = None  # met / (met + breached) over every severity; None: none decided
    resolution_attainment: Fraction | None = None

    @property
    def label(self) -> str:
        """'Oct 2026'."""
        year, month = self.month.split("-")
        return f"{figures.MONTH_NAMES[int(month) - 1][:3]} {year}"


@dataclass(frozen=True)
class SeveritySegment:
    """One severity segment of a clock (R9): from its start to the next severity change, the stop or as-of."""

    severity: str
    starts_at: datetime
    ends_at: datetime

    @property
    def seconds(self) -> int:
        """Wall-clock seconds at this severity (the history reads in real time, whatever the target's clock)."""
        return int((self.ends_at - self.starts_at).total_seconds())


@dataclass(frozen=True)
class BreachedClock:
    """A breached clock as the statement prints it: severity, target and elapsed time of the segment
    that breached first (R9), and every segment of the clock for its history."""

    ticket_id: str
    created_at: datetime | None
    channel: str | None
    subject: str | None
    clock: str
    severity: str
    business_time: bool
    target_seconds: int | None
    elapsed_seconds: int | None
    due_at: datetime | None
    breached_at: datetime | None
    segments: tuple[SeveritySegment, ...] = ()

    @property
    def history(self) -> str:
        """'S1 for 2:00, then S2' — empty when the clock never changed severity."""
        if len(self.segments) < 2:
            return ""
        earlier = [f"{s.severity} for {figures.hours_minutes(s.seconds)}" for s in self.segments[:-1]]
        return ", then ".join([*earlier, self.segments[-1].severity])


@dataclass(frozen=True)
class Uptime:
    total_minutes: int
    unavailable_minutes: int
    maintenance_minutes: int
    customer_caused_minutes: int
    upstream_minutes: int
    no_data_minutes: int
    uptime: Decimal
    target: Decimal
    # R18: U/T − (1 − target), exact, as the credits mart computed it; negative when uptime beats the target
    shortfall: Fraction

    @property
    def minutes_with_data(self) -> int:
        return self.total_minutes - self.no_data_minutes

    @property
    def coverage(self) -> Fraction:
        """R17: minutes with data / T."""
        return Fraction(self.minutes_with_data, self.total_minutes)

    @property
    def shortfall_points(self) -> Fraction:
        """The shortfall in percentage points, never below 0 (a surplus is no shortfall)."""
        return max(Fraction(0), self.shortfall * 100)


@dataclass(frozen=True)
class Credit:
    currency: str
    minor_unit: int
    fee_base: Decimal
    shortfall_steps: int
    credit_pct: Decimal
    credit_amount: Decimal
    capped: bool


# How the statement names each of the policy's credit modes (R18).
CREDIT_MODE_LABELS = dict(
    zip(CREDIT_MODES, ("for each full step", "for each started step", "pro rata"), strict=True)
)


@dataclass(frozen=True)
class CreditTerms:
    """The credit scheme of the policy version that computed the credit (R18), for the reader."""

    mode: str
    step: Decimal  # as a fraction of 1: 0.001 = 0.1 percentage point
    credit_per_step_pct: Decimal
    cap_pct: Decimal

    @property
    def step_points(self) -> Decimal:
        return self.step * 100

    @property
    def mode_label(self) -> str:
        return CREDIT_MODE_LABELS.get(self.mode, self.mode)

    @classmethod
    def of(cls, scheme: Any) -> CreditTerms:
        """From `pipeline.policy.CreditScheme` (or anything with the same four attributes)."""
        return cls(scheme.mode, Decimal(scheme.step), Decimal(scheme.credit_per_step_pct), Decimal(scheme.cap_pct))


@dataclass(frozen=True)
class Restatement:
    """What a new version of a statement replaces (pipeline/statements/restatement.py decides)."""

    supersedes_statement_id: str | None
    supersedes_version: int
    superseded_produced_at: datetime | None
    changes: str


@dataclass(frozen=True)
class StatementView:
    customer_id: str
    customer_name: str
    billing_email: str | None
    month: str
    month_start: datetime
    month_end: datetime
    as_of: datetime
    contracts: tuple[Contract, ...]
    uptime: Uptime
    credit: Credit
    days: tuple[Day, ...]
    unavailable_periods: tuple[Period, ...]
    excluded_periods: tuple[Period, ...]
    incidents: tuple[Incident, ...]
    support: tuple[SupportRow, ...]
    breached_clocks: tuple[BreachedClock, ...]
    input_fingerprint: str
    credit_terms: CreditTerms | None = None
    downtime: tuple[DowntimeCause, ...] = ()
    # the month and the 11 before it (issue 13); context only: kept out of statement.json and its id, so
    # a change in history alone never restates the statement
    history: tuple[HistoryMonth, ...] = ()
    statement_id: str = field(default="")
    # Set on a new version of a statement whose figures changed; None on a first version.
    restatement: Restatement | None = None

    @property
    def measured_period(self) -> tuple[tuple[datetime, datetime], ...]:
        """The contracts' covered parts of the month, adjacent ones joined."""
        merged: list[list[datetime]] = []
        for contract in sorted(self.contracts, key=lambda c: c.covered_from):
            if merged and merged[-1][1] >= contract.covered_from:
                merged[-1][1] = max(merged[-1][1], contract.covered_until)
            else:
                merged.append([contract.covered_from, contract.covered_until])
        return tuple((start, end) for start, end in merged)

    @property
    def running_name(self) -> str:
        """The name for the running page header, shortened so it never outgrows the page margin."""
        limit = 80
        return self.customer_name if len(self.customer_name) <= limit else self.customer_name[: limit - 1] + "…"

    @property
    def month_minutes(self) -> int:
        return int((self.month_end - self.month_start).total_seconds()) // 60

    @property
    def month_label(self) -> str:
        return figures.month_label(self.month_start)


# --- canonical JSON: the one serialisation behind fingerprints, statement ids and statement.json ---


def _canonical_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return figures.decimal_string(value)
    if isinstance(value, datetime):
        return figures.utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, float):
        raise TypeError("floats have no place in statement figures")
    return value


def canonical_json(document: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text; Decimal/datetime/date written exactly."""

    def convert(node: Any) -> Any:
        if isinstance(node, Mapping):
            return {str(k): convert(v) for k, v in node.items()}
        if isinstance(node, list | tuple):
            return [convert(v) for v in node]
        return _canonical_value(node)

    return json.dumps(convert(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


__all__ = [
    "StatementView",
    "Contract",
    "Period",
    "Incident",
    "Day",
    "Attainment",
    "SupportRow",
    "BreachedClock",
    "DowntimeCause",
    "HistoryMonth",
    "DOWNTIME_CAUSE_LABELS",
    "SeveritySegment",
    "Uptime",
    "Credit",
    "CreditTerms",
    "Restatement",
    "StatementError",
    "canonical_json",
    "sha256_hex",
    "validate_customer_id",
    "CUSTOMER_ID",
    "STATE_LABELS",
]
