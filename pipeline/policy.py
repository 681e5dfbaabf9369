"""The reviewed SLA policy file: targets, schedules and the credit scheme, as effective-dated versions (R5).

`load_policy(path)` reads and validates the YAML file; every error names the offending key
(`versions[0].support.targets.enterprise.S2.response.business_hours: …`). `Policy.version_for(month)`
picks the version in force on the first day of a month, so rerunning a past month reproduces it after
the policy changed. Numbers are exact `Decimal`s (YAML floats are refused: write them as strings).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml

from pipeline.months import MonthError, parse_month

PLANS = ("enterprise", "growth")
SEVERITIES = ("S1", "S2", "S3", "S4")
CLOCKS = ("response", "resolution")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CREDIT_MODES = ("whole_steps", "started_steps", "pro_rata")
_DURATION_KEYS = ("calendar_hours", "business_hours", "business_days")
_HOURS = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
_EFFECTIVE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class PolicyError(ValueError):
    """The policy file is unusable; the message names the file and the bad key."""


@dataclass(frozen=True)
class Schedule:
    """Business hours: an IANA time zone, weekly local opening hours and closed dates (R6)."""

    name: str
    timezone: str
    # Per weekday (0 = Monday): opening intervals as (start, end) minutes after local midnight, end ≤ 1440.
    opening_minutes: tuple[tuple[tuple[int, int], ...], ...]
    holiday_country: str | None
    holiday_subdivision: str | None
    extra_closures: frozenset[date]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def holiday_calendar(self, years: range) -> holidays.HolidayBase | dict[date, str]:
        if self.holiday_country is None:
            return {}
        return holidays.country_holidays(self.holiday_country, subdiv=self.holiday_subdivision, years=years)

    @property
    def weekly_open_seconds(self) -> int:
        return sum((end - start) * 60 for day in self.opening_minutes for start, end in day)


@dataclass(frozen=True)
class Target:
    """One support target: how long a clock may run, in business or calendar seconds."""

    seconds: int
    business_time: bool
    schedule: str | None  # the schedule of a business-hours target; None for calendar time


@dataclass(frozen=True)
class CreditScheme:
    """Service credits for missed uptime (R18); read by the uptime engine."""

    mode: str
    step: Decimal
    credit_per_step_pct: Decimal
    cap_pct: Decimal


@dataclass(frozen=True)
class ChronicRule:
    """When a customer's breaches are chronic (issue 13): below target in at least `below_target_months`
    of the last `window_months` months (the month itself included), or credited at the cap in at least
    `capped_consecutive_months` consecutive months ending with the month."""

    below_target_months: int = 3
    window_months: int = 6
    capped_consecutive_months: int = 2


@dataclass(frozen=True)
class PauseAuditRule:
    """Which support pauses an auditor should look at (issue 13): one set at most
    `customer_reply_within_minutes` after the customer's last reply, one set with at most
    `deadline_within_minutes` of its target left, and a ticket paused `pause_cycles` times or more."""

    customer_reply_within_minutes: int = 30
    deadline_within_minutes: int = 60
    pause_cycles: int = 3


@dataclass(frozen=True)
class PolicyVersion:
    """The policy in force from the first day of `effective_from` until the next version."""

    effective_from: str
    content_hash: str
    business_day_hours: Decimal
    schedules: dict[str, Schedule]
    support_targets: dict[tuple[str, str, str], Target | None]  # (plan, severity, clock) → target
    uptime_targets: dict[str, Decimal | None]
    credits: CreditScheme
    # R16.1: maintenance excuses minutes only when announced more than this many hours ahead
    maintenance_notice_hours: int = 48
    # internal monitoring rules: the file's top-level sections, the same for every version (never a figure)
    chronic: ChronicRule = ChronicRule()
    pause_audit: PauseAuditRule = PauseAuditRule()

    @property
    def version_id(self) -> str:
        return self.effective_from

    def support_target(self, plan: str, severity: str, clock: str) -> Target | None:
        return self.support_targets[(plan, severity, clock)]

    def longest_target_seconds(self, *, business_time: bool, schedule: str | None = None) -> int:
        """The longest target of one kind (0 if none): how far past as-of the calendar must reach (R6)."""
        return max(
            (
                t.seconds
                for t in self.support_targets.values()
                if t is not None and t.business_time == business_time and (schedule is None or t.schedule == schedule)
            ),
            default=0,
        )


@dataclass(frozen=True)
class AcceptedRejections:
    """A reviewed exception to the rejected-share gate: one exact file (by sha256) whose rejected rows a
    person looked at and accepted. Any other content of that file is gated again."""

    file: str
    sha256: str
    reason: str


@dataclass(frozen=True)
class CheckPolicy:
    """Thresholds of the gates before publication (issue 9); not effective-dated: they decide whether a
    run may publish, not what a statement says. Percentages are of rows read / of the measured period."""

    rejected_error_above_pct: Decimal = Decimal("5")
    rejected_error_min_rows: int = 100
    coverage_warn_below_pct: Decimal = Decimal("99.5")
    coverage_error_below_pct: Decimal = Decimal("90")
    accepted_rejections: tuple[AcceptedRejections, ...] = ()

    def accepted(self, file: str, sha256: str | None) -> AcceptedRejections | None:
        return next((a for a in self.accepted_rejections if a.file == file and a.sha256 == sha256), None)


@dataclass(frozen=True)
class Policy:
    path: Path
    versions: tuple[PolicyVersion, ...]  # sorted by effective_from
    checks: CheckPolicy = CheckPolicy()

    def version_for(self, month: str) -> PolicyVersion:
        """The version in force on the first day of `month` ('YYYY-MM')."""
        try:
            parse_month(month)
        except MonthError as exc:
            raise PolicyError(str(exc)) from exc
        in_force = [v for v in self.versions if v.effective_from <= month]
        if not in_force:
            raise PolicyError(
                f"{self.path}: no policy version in force for {month}: "
                f"the first version is effective from {self.versions[0].effective_from}"
            )
        return in_force[-1]


# --- validation ------------------------------------------------------------------------------------


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> PolicyError:
        return PolicyError(f"{self.path}: {key}: {message}")

    def mapping(self, value: Any, key: str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a mapping, got {type(value).__name__}")
        for name in value:
            if name not in required and name not in optional:
                allowed = ", ".join(required + optional)
                raise self.fail(f"{key}.{name}", f"unknown key (allowed here: {allowed})")
        for name in required:
            if name not in value:
                raise self.fail(f"{key}.{name}", "missing")
        return value

    def decimal(self, value: Any, key: str, *, positive: bool = False) -> Decimal:
        # A YAML float has already lost exactness (0.1 + 0.2 …): money and ratios must be strings.
        if isinstance(value, (bool, float)):
            raise self.fail(key, f'write {value!r} as a quoted decimal string (e.g. "0.999"), not a YAML float')
        if not isinstance(value, (int, str)):
            raise self.fail(key, f"must be a decimal number, got {type(value).__name__}")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.fail(key, f"not a decimal number: {value!r}") from None
        if not number.is_finite():
            raise self.fail(key, f"not a finite number: {value!r}")
        if number < 0 or (positive and number == 0):
            raise self.fail(key, f"must be {'positive' if positive else 'zero or more'}, got {value!r}")
        return number

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string")
        return value.strip()


def _schedule(c: _Checker, name: str, raw: Any, key: str) -> Schedule:
    raw = c.mapping(raw, key, required=("timezone", "opening_hours"), optional=("holidays", "extra_closures"))
    timezone = c.text(raw["timezone"], f"{key}.timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise c.fail(f"{key}.timezone", f"unknown IANA time zone {timezone!r}") from None

    hours = c.mapping(raw["opening_hours"], f"{key}.opening_hours", required=(), optional=WEEKDAYS)
    week: list[tuple[tuple[int, int], ...]] = []
    for day in WEEKDAYS:
        day_key = f"{key}.opening_hours.{day}"
        spans = hours.get(day) or []
        if not isinstance(spans, list):
            raise c.fail(day_key, 'must be a list like ["09:00-17:00"] (empty = closed)')
        parsed = []
        for index, span in enumerate(spans):
            match = _HOURS.match(span) if isinstance(span, str) else None
            if not match:
                raise c.fail(f"{day_key}[{index}]", f'must look like "09:00-17:00", got {span!r}')
            start = int(match.group(1)) * 60 + int(match.group(2))
            end = int(match.group(3)) * 60 + int(match.group(4))
            if start >= 1440 or end > 1440 or start >= end:
                raise c.fail(
                    f"{day_key}[{index}]", f"{span!r} must open before it closes, within one day (24:00 ends it)"
                )
            parsed.append((start, end))
        parsed.sort()
        for (_, end), (start, _) in itertools.pairwise(parsed):
            if start < end:
                raise c.fail(day_key, f"opening intervals overlap: {spans!r}")
        week.append(tuple(parsed))
    if not any(week):
        raise c.fail(f"{key}.opening_hours", "the schedule is never open")

    country = subdivision = None
    if raw.get("holidays") is not None:
        hol = c.mapping(raw["holidays"], f"{key}.holidays", required=("country",), optional=("subdivision",))
        country = c.text(hol["country"], f"{key}.holidays.country")
        subdivision = (
            None if hol.get("subdivision") is None else c.text(hol["subdivision"], f"{key}.holidays.subdivision")
        )
        try:
            holidays.country_holidays(country, subdiv=subdivision, years=2024)
        except NotImplementedError as exc:  # what the package raises for an unknown country or subdivision
            raise c.fail(
                f"{key}.holidays", f"the holidays package does not know {country}/{subdivision}: {exc}"
            ) from None

    closures = raw.get("extra_closures") or []
    if not isinstance(closures, list):
        raise c.fail(f"{key}.extra_closures", 'must be a list of dates like "2025-12-26"')
    closed: set[date] = set()
    for index, item in enumerate(closures):
        try:
            closed.add(item if isinstance(item, date) else date.fromisoformat(str(item)))
        except ValueError:
            raise c.fail(f"{key}.extra_closures[{index}]", f"not a date (YYYY-MM-DD): {item!r}") from None
    return Schedule(name, timezone, tuple(week), country, subdivision, frozenset(closed))


def _target(
    c: _Checker, raw: Any, key: str, day_hours: Decimal, default_schedule: str, schedules: dict
) -> Target | None:
    if raw is None:
        return None
    raw = c.mapping(raw, key, required=(), optional=_DURATION_KEYS + ("schedule",))
    given = [k for k in _DURATION_KEYS if k in raw]
    if len(given) != 1:
        raise c.fail(key, f"give exactly one of {', '.join(_DURATION_KEYS)} (or null for no target)")
    unit = given[0]
    amount = c.decimal(raw[unit], f"{key}.{unit}", positive=True)
    hours = amount * day_hours if unit == "business_days" else amount
    seconds = hours * 3600
    if seconds != seconds.to_integral_value():
        raise c.fail(f"{key}.{unit}", f"{amount} is not a whole number of seconds")
    business = unit != "calendar_hours"
    schedule = None
    if business:
        schedule = c.text(raw.get("schedule", default_schedule), f"{key}.schedule")
        if schedule not in schedules:
            raise c.fail(f"{key}.schedule", f"unknown schedule {schedule!r} (defined: {', '.join(schedules)})")
    elif "schedule" in raw:
        raise c.fail(f"{key}.schedule", "a calendar-hours target runs 24/7 and takes no schedule")
    return Target(int(seconds), business, schedule)


def _version(c: _Checker, raw: Any, key: str) -> PolicyVersion:
    raw = c.mapping(raw, key, required=("effective_from", "business_day_hours", "schedules", "support", "uptime"))
    effective_from = raw["effective_from"]
    if not isinstance(effective_from, str) or not _EFFECTIVE.match(effective_from):
        raise c.fail(f"{key}.effective_from", f"must be a quoted 'YYYY-MM' month, got {effective_from!r}")
    day_hours = c.decimal(raw["business_day_hours"], f"{key}.business_day_hours", positive=True)
    if day_hours > 24:
        raise c.fail(f"{key}.business_day_hours", f"a business day cannot be longer than 24 h, got {day_hours}")

    raw_schedules = raw["schedules"]
    if not isinstance(raw_schedules, dict) or not raw_schedules:
        raise c.fail(f"{key}.schedules", "must map at least one schedule name to a schedule")
    schedules = {}
    for name, body in raw_schedules.items():
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise c.fail(f"{key}.schedules.{name}", "a schedule name must be snake_case")
        schedules[name] = _schedule(c, name, body, f"{key}.schedules.{name}")

    support = c.mapping(raw["support"], f"{key}.support", required=("schedule", "targets"))
    default_schedule = c.text(support["schedule"], f"{key}.support.schedule")
    if default_schedule not in schedules:
        raise c.fail(f"{key}.support.schedule", f"unknown schedule {default_schedule!r}")
    targets_raw = c.mapping(support["targets"], f"{key}.support.targets", required=PLANS)
    targets: dict[tuple[str, str, str], Target | None] = {}
    for plan in PLANS:
        by_severity = c.mapping(targets_raw[plan], f"{key}.support.targets.{plan}", required=SEVERITIES)
        for severity in SEVERITIES:
            sev_key = f"{key}.support.targets.{plan}.{severity}"
            by_clock = c.mapping(by_severity[severity], sev_key, required=CLOCKS)
            for clock in CLOCKS:
                targets[(plan, severity, clock)] = _target(
                    c, by_clock[clock], f"{sev_key}.{clock}", day_hours, default_schedule, schedules
                )

    uptime = c.mapping(
        raw["uptime"], f"{key}.uptime", required=("targets", "credits"), optional=("maintenance_notice_hours",)
    )
    notice_hours = uptime.get("maintenance_notice_hours", 48)
    if isinstance(notice_hours, bool) or not isinstance(notice_hours, int) or notice_hours < 0:
        raise c.fail(f"{key}.uptime.maintenance_notice_hours", f"must be a whole number of hours, got {notice_hours!r}")
    uptime_raw = c.mapping(uptime["targets"], f"{key}.uptime.targets", required=PLANS)
    uptime_targets: dict[str, Decimal | None] = {}
    for plan in PLANS:
        value = uptime_raw[plan]
        if value is None:
            uptime_targets[plan] = None
            continue
        target = c.decimal(value, f"{key}.uptime.targets.{plan}", positive=True)
        if target > 1:
            raise c.fail(f"{key}.uptime.targets.{plan}", f"a fraction at most 1 (0.999 = 99.9 %), got {value!r}")
        uptime_targets[plan] = target
    credits_raw = c.mapping(
        uptime["credits"], f"{key}.uptime.credits", required=("mode", "step", "credit_per_step_pct", "cap_pct")
    )
    mode = credits_raw["mode"]
    if mode not in CREDIT_MODES:
        raise c.fail(f"{key}.uptime.credits.mode", f"must be one of {', '.join(CREDIT_MODES)}, got {mode!r}")
    credits = CreditScheme(
        mode=mode,
        step=c.decimal(credits_raw["step"], f"{key}.uptime.credits.step", positive=True),
        credit_per_step_pct=c.decimal(credits_raw["credit_per_step_pct"], f"{key}.uptime.credits.credit_per_step_pct"),
        cap_pct=c.decimal(credits_raw["cap_pct"], f"{key}.uptime.credits.cap_pct"),
    )
    if credits.cap_pct > 100:
        raise c.fail(f"{key}.uptime.credits.cap_pct", f"a percentage at most 100, got {credits.cap_pct}")

    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str)
    return PolicyVersion(
        effective_from=effective_from,
        content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        business_day_hours=day_hours,
        schedules=schedules,
        support_targets=targets,
        uptime_targets=uptime_targets,
        credits=credits,
        maintenance_notice_hours=notice_hours,
    )


def load_policy(path: Path) -> Policy:
    """Read and validate the policy file; raise `PolicyError` naming the bad key."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
    checker = _Checker(path)
    document = checker.mapping(
        document, "(top level)", required=("versions",), optional=("chronic_breaches", "pause_audit", "checks")
    )
    raw_versions = document["versions"]
    if not isinstance(raw_versions, list) or not raw_versions:
        raise checker.fail("versions", "must be a non-empty list of policy versions")
    versions = [_version(checker, raw, f"versions[{i}]") for i, raw in enumerate(raw_versions)]
    seen: dict[str, int] = {}
    for index, version in enumerate(versions):
        if version.effective_from in seen:
            raise checker.fail(
                f"versions[{index}].effective_from",
                f"{version.effective_from} is also the effective_from of versions[{seen[version.effective_from]}]",
            )
        seen[version.effective_from] = index
    chronic = _rule(checker, ChronicRule, document.get("chronic_breaches"), "chronic_breaches")
    if chronic.below_target_months > chronic.window_months:
        raise checker.fail(
            "chronic_breaches.below_target_months",
            f"{chronic.below_target_months} months below target cannot fit in a window of {chronic.window_months}",
        )
    pause_audit = _rule(checker, PauseAuditRule, document.get("pause_audit"), "pause_audit")
    versions = [replace(v, chronic=chronic, pause_audit=pause_audit) for v in versions]
    checks = _checks(checker, document["checks"]) if "checks" in document else CheckPolicy()
    return Policy(path, tuple(sorted(versions, key=lambda v: v.effective_from)), checks)


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _checks(c: _Checker, raw: Any) -> CheckPolicy:
    raw = c.mapping(raw, "checks", required=(), optional=("rejected_rows", "probe_coverage"))
    defaults = CheckPolicy()
    rejected = c.mapping(
        raw.get("rejected_rows", {}), "checks.rejected_rows", required=(),
        optional=("error_above_pct", "error_min_rows", "accepted"),
    )
    coverage = c.mapping(
        raw.get("probe_coverage", {}), "checks.probe_coverage", required=(),
        optional=("warn_below_pct", "error_below_pct"),
    )
    min_rows = rejected.get("error_min_rows", defaults.rejected_error_min_rows)
    if not isinstance(min_rows, int) or isinstance(min_rows, bool) or min_rows < 0:
        raise c.fail("checks.rejected_rows.error_min_rows", f"must be a whole number of rows, got {min_rows!r}")
    accepted = []
    raw_accepted = rejected.get("accepted", [])
    if not isinstance(raw_accepted, list):
        raise c.fail("checks.rejected_rows.accepted", "must be a list")
    for i, item in enumerate(raw_accepted):
        key = f"checks.rejected_rows.accepted[{i}]"
        item = c.mapping(item, key, required=("file", "sha256", "reason"))
        sha = c.text(item["sha256"], f"{key}.sha256").lower()
        if not _SHA256.match(sha):
            raise c.fail(f"{key}.sha256", "must be the file's SHA-256 as 64 hex digits")
        accepted.append(AcceptedRejections(c.text(item["file"], f"{key}.file"), sha, c.text(item["reason"], f"{key}.reason")))
    checks = CheckPolicy(
        rejected_error_above_pct=c.decimal(
            rejected.get("error_above_pct", defaults.rejected_error_above_pct), "checks.rejected_rows.error_above_pct"
        ),
        rejected_error_min_rows=min_rows,
        coverage_warn_below_pct=c.decimal(
            coverage.get("warn_below_pct", defaults.coverage_warn_below_pct), "checks.probe_coverage.warn_below_pct"
        ),
        coverage_error_below_pct=c.decimal(
            coverage.get("error_below_pct", defaults.coverage_error_below_pct), "checks.probe_coverage.error_below_pct"
        ),
        accepted_rejections=tuple(accepted),
    )
    for name, value in (
        ("rejected_rows.error_above_pct", checks.rejected_error_above_pct),
        ("probe_coverage.warn_below_pct", checks.coverage_warn_below_pct),
        ("probe_coverage.error_below_pct", checks.coverage_error_below_pct),
    ):
        if value > 100:
            raise c.fail(f"checks.{name}", f"is a percentage, at most 100, got {value}")
    if checks.coverage_error_below_pct > checks.coverage_warn_below_pct:
        raise c.fail("checks.probe_coverage.error_below_pct", "must not be above warn_below_pct")
    return checks


def _rule(c: _Checker, kind: type, raw: Any, key: str):
    """A monitoring rule section: every field a whole number ≥ 1; an absent section takes the defaults."""
    if raw is None:
        return kind()
    names = tuple(kind.__dataclass_fields__)
    raw = c.mapping(raw, key, required=names)
    values = {}
    for name in names:
        value = raw[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise c.fail(f"{key}.{name}", f"must be a whole number of at least 1, got {value!r}")
        values[name] = value
    return kind(**values)


__all__ = [
    "CLOCKS",
    "CREDIT_MODES",
    "AcceptedRejections",
    "CheckPolicy",
    "PLANS",
    "SEVERITIES",
    "ChronicRule",
    "PauseAuditRule",
    "CreditScheme",
    "Policy",
    "PolicyError",
    "PolicyVersion",
    "Schedule",
    "Target",
    "load_policy",
]
