"""Telling people that a run failed: one email and one webhook call per failed run. Dagster-free.

Settings come from the environment when an alert is sent (never at import):
- `SLA_ALERT_EMAIL` — recipients, comma-separated; sent through `SLA_SMTP_URL` from `SLA_SMTP_FROM`,
  the server statement issuance uses (`pipeline/notify.py` says what the URL may hold);
- `SLA_ALERT_WEBHOOK_URL` — an `http(s)://` URL that receives the failure as a JSON `POST`;
- `SLA_DAGSTER_UI_URL` — the UI's address for the link to the run (default `http://localhost:3000`).

A channel that is not configured is skipped; a configured channel that fails is reported in the
result (one line per channel), never as a traceback, and does not stop the other channel.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from pipeline import notify

TIMEOUT_SECONDS = 15
DEFAULT_UI_URL = "http://localhost:3000"


class AlertError(RuntimeError):
    """A notice could not be delivered; the message says which channel and why."""


@dataclass(frozen=True)
class AlertSettings:
    smtp_url: str | None
    smtp_from: str | None
    email_to: tuple[str, ...]
    webhook_url: str | None
    ui_url: str = DEFAULT_UI_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AlertSettings:
        env = os.environ if environ is None else environ

        def value(name: str) -> str | None:
            return env.get(name, "").strip() or None

        recipients = tuple(a.strip() for a in (value("SLA_ALERT_EMAIL") or "").split(",") if a.strip())
        return cls(
            smtp_url=value("SLA_SMTP_URL"),
            smtp_from=value("SLA_SMTP_FROM"),
            email_to=recipients,
            webhook_url=value("SLA_ALERT_WEBHOOK_URL"),
            ui_url=(value("SLA_DAGSTER_UI_URL") or DEFAULT_UI_URL).rstrip("/"),
        )


@dataclass(frozen=True)
class RunFailure:
    """What a person needs to act on a failed run."""

    run_id: str
    job: str
    month: str | None  # the partition; None for an unpartitioned run
    step: str | None  # the first step that failed
    reason: str  # its one-line failure
    launched_by: str | None = None  # cli, schedule, drop sensor, UI, …

    def run_url(self, ui_url: str) -> str:
        return f"{ui_url}/runs/{self.run_id}"

    def subject(self) -> str:
        month = f" {self.month}" if self.month else ""
        return f"sla-report: run of{month} failed ({self.step or self.job})"


def failure_email(failure: RunFailure, settings: AlertSettings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = failure.subject()
    message["From"] = settings.smtp_from or ""
    message["To"] = ", ".join(settings.email_to)
    message.set_content(
        "\n".join(
            [
                f"The {failure.job} run of {failure.month or '(no month)'} failed; nothing was published for it.",
                "",
                f"Failed step: {failure.step or '(the run itself)'}",
                f"Reason:      {failure.reason}",
                f"Run:         {failure.run_id}" + (f" (launched by {failure.launched_by})" if failure.launched_by else ""),
                f"In the UI:   {failure.run_url(settings.ui_url)}",
                "",
                "docs/operations.md says what to do for each kind of failure.",
            ]
        )
        + "\n"
    )
    return message


def failure_payload(failure: RunFailure, settings: AlertSettings) -> dict[str, object]:
    """The webhook's JSON body: the failure's fields, a one-line text and the run's UI link."""
    return {
        "event": "run_failed",
        **asdict(failure),
        "text": f"{failure.subject()}: {failure.reason}",
        "run_url": failure.run_url(settings.ui_url),
    }


def send_email(smtp_url: str, message: EmailMessage) -> None:
    """Through the server statement issuance uses (`pipeline.notify`); its errors become `AlertError`."""
    try:
        notify.send(notify.SmtpServer.from_url(smtp_url), message)
    except notify.NotifyError as exc:
        raise AlertError(str(exc)) from exc


def post_webhook(url: str, payload: Mapping[str, object]) -> int:
    """POST `payload` as JSON; return the HTTP status (2xx), raise `AlertError` otherwise."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise AlertError(f"SLA_ALERT_WEBHOOK_URL must be an http(s) URL, got {url!r}")
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "sla-report"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        raise AlertError(f"webhook {url} answered {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise AlertError(f"webhook {url} failed: {getattr(exc, 'reason', exc)}") from exc


def notify_failure(failure: RunFailure, settings: AlertSettings) -> dict[str, str]:
    """Send the email and the webhook call that are configured; return one line per channel
    (`sent …`, `skipped: …` or `failed: …`)."""
    outcome: dict[str, str] = {}
    if not settings.email_to:
        outcome["email"] = "skipped: SLA_ALERT_EMAIL is not set"
    elif not (settings.smtp_url and settings.smtp_from):
        outcome["email"] = "failed: SLA_ALERT_EMAIL is set but SLA_SMTP_URL or SLA_SMTP_FROM is not"
    else:
        try:
            send_email(settings.smtp_url, failure_email(failure, settings))
            outcome["email"] = f"sent to {', '.join(settings.email_to)}"
        except AlertError as exc:
            outcome["email"] = f"failed: {exc}"
    if not settings.webhook_url:
        outcome["webhook"] = "skipped: SLA_ALERT_WEBHOOK_URL is not set"
    else:
        try:
            status = post_webhook(settings.webhook_url, failure_payload(failure, settings))
            outcome["webhook"] = f"sent ({status})"
        except AlertError as exc:
            outcome["webhook"] = f"failed: {exc}"
    return outcome


__all__ = [
    "AlertError",
    "AlertSettings",
    "RunFailure",
    "failure_email",
    "failure_payload",
    "notify_failure",
    "post_webhook",
    "send_email",
]
