"""Sending e-mail: through SMTP when MAIL_SERVER is set, otherwise into a local mail sink (one
.eml file per message under MAIL_SINK_DIR) that demo users and tests read."""

from __future__ import annotations

import logging
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from app.notify import sink as mail_sink

log = logging.getLogger(__name__)


def send_email(
    to: str,
    subject: str,
    body: str,
    *,
    message_id: str | None = None,
    sender: str | None = None,
) -> None:
    """Send one message. A stable `message_id` lets the receiving side drop a repeat."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = sender or config["MAIL_FROM"]
    message["To"] = to
    # Neutral subjects only: never the crime, the agency or the service's purpose.
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id or uuid.uuid4()}@victim-care-hub>"
    message.set_content(body)
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=10) as s:
            if config.get("MAIL_USE_TLS"):
                s.starttls()
            if config.get("MAIL_USERNAME"):
                s.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            s.send_message(message)
        log.info("e-mail sent", extra={"fields": {"channel": "smtp"}})
        return
    mail_sink.store(Path(config["MAIL_SINK_DIR"]), message.as_bytes())
    log.info("e-mail written to the local mail sink", extra={"fields": {"channel": "sink"}})
