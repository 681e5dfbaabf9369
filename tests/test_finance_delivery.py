"""Issuing reaches the customer (issue #10, §1): a real local SMTP server (aiosmtpd), or `.eml` files.

Every message carries the very PDF the warehouse lists (same sha256) and a plain-text summary with
the credit, the uptime against its target and the statement id; every send and every failure is in
the ledger, and a failed send leaves the statement approved.
"""

from __future__ import annotations

import email
import hashlib
from email import policy

import pytest
from fixtures.finance import MONTH
from fixtures.mail import free_port, smtp_servers

from pipeline.finance.actions import approve, issue
from pipeline.finance.ledger import Ledger
from pipeline.finance.status import read_versions, statement_states
from pipeline.warehouse import connection


@pytest.fixture
def smtp_server():
    with smtp_servers() as start:
        yield start


def _pdf_parts(raw: bytes):
    message = email.message_from_bytes(raw, policy=policy.default)
    body = message.get_body(("plain",)).get_content()
    pdfs = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    return message, body, pdfs


def _sha(path: str) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def _state(world, customer: str):
    with connection(world.warehouse, read_only=True) as con:
        versions = read_versions(con, MONTH)
    return next(s for s in statement_states(versions, Ledger(world.ledger).events()) if s.customer_id == customer)


def test_issue_emails_the_pdf_and_a_summary_through_a_real_smtp_server(finance_month, tmp_path, smtp_server):
    inbox, url = smtp_server()
    world = finance_month.copy(tmp_path)
    settings = world.settings(SLA_SMTP_URL=url, SLA_SMTP_FROM="credits@vendor.example")
    approve(settings, MONTH, "ann", ["globex", "kyoto-ai"])
    outcome = issue(settings, MONTH, "ian", ["globex", "kyoto-ai"])
    assert outcome.ok and len(outcome.done) == 2
    assert [(sender, rcpts) for sender, rcpts, _ in inbox.messages] == [
        ("credits@vendor.example", ["ap@globex.example"]),
        ("credits@vendor.example", ["keiri@kyoto-ai.example"]),
    ]
    message, body, pdfs = _pdf_parts(inbox.messages[0][2])
    globex = _state(world, "globex").statement
    assert message["Subject"].strip() == f"SLA credit statement October 2026: {globex.statement_id}"
    assert globex.sha256 == _sha(globex.path)
    assert [hashlib.sha256(p.get_content()).hexdigest() for p in pdfs] == [globex.sha256]
    assert f"Statement id:   {globex.statement_id} (version 1)" in body
    assert "Service credit: 1000.01 USD (5 % of the fee base)" in body
    assert "Uptime:         99.798 % against a target of 99.9 %" in body
    _, kyoto_body, _ = _pdf_parts(inbox.messages[1][2])
    assert "Service credit: 150000 JPY (10 % of the fee base)" in kyoto_body
    assert "Uptime:         99.699 % against a target of 99.9 %" in kyoto_body

    events = [(e.event, e.customer_id, e.delivery, e.recipient) for e in Ledger(world.ledger).events() if e.event != "approved"]
    assert events == [
        ("sent", "globex", "smtp", "ap@globex.example"),
        ("issued", "globex", "smtp", "ap@globex.example"),
        ("sent", "kyoto-ai", "smtp", "keiri@kyoto-ai.example"),
        ("issued", "kyoto-ai", "smtp", "keiri@kyoto-ai.example"),
    ]
    assert _state(world, "globex").status == "issued"
    # issuing again sends nothing twice
    assert issue(settings, MONTH, "ian", ["globex"]).done == [] and len(inbox.messages) == 2


def test_a_refused_send_is_recorded_and_keeps_the_statement_approved(finance_month, tmp_path, smtp_server):
    inbox, url = smtp_server(refuse={"ap@globex.example"})
    world = finance_month.copy(tmp_path)
    settings = world.settings(SLA_SMTP_URL=url, SLA_SMTP_FROM="credits@vendor.example")
    approve(settings, MONTH, "ann", ["globex", "umbrella"])
    outcome = issue(settings, MONTH, "ian", ["globex", "umbrella"])
    assert not outcome.ok
    (failure,) = outcome.failed
    assert failure.startswith("globex v1: not issued, still approved — ") and "550" in failure
    assert [rcpts for _, rcpts, _ in inbox.messages] == [["billing@umbrella.example"]]
    (failed,) = [e for e in Ledger(world.ledger).events() if e.event == "send_failed"]
    assert (failed.customer_id, failed.recipient, failed.delivery) == ("globex", "ap@globex.example", "smtp")
    assert "550" in failed.detail and "mailbox unavailable" in failed.detail
    assert _state(world, "globex").status == "approved"
    assert _state(world, "umbrella").status == "issued"


def test_an_unreachable_server_and_a_missing_billing_email_are_failures_with_reasons(finance_month, tmp_path):
    port = free_port()  # nothing listens on it
    world = finance_month.copy(tmp_path)
    settings = world.settings(SLA_SMTP_URL=f"smtp://127.0.0.1:{port}", SLA_SMTP_FROM="credits@vendor.example")
    approve(settings, MONTH, "ann", ["globex", "quote-co"])
    outcome = issue(settings, MONTH, "ian", ["globex", "quote-co"])
    assert outcome.failed[0].startswith(f"globex v1: not issued, still approved — cannot send through smtp://127.0.0.1:{port}")
    assert outcome.failed[1] == (
        "quote-co v1: not issued, still approved — customer quote-co has no billing_email in customers.csv"
    )
    assert [e.event for e in Ledger(world.ledger).events()] == ["approved", "approved", "send_failed", "send_failed"]
    assert _state(world, "quote-co").status == "approved"


def test_without_smtp_issue_writes_the_same_message_as_an_eml_file(finance_month, tmp_path):
    world = finance_month.copy(tmp_path)
    settings = world.settings()
    approve(settings, MONTH, "ann", ["umbrella"])
    assert issue(settings, MONTH, "ian", ["umbrella"]).ok
    eml = world.statements / MONTH / "umbrella.v1.eml"
    message, body, (pdf,) = _pdf_parts(eml.read_bytes())
    umbrella = _state(world, "umbrella").statement
    assert message["To"] == "billing@umbrella.example"
    assert hashlib.sha256(pdf.get_content()).hexdigest() == umbrella.sha256
    assert "Service credit: 246.77 USD (5 % of the fee base)" in body
    assert "Uptime:         99.799 % against a target of 99.9 %" in body
    (sent,) = [e for e in Ledger(world.ledger).events() if e.event == "sent"]
    assert (sent.delivery, sent.detail) == ("eml", f"written to {eml} for billing@umbrella.example")


def test_smtp_without_a_sender_is_refused(finance_month, tmp_path):
    from pipeline.finance import FinanceError

    world = finance_month.copy(tmp_path)
    with pytest.raises(FinanceError, match="SLA_SMTP_URL is set but SLA_SMTP_FROM"):
        issue(world.settings(SLA_SMTP_URL="smtp://127.0.0.1:25"), MONTH, "ian")
