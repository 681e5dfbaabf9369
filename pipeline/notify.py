"""Sending email: one SMTP message, or the same message as an `.eml` file when no server is configured.

Dagster-free and independent of finance, so any part of the project (statement issuance, run-failure
notices) can use it. `SLA_SMTP_URL` names the server:
- `smtp://host:port` — plain SMTP; STARTTLS (certificate verified) when the server offers it;
- `smtps://host:port` — SMTP over TLS from the first byte;
- `user:password@` before the host logs in (percent-encode special characters).
`SLA_SMTP_FROM` is the sender address.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TIMEOUT_SECONDS = 30


class NotifyError(RuntimeError):
    """A message could not be sent or written; the message says why, in words for a person."""


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise NotifyError(f"SLA_SMTP_URL must look like smtp://host:port or smtps://host:port, got {url!r}")
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError as exc:
            raise NotifyError(f"SLA_SMTP_URL has an invalid port: {url!r}") from exc
        return cls(
            parts.scheme,
            parts.hostname,
            port,
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
        )

    def describe(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def _text(reply: bytes | str) -> str:
    return (reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)).strip()


def send(server: SmtpServer, message: EmailMessage) -> None:
    """Hand `message` to the server; raise `NotifyError` saying what went wrong (never a traceback)."""
    try:
        if server.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
        with client:
            client.ehlo()
            if server.scheme == "smtp" and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if server.username:
                client.login(server.username, server.password or "")
            refused = client.send_message(message)
            if refused:  # some recipients refused (all refused raises SMTPRecipientsRefused)
                raise smtplib.SMTPRecipientsRefused(refused)
    except smtplib.SMTPResponseException as exc:
        raise NotifyError(f"{server.describe()} answered {exc.smtp_code} {_text(exc.smtp_error)}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        refused = "; ".join(f"{rcpt} ({code} {_text(reply)})" for rcpt, (code, reply) in sorted(exc.recipients.items()))
        raise NotifyError(f"{server.describe()} refused recipients: {refused}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise NotifyError(f"cannot send through {server.describe()}: {exc}") from exc


def message_bytes(message: EmailMessage) -> bytes:
    """The message as it goes on the wire (CRLF line ends): what an `.eml` file holds."""
    return message.as_bytes(policy=SMTP_POLICY)


def write_eml(path: Path, message: EmailMessage) -> Path:
    """Write the message as an `.eml` file (temporary name, then rename: never half a file)."""
    from pipeline.statements.files import atomic_write

    try:
        atomic_write(path, message_bytes(message))
    except OSError as exc:
        raise NotifyError(f"cannot write {path}: {exc.strerror}") from exc
    return path


__all__ = ["NotifyError", "SmtpServer", "message_bytes", "send", "write_eml"]
