"""Outgoing e-mail: SMTP in production; in development, the console or a folder of .eml files.

MAIL_BACKEND is "smtp", "folder" (one .eml per message in MAIL_OUTBOX) or "console".
"""

from __future__ import annotations

import re
import smtplib
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    """Return a plain-text message from the configured sender."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@wishmap>"
    message.set_content(body)
    return message


class MailNotSent(RuntimeError):
    """The message could not be handed to the mail server (or written to the outbox)."""


def deliverable(address: str) -> bool:
    """Return False for an address under the reserved .invalid top-level domain (RFC 2606),
    which stands in for a respondent without e-mail (services/respondents.py)."""
    return not address.strip().lower().rstrip(".").endswith(".invalid")


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail through the configured backend; raise MailNotSent on failure.

    An undeliverable address is dropped here, whichever caller forgot to leave it out.
    """
    if not deliverable(to):
        current_app.logger.info("e-mail %r not sent: %s receives no mail", subject, to)
        return
    message = build_message(to, subject, body)
    backend = current_app.config["MAIL_BACKEND"]
    try:
        if backend == "smtp":
            _send_smtp(message)
        elif backend == "folder":
            outbox = Path(
                current_app.config["MAIL_OUTBOX"] or Path(current_app.instance_path) / "outbox"
            )
            outbox.mkdir(parents=True, exist_ok=True)
            name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
            (outbox / name).write_bytes(message.as_bytes())
        else:
            current_app.logger.info("e-mail to %s: %s\n%s", to, subject, _loggable(body))
    except (OSError, smtplib.SMTPException) as error:  # SMTPException covers refusals too
        current_app.logger.error("e-mail %r to %s not sent: %s", subject, to, error)
        raise MailNotSent(str(error)) from error


# A link's secret (secrets.token_urlsafe: 43 URL-safe characters) or any run that long.
_SECRET_RUN = re.compile(r"[A-Za-z0-9_-]{24,}")


def _loggable(body: str) -> str:
    """Return body fit for the server log: secrets masked unless debugging or testing.

    A log is read by more people than the mailbox (and kept longer): a live password-reset or
    verification link in it would hand over the account.
    """
    if current_app.debug or current_app.testing:
        return body
    masked = _SECRET_RUN.sub(lambda found: found.group()[:4] + "…[masked]", body)
    if masked != body:
        masked += (
            "\n[secrets in links are masked outside debug mode; "
            "WISHMAP_MAIL_BACKEND=folder keeps whole messages in instance/outbox]"
        )
    return masked


def try_send_mail(to: str, subject: str, body: str) -> bool:
    """Send one e-mail; return False (the failure is logged) instead of raising."""
    try:
        send_mail(to, subject, body)
    except MailNotSent:
        return False
    return True


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def outbox_messages(outbox: str | Path) -> list[EmailMessage]:
    """Return the messages written to a folder outbox, oldest first (for tests and previews).

    A folder not made yet (nothing sent) has none.
    """
    from email import policy
    from email.parser import BytesParser

    parser = BytesParser(policy=policy.default)
    return [
        parser.parsebytes(path.read_bytes())  # type: ignore[misc]
        for path in sorted(Path(outbox).glob("*.eml"))
    ]
