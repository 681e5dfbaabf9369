"""What issuing sends: one email per statement, with the PDF and a plain-text summary.

The figures come from the `statement.json` embedded in the very PDF being sent (not from the marts),
so the summary, the ledger's record of what was issued and the credit note always agree with the
document the customer holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from pipeline.months import parse_month
from pipeline.statements.figures import month_label
from pipeline.statements.inspect import statement_json_of

DEFAULT_SENDER = "sla-report@localhost"


@dataclass(frozen=True)
class IssuedFigures:
    """The figures of one statement as issued (what the ledger's `issued` event keeps)."""

    customer_id: str
    customer_name: str
    month: str
    statement_id: str
    currency: str
    minor_unit: int
    credit_amount: str  # decimal string with exactly the minor-unit digits
    credit_pct: str
    capped: bool
    cap_pct: str
    uptime_percent: str
    target: str  # a ratio, e.g. '0.999'
    shortfall_steps: int
    credit_per_step_pct: str
    billing_email: str | None

    @classmethod
    def of_pdf(cls, pdf: Path, billing_email: str | None) -> IssuedFigures:
        doc = statement_json_of(pdf.read_bytes())
        credit, uptime, terms = doc["credit"], doc["uptime"], doc.get("credit_terms") or {}
        return cls(
            customer_id=doc["customer"]["customer_id"],
            customer_name=doc["customer"]["name"],
            month=doc["month"],
            statement_id=doc["statement_id"],
            currency=credit["currency"],
            minor_unit=int(credit["minor_unit"]),
            credit_amount=credit["credit_amount"],
            credit_pct=credit["credit_pct"],
            capped=bool(credit["capped"]),
            cap_pct=str(terms.get("cap_pct", "")),
            uptime_percent=uptime["uptime_percent"],
            target=uptime["target"],
            shortfall_steps=int(uptime.get("shortfall_steps") or 0),
            credit_per_step_pct=str(terms.get("credit_per_step_pct", "")),
            billing_email=billing_email,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IssuedFigures:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @property
    def target_percent(self) -> str:
        """'0.999' → '99.9' (exact: the target is a decimal string)."""
        return _plain(Decimal(self.target) * 100)

    @property
    def month_label(self) -> str:
        return month_label(parse_month(self.month)[0])

    def credit_memo(self) -> str:
        """One sentence, e.g. 'SLA credit, October 2026: uptime 99.798 % against 99.9 %, 1 step × 5 %'."""
        steps = f"{self.shortfall_steps} step{'' if self.shortfall_steps == 1 else 's'}"
        memo = (
            f"SLA credit, {self.month_label}: uptime {self.uptime_percent} % against {self.target_percent} %, "
            f"{steps} × {self.credit_per_step_pct} %"
        )
        return memo + (f", capped at {self.cap_pct} %" if self.capped else "")


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def statement_message(
    figures: IssuedFigures, version: int, pdf: Path, sender: str, issued_at: datetime
) -> EmailMessage:
    """The email of one issued statement: summary in the body, the PDF attached."""
    message = EmailMessage()
    message["Subject"] = f"SLA credit statement {figures.month_label}: {figures.statement_id}"
    message["From"] = sender
    message["To"] = figures.billing_email or ""
    message["Date"] = format_datetime(issued_at)
    # Deterministic: the same statement version always carries the same Message-ID (duplicates detectable).
    message["Message-ID"] = f"<{figures.statement_id}.v{version}@sla-report>"
    message["X-SLA-Statement-Id"] = figures.statement_id
    lines = [
        f"SLA credit statement for {figures.customer_name} — {figures.month_label}",
        "",
        f"Statement id:   {figures.statement_id} (version {version})",
        f"Service credit: {figures.credit_amount} {figures.currency} ({figures.credit_pct} % of the fee base"
        + (f", capped at {figures.cap_pct} %)" if figures.capped else ")"),
        f"Uptime:         {figures.uptime_percent} % against a target of {figures.target_percent} %",
        "",
        "The statement is attached as a PDF; every figure is also embedded in it as statement.json.",
        "The credit will appear on your next invoice.",
    ]
    message.set_content("\n".join(lines) + "\n")
    message.add_attachment(
        pdf.read_bytes(), maintype="application", subtype="pdf", filename=f"{figures.statement_id}.pdf"
    )
    return message


__all__ = ["DEFAULT_SENDER", "IssuedFigures", "statement_message"]
