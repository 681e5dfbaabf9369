"""The finance commands of `sla-report`: approve, issue, credit-notes, user add, serve.

`pipeline/cli.py` adds these to its parser (`add_finance_commands`) and hands them over
(`run_finance_command`); every refusal prints one line saying why and exits 1.
"""

from __future__ import annotations

import argparse
import sys

from pipeline.settings import Settings

FINANCE_COMMANDS = ("approve", "issue", "credit-notes", "user", "serve")

FINANCE_EPILOG = """\
environment (finance):
  SLA_LEDGER      the approval / issuance ledger (default: sla-ledger.jsonl beside the warehouse)
  SLA_SMTP_URL    smtp://host:port to email issued statements (unset: write .eml files instead)
  SLA_SMTP_FROM   the sender address of those emails
  SLA_USERS_FILE  the portal's users (default: sla-users.yaml beside the ledger)
"""


def _month_command(commands, name: str, help_text: str, description: str) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name, help=help_text, description=description, epilog=FINANCE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the service month, e.g. 2026-10")
    return parser


def add_finance_commands(commands) -> None:  # noqa: ANN001 - argparse's private subparsers action
    for name, help_text, description in (
        (
            "approve",
            "approve the month's current statements (refused while an ERROR check fails)",
            "Record that NAME approved the current statements of the month (all, or the given customers). "
            "Refused while one of the month's ERROR checks fails on the published warehouse.",
        ),
        (
            "issue",
            "issue approved statements: email them (SLA_SMTP_URL) or write .eml files",
            "Issue the approved current statements of the month (all, or the given customers): email each "
            "to the customer's billing_email with the PDF attached, or, without SLA_SMTP_URL, write the same "
            "message as <customer>.v<N>.eml into the month folder. Refused if a targeted statement is not approved.",
        ),
    ):
        parser = _month_command(commands, name, help_text, description)
        parser.add_argument("--by", required=True, metavar="NAME", help="who approves / issues (recorded in the ledger)")
        parser.add_argument(
            "--customer", action="append", default=[], metavar="ID", help="only this customer (repeatable)"
        )
    add_credit_notes_command(commands)
    user = commands.add_parser(
        "user", help="manage the finance portal's users (SLA_USERS_FILE)", epilog=FINANCE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser(
        "add", help="add a user (or reset one's password and role); the password is read from stdin",
        description="Add NAME to SLA_USERS_FILE with a scrypt hash of the password read from stdin (first line).",
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=["viewer", "approver"])
    serve = commands.add_parser(
        "serve", help="start the finance portal (web page: months, statements, approve, issue)",
        description="Serve the finance portal over the published warehouse and the ledger.",
        epilog=FINANCE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")


def add_credit_notes_command(commands) -> None:  # noqa: ANN001
    parser = _month_command(
        commands,
        "credit-notes",
        "write the month's credit notes for billing (CSV, or JSON Lines for FILE.jsonl)",
        "One line per issued credit (credit > 0) and one per void, with a deterministic credit_note_id. "
        "Default FILE: credit_notes.csv in the month's statements folder. Column mappings to Stripe, "
        "NetSuite and Xero: docs/finance.md.",
    )
    parser.add_argument("--out", metavar="FILE", help="where to write (default: the month folder's credit_notes.csv)")


def _print_outcome(outcome, out) -> int:  # noqa: ANN001
    for line in outcome.lines():
        print(line, file=out)
    if not outcome.done and not outcome.failed:
        print("nothing to do", file=out)
    return 0 if outcome.ok else 1


def run_finance_command(args: argparse.Namespace, out=None) -> int:
    """Run one finance command; raises `FinanceError` (or a subclass) for a refusal."""
    from pipeline.finance.actions import approve, issue

    out = out or sys.stdout
    settings = Settings.from_env()
    if args.command in ("approve", "issue"):
        act = approve if args.command == "approve" else issue
        outcome = act(settings, args.month, args.by, args.customer)
        return _print_outcome(outcome, out)
    if args.command == "credit-notes":
        from pathlib import Path

        from pipeline.finance.credit_notes import live_totals, write_credit_notes

        target, notes = write_credit_notes(settings, args.month, Path(args.out).absolute() if args.out else None)
        totals = ", ".join(f"{c} {n}" for c, n in sorted(live_totals(notes).items())) or "none"
        voids = sum(n.kind == "void" for n in notes)
        print(f"{target}: {len(notes) - voids} credit, {voids} void lines; live credits (minor units): {totals}", file=out)
        return 0
    if args.command == "user":
        from pipeline.finance.users import add_user

        password = sys.stdin.readline().rstrip("\r\n")
        user = add_user(settings.users, args.name, args.role, password)
        print(f"{user.name} ({user.role}) saved in {settings.users}", file=out)
        return 0
    if args.command == "serve":
        from pipeline.finance.portal import serve

        if not settings.users.exists():
            print(f"sla-report: no users yet: add one with `sla-report user add NAME --role approver` ({settings.users})",
                  file=sys.stderr)
        serve(settings, args.host, args.port)
        return 0
    raise ValueError(f"not a finance command: {args.command}")


__all__ = ["FINANCE_COMMANDS", "add_finance_commands", "run_finance_command"]
