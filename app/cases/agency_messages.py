"""What the hub tells agencies: signed webhooks to their systems, and e-mails to their contact
address that carry counts and a pointer to the partner API, never a victim's details (e-mail is
not a safe place for them). The outbox's "webhook" and "agencymail" channels are registered
here, with the agency (a case's owner) they deliver to."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app
from flask_babel import gettext as _

from app.accounts.service import external_url
from app.cases.models import Agency
from app.core.crypto import decrypt
from app.core.time import as_utc, utcnow
from app.extensions import db
from app.notify import webhooks
from app.notify.channels import NothingToSend, register_channel
from app.notify.email import send_email
from app.notify.messages import Message
from app.notify.models import Notification
from app.notify.outbox import queue_messages


def queue_webhook(
    agency: Agency, event_type: str, data: dict, key: str, now: dt.datetime | None = None
) -> bool:
    """An alert for an agency's system. Queued even before a URL is registered: the worker
    cancels it then, and the record shows the agency could not be told."""
    return bool(
        queue_messages(
            [
                {
                    "dedupe_key": f"webhook:{agency.id}:{key}",
                    "kind": event_type,
                    "channel": "webhook",
                    "agency_id": agency.id,
                    "payload": {"type": event_type, "data": data},
                    "not_before": now or utcnow(),
                }
            ]
        )
    )


def queue_agency_email(agency: Agency, event_type: str, data: dict, key: str) -> bool:
    """An e-mail to the agency's contact address, if it has one."""
    if not agency.contact_email:
        return False
    return bool(
        queue_messages(
            [
                {
                    "dedupe_key": f"agency-email:{agency.id}:{key}",
                    "kind": event_type,
                    "channel": "agencymail",
                    "agency_id": agency.id,
                    "payload": {
                        "type": event_type,
                        "count": data.get("count", 0),
                        "overdue": data.get("overdue", 0),
                    },
                    "not_before": utcnow(),
                }
            ]
        )
    )


def _send_webhook(notification: Notification, now: dt.datetime) -> None:
    agency = db.session.get(Agency, notification.agency_id) if notification.agency_id else None
    if agency is None or not agency.webhook_url or not agency.webhook_secret:
        raise NothingToSend
    webhooks.post(
        agency.webhook_url,
        decrypt(agency.webhook_secret),
        notification.public_id,
        {
            "id": notification.public_id,
            "type": notification.payload["type"],
            "created_at": as_utc(notification.created_at).isoformat(),
            "data": notification.payload["data"],
        },
        allow_private=current_app.config["HUB_ENV"] != "production",
    )


def _send_email(notification: Notification, now: dt.datetime) -> None:
    agency = db.session.get(Agency, notification.agency_id) if notification.agency_id else None
    if agency is None or not agency.contact_email:
        raise NothingToSend
    message = compose_for_agency(notification.payload)
    send_email(
        agency.contact_email, message.subject, message.body, message_id=notification.public_id
    )


def compose_for_agency(payload: dict) -> Message:
    """The e-mail to an agency's contact address: how many duties need attention and where to
    read them (the partner API), with no case or victim details."""
    count, overdue = payload.get("count", 0), payload.get("overdue", 0)
    if str(payload.get("type", "")).startswith("request."):
        link = external_url("partners.list_requests")
        subject = (
            _("A hub navigator asks about a victim's request")
            if payload["type"] == "request.chase"
            else _("A victim's request through the hub")
        )
        body = _(
            "A victim has sent a request about one of your cases through the hub, or a request "
            "has changed. Your case system can read it at:\n%(link)s\n\n"
            "This e-mail holds no case or victim details on purpose.",
            link=link,
        )
        return Message(subject=subject, body=body, short=subject)
    link = external_url("partners.get_entitlements")
    subject = _("Victims' Code duties need attention: %(count)d", count=count)
    body = _(
        "%(count)d Victims' Code duties on your cases are due soon or overdue (%(overdue)d "
        "overdue). Your case system can read them at:\n%(link)s\n\n"
        "This e-mail holds no case or victim details on purpose.",
        count=count,
        overdue=overdue,
        link=link,
    )
    return Message(subject=subject, body=body, short=subject)


def init_app(app: Flask) -> None:
    register_channel(app, "webhook", _send_webhook)
    register_channel(app, "agencymail", _send_email)
