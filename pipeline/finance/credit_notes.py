"""`credit_notes.csv`: what billing loads — one line per issued credit and one per void.

Built from the ledger's `issued` events alone (each carries the figures of the PDF as issued), never
from the recomputable marts: a credit note is a fact of what was sent, not of what a rerun computes.

- A **credit** line for every issued statement version with a credit above zero.
- When a later version of the same customer-month is issued, the live credit note of the earlier one
  is **voided**: a `void` line whose `replaces` is the voided note; the new version's credit line (if
  its credit is above zero) also names the note it `replaces`.
- `credit_note_id` is derived from the statement version (statement id, version, PDF sha256): the same
  version always gives the same id, the idempotency key a billing system needs; a void's id is derived
  from the note it voids.
- Text that a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab, CR, LF) gets a
  leading `'` in the CSV (`pipeline/spreadsheet.py`, the rule of every CSV the project writes). JSON Lines output (`--out FILE.jsonl`) carries the same fields unchanged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pipeline.finance.delivery import IssuedFigures
from pipeline.finance.errors import FinanceError
from pipeline.finance.ledger import Event, Ledger
from pipeline.money import to_minor_units
from pipeline.months import MonthError, parse_month
from pipeline.settings import Settings
from pipeline.spreadsheet import csv_document
from pipeline.statements.files import atomic_write

CREDIT_NOTES_CSV = "credit_notes.csv"
COLUMNS = (
    "credit_note_id",
    "kind",
    "customer_id",
    "billing_email",
    "month",
    "statement_id",
    "statement_version",
    "currency",
    "amount",
    "amount_minor",
    "replaces",
    "approved_by",
    "approved_at",
    "issued_at",
    "memo",
)


@dataclass(frozen=True)
class CreditNote:
    credit_note_id: str
    kind: str  # 'credit' | 'void'
    customer_id: str
    billing_email: str
    month: str
    statement_id: str
    statement_version: int
    currency: str
    amount: str
    amount_minor: int
    replaces: str
    approved_by: str
    approved_at: str
    issued_at: str
    memo: str

    def as_dict(self) -> dict[str, object]:
        return {c: getattr(self, c) for c in COLUMNS}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20].upper()


def credit_note_id(statement_id: str, version: int, sha256: str) -> str:
    return "CN-" + _digest("credit", statement_id, str(version), sha256)


def void_id(voided: str) -> str:
    return "VD-" + _digest("void", voided)


def credit_notes(events: list[Event], month: str) -> list[CreditNote]:
    """Every credit and void line of `month`, in the order the ledger recorded the issues."""
    approvals = {e.key(): e for e in reversed(events) if e.event == "approved"}  # first approval wins
    live: dict[str, CreditNote] = {}  # customer → its live credit note
    last_version: dict[str, int] = {}
    notes: list[CreditNote] = []
    for event in events:
        if event.event != "issued" or event.month != month or event.figures is None:
            continue
        customer = event.customer_id or ""
        if last_version.get(customer, 0) >= (event.version or 0):
            continue  # an older version cannot replace a newer one
        last_version[customer] = event.version or 0
        figures = IssuedFigures.from_dict(dict(event.figures))
        approval = approvals.get(event.key())
        common = {
            "customer_id": customer,
            "billing_email": figures.billing_email or "",
            "month": month,
            "statement_id": event.statement_id or "",
            "statement_version": event.version or 0,
            "approved_by": approval.by if approval else "",
            "approved_at": approval.at if approval else "",
            "issued_at": event.at,
        }
        previous = live.pop(customer, None)
        if previous is not None:
            notes.append(
                CreditNote(
                    credit_note_id=void_id(previous.credit_note_id),
                    kind="void",
                    currency=previous.currency,
                    amount=previous.amount,
                    amount_minor=previous.amount_minor,
                    replaces=previous.credit_note_id,
                    memo=(
                        f"Void of {previous.credit_note_id}: SLA credit, {figures.month_label}, "
                        f"restated by version {event.version}"
                    ),
                    **common,
                )
            )
        minor = to_minor_units(Decimal(figures.credit_amount), figures.minor_unit)
        if minor > 0:
            note = CreditNote(
                credit_note_id=credit_note_id(event.statement_id or "", event.version or 0, event.sha256 or ""),
                kind="credit",
                currency=figures.currency,
                amount=figures.credit_amount,
                amount_minor=minor,
                replaces=previous.credit_note_id if previous else "",
                memo=figures.credit_memo(),
                **common,
            )
            notes.append(note)
            live[customer] = note
    return notes


def live_totals(notes: list[CreditNote]) -> dict[str, int]:
    """Minor units per currency of the credit notes not voided."""
    voided = {n.replaces for n in notes if n.kind == "void"}
    totals: dict[str, int] = {}
    for note in notes:
        if note.kind == "credit" and note.credit_note_id not in voided:
            totals[note.currency] = totals.get(note.currency, 0) + note.amount_minor
    return totals


def render(notes: list[CreditNote], jsonl: bool) -> bytes:
    if jsonl:
        return "".join(json.dumps(n.as_dict(), ensure_ascii=False) + "\n" for n in notes).encode("utf-8")
    return csv_document(COLUMNS, (list(n.as_dict().values()) for n in notes)).encode("utf-8")


def month_credit_notes(settings: Settings, month: str) -> list[CreditNote]:
    try:
        parse_month(month)
    except MonthError as exc:
        raise FinanceError(str(exc)) from exc
    return credit_notes(Ledger(settings.ledger).events(), month)


def write_credit_notes(settings: Settings, month: str, out: Path | None = None) -> tuple[Path, list[CreditNote]]:
    """Write the month's credit notes (CSV, or JSON Lines when `out` ends in `.jsonl`)."""
    notes = month_credit_notes(settings, month)
    target = out if out is not None else settings.statements_dir / month / CREDIT_NOTES_CSV
    try:
        atomic_write(target, render(notes, jsonl=target.suffix == ".jsonl"))
    except OSError as exc:
        raise FinanceError(f"cannot write {target}: {exc.strerror}") from exc
    return target, notes


__all__ = [
    "COLUMNS",
    "CREDIT_NOTES_CSV",
    "CreditNote",
    "credit_note_id",
    "credit_notes",
    "live_totals",
    "month_credit_notes",
    "render",
    "void_id",
    "write_credit_notes",
]
