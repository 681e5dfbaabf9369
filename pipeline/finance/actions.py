"""Approve and issue statements: the rules the CLI and the portal share.

- **approve** a month's current statements (all, or the given customers): refused while one of the
  month's ERROR checks fails on the published warehouse; a statement already approved or issued is
  left as it is.
- **issue** approved statements: refused if any targeted statement is still a draft (nothing is
  issued then); each approved one is delivered — emailed with `SLA_SMTP_URL`, else written as an
  `.eml` file into the month folder — and only a delivered statement becomes `issued`. A failed send
  is recorded (`send_failed`, with the reason) and the statement stays `approved`.

Both rewrite `credit_accruals.csv` when done. Both hold the ledger's command lock from reading the state to the last append, so two people clicking
at once cannot issue (and email) one statement twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pipeline.finance.accruals import write_accruals_csv
from pipeline.finance.delivery import DEFAULT_SENDER, IssuedFigures, statement_message
from pipeline.finance.errors import FinanceError
from pipeline.finance.gates import failing_error_checks
from pipeline.finance.ledger import Event, Ledger, iso, utc_now
from pipeline.finance.status import StatementState, read_versions, statement_states
from pipeline.months import MonthError, parse_month
from pipeline.notify import NotifyError, SmtpServer, send, write_eml
from pipeline.settings import Settings
from pipeline.statements.files import file_sha256
from pipeline.warehouse import connection


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)  # one line per statement acted on
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line per failed delivery

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        return self.done + self.skipped + [f"FAILED {line}" for line in self.failed]


def _check_by(by: str) -> str:
    name = (by or "").strip()
    if not name or any(ch in name for ch in "\r\n\x00"):
        raise FinanceError("--by must name the person acting (one line of text)")
    return name


def month_states(settings: Settings, month: str) -> list[StatementState]:
    """Every statement version of `month` the published warehouse lists, with its state."""
    try:
        parse_month(month)
    except MonthError as exc:
        raise FinanceError(str(exc)) from exc
    if not settings.warehouse.exists():
        raise FinanceError(f"no published warehouse at {settings.warehouse}: run a month first")
    with connection(settings.warehouse, read_only=True) as con:
        versions = read_versions(con, month)
    return statement_states(versions, Ledger(settings.ledger).events())


def _targets(states: list[StatementState], month: str, customers: Sequence[str]) -> list[StatementState]:
    current = [s for s in states if s.statement.is_current]
    if not current:
        raise FinanceError(f"the published warehouse has no statements for {month}")
    if not customers:
        return current
    by_customer = {s.customer_id: s for s in current}
    unknown = [c for c in customers if c not in by_customer]
    if unknown:
        raise FinanceError(f"no statement for {', '.join(unknown)} in {month}")
    return [by_customer[c] for c in dict.fromkeys(customers)]


def _event(kind: str, state: StatementState, by: str, at: datetime, **extra) -> Event:
    s = state.statement
    return Event(
        event=kind,
        by=by,
        at=iso(at),
        month=s.month,
        customer_id=s.customer_id,
        version=s.version,
        statement_id=s.statement_id,
        sha256=s.sha256,
        **extra,
    )


def approve(
    settings: Settings, month: str, by: str, customers: Sequence[str] = (), now: datetime | None = None
) -> Outcome:
    by = _check_by(by)
    ledger = Ledger(settings.ledger)
    with ledger.exclusive():
        targets = _targets(month_states(settings, month), month, customers)
        failed = failing_error_checks(settings.warehouse, settings.policy_file, month)
        if failed:
            raise FinanceError(
                f"cannot approve {month}: " + "; ".join(f.reason() for f in failed) + " — fix the data and rerun the month"
            )
        at = now or utc_now()
        outcome = Outcome()
        events = []
        for state in targets:
            s = state.statement
            if state.status != "draft":
                outcome.skipped.append(f"{s.customer_id} v{s.version}: already {state.status} by {state.by} at {state.at}")
                continue
            events.append(_event("approved", state, by, at))
            outcome.done.append(f"{s.customer_id} v{s.version}: approved by {by}")
        ledger.append(*events)
        write_accruals_csv(settings)
    return outcome


def billing_emails(settings: Settings, month: str) -> dict[str, str | None]:
    with connection(settings.warehouse, read_only=True) as con:
        rows = con.execute(
            "SELECT customer_id, billing_email FROM main.customers WHERE month = $month", {"month": month}
        ).fetchall()
    return {customer_id: (email or "").strip() or None for customer_id, email in rows}


def eml_path(settings: Settings, state: StatementState) -> Path:
    s = state.statement
    return settings.statements_dir / s.month / f"{s.customer_id}.v{s.version}.eml"


def issue(
    settings: Settings, month: str, by: str, customers: Sequence[str] = (), now: datetime | None = None
) -> Outcome:
    by = _check_by(by)
    try:
        server = SmtpServer.from_url(settings.smtp_url) if settings.smtp_url else None
    except NotifyError as exc:
        raise FinanceError(str(exc)) from exc
    if server is not None and not settings.smtp_from:
        raise FinanceError("SLA_SMTP_URL is set but SLA_SMTP_FROM (the sender address) is not")
    sender = settings.smtp_from or DEFAULT_SENDER
    ledger = Ledger(settings.ledger)
    with ledger.exclusive():
        targets = _targets(month_states(settings, month), month, customers)
        drafts = [s for s in targets if s.status == "draft"]
        if drafts:
            names = ", ".join(f"{s.customer_id} v{s.statement.version}" for s in drafts)
            raise FinanceError(f"cannot issue {month}: not approved yet: {names} — approve first; nothing was issued")
        emails = billing_emails(settings, month)
        outcome = Outcome()
        for state in targets:
            s = state.statement
            if state.status == "issued":
                outcome.skipped.append(f"{s.customer_id} v{s.version}: already issued at {state.at}")
                continue
            at = now or utc_now()
            recipient = emails.get(s.customer_id)
            delivery = "smtp" if server else "eml"
            try:
                pdf = Path(s.path)
                if file_sha256(pdf) != s.sha256:
                    raise NotifyError(f"{pdf} is not the file the warehouse lists (sha256 differs); rerun the month")
                if not recipient:
                    raise NotifyError(f"customer {s.customer_id} has no billing_email in customers.csv")
                figures = IssuedFigures.of_pdf(pdf, recipient)
                message = statement_message(figures, s.version, pdf, sender, at)
                if server:
                    send(server, message)
                    where = f"sent to {recipient} via {server.describe()}"
                else:
                    where = f"written to {write_eml(eml_path(settings, state), message)} for {recipient}"
            except (NotifyError, OSError, KeyError, ValueError) as exc:
                reason = str(exc) if isinstance(exc, NotifyError) else f"cannot read {s.path}: {exc}"
                ledger.append(_event("send_failed", state, by, at, delivery=delivery, recipient=recipient, detail=reason))
                outcome.failed.append(f"{s.customer_id} v{s.version}: not issued, still approved — {reason}")
                continue
            ledger.append(
                _event("sent", state, by, at, delivery=delivery, recipient=recipient, detail=where),
                _event("issued", state, by, at, delivery=delivery, recipient=recipient, figures=figures.as_dict()),
            )
            outcome.done.append(f"{s.customer_id} v{s.version}: issued by {by}, {where}")
        write_accruals_csv(settings)
    return outcome


__all__ = ["FinanceError", "Outcome", "approve", "billing_emails", "eml_path", "issue", "month_states"]
