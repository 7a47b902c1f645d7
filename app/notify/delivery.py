"""Sending what is in the outbox, at least once and never twice on purpose.

A worker claims a row with one conditional UPDATE (so two workers never both send it), commits,
sends, then records the result. If it dies in between, the claim's lease runs out and another
worker sends it again with the same Message-ID / Hub-Delivery id, which the receiving side uses
to drop the repeat. Failures back off exponentially; after NOTIFY_MAX_ATTEMPTS a message fails,
and a failed critical update becomes a navigator's task."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from flask import current_app
from sqlalchemy import and_, or_, select, update

from app.accounts.models import User
from app.cases.models import Agency
from app.core.crypto import decrypt
from app.core.time import as_utc, utcnow
from app.extensions import db
from app.notify import webhooks
from app.notify.email import send_email
from app.notify.messages import compose, compose_for_agency
from app.notify.models import CANCELLED, FAILED, PENDING, SENDING, SENT, Notification
from app.notify.outbox import safe_time_for

log = logging.getLogger(__name__)
MAX_BACKOFF = dt.timedelta(hours=6)


class NothingToSend(Exception):
    """The person or agency can no longer be reached this way (deleted, opted out, no URL)."""


class NotYet(Exception):
    """The victim changed their safe times since the message was queued."""

    def __init__(self, when: dt.datetime) -> None:
        self.when = when


def backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _lease_cutoff(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])


def _claimable(now: dt.datetime):
    return and_(
        Notification.not_before <= now,
        or_(
            Notification.status == PENDING,
            and_(Notification.status == SENDING, Notification.claimed_at < _lease_cutoff(now)),
        ),
    )


def claim(notification_id: int, now: dt.datetime) -> bool:
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, _claimable(now))
        .values(status=SENDING, claimed_at=now, attempts=Notification.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def due(now: dt.datetime, limit: int = 500) -> list[int]:
    return list(
        db.session.scalars(
            select(Notification.id)
            .where(_claimable(now))
            .order_by(Notification.not_before)
            .limit(limit)
        )
    )


def _send_to_victim(notification: Notification, now: dt.datetime) -> None:
    user = db.session.get(User, notification.user_id) if notification.user_id else None
    if user is None or user.deletion_requested_at is not None or user.contact_channel == "none":
        raise NothingToSend
    when = safe_time_for(user, now)
    if when is None:
        raise NothingToSend
    if when > now:
        raise NotYet(when)
    message = compose(notification.kind, user)
    config = current_app.config
    reference = notification.public_id
    channel = notification.channel if notification.channel == "email" or user.phone else "email"
    if config.get("NOTIFY_API_KEY"):
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(
            config["NOTIFY_API_KEY"], base_url=config["NOTIFY_BASE_URL"]
        )
        if channel == "sms":
            client.send_sms_notification(
                phone_number=user.phone,
                template_id=config["NOTIFY_SMS_TEMPLATE_ID"],
                personalisation={"body": message.short},
                reference=reference,
            )
        else:
            client.send_email_notification(
                email_address=user.email,
                template_id=config["NOTIFY_EMAIL_TEMPLATE_ID"],
                personalisation={"subject": message.subject, "body": message.body},
                reference=reference,
            )
        return
    if channel == "sms":
        # Text messages need Notify; without it (demo, tests) they land in the mail sink, so
        # what would have been sent can be read, addressed to the phone number.
        log.warning("no NOTIFY_API_KEY: text message written to the mail sink")
        send_email(user.phone, message.subject, message.short, message_id=reference)
        return
    sender = config["MAIL_FROM"] if user.may_name_hub else config["MAIL_FROM_NEUTRAL"]
    send_email(user.email, message.subject, message.body, message_id=reference, sender=sender)


def _send_to_agency(notification: Notification, now: dt.datetime) -> None:
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


def _send_to_agency_email(notification: Notification) -> None:
    agency = db.session.get(Agency, notification.agency_id) if notification.agency_id else None
    if agency is None or not agency.contact_email:
        raise NothingToSend
    message = compose_for_agency(notification.payload)
    send_email(agency.contact_email, message.subject, message.body,
               message_id=notification.public_id)  # fmt: skip


def _send_referral(notification: Notification) -> None:
    from app.victim_requests import referrals

    referral = referrals.by_public_id(notification.payload.get("referral", ""))
    if referral is None or referral.status != "requested" or not referral.address:
        raise NothingToSend  # withdrawn before it went, or the victim's account deleted
    subject, body = referrals.compose_email(referral)
    send_email(referral.address, subject, body, message_id=notification.public_id)
    referrals.mark_sent(referral.public_id)


def deliver(notification_id: int, now: dt.datetime | None = None) -> str:
    """Send one message if it is due and nobody else holds it. Returns what happened."""
    now = now or utcnow()
    if not claim(notification_id, now):
        return "skipped"
    notification = db.session.get(Notification, notification_id)
    try:
        if notification.channel == "webhook":
            _send_to_agency(notification, now)
        elif notification.channel == "agencymail":
            _send_to_agency_email(notification)
        elif notification.channel == "referral":
            _send_referral(notification)
        else:
            _send_to_victim(notification, now)
    except NothingToSend:
        notification.status = CANCELLED
    except NotYet as later:
        notification.status = PENDING
        notification.not_before = later.when
        notification.attempts -= 1  # not a failure
    except Exception as exc:
        notification.last_error = f"{type(exc).__name__}: {exc}"[:300]
        if notification.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
            notification.status = FAILED
            _failed(notification)
        else:
            notification.status = PENDING
            notification.not_before = now + backoff(notification.attempts)
        log.warning(
            "message not sent",
            extra={"fields": {"id": notification.public_id, "attempt": notification.attempts}},
        )
    else:
        notification.status = SENT
        notification.sent_at = now
    outcome = notification.status
    db.session.commit()
    return outcome


def _failed(notification: Notification) -> None:
    if notification.kind != "critical_update" or notification.user_id is None:
        return
    from app.tasks.service import open_task

    open_task(
        kind="contact_victim",
        reason="message_failed",
        key=f"failed:{notification.public_id}",
        user_id=notification.user_id,
        case_id=notification.payload.get("case"),
    )


def sweep(now: dt.datetime | None = None, limit: int = 500) -> Counter:
    """Send everything due (and everything a dead worker left claimed). Returns the tally."""
    tally: Counter = Counter()
    for notification_id in due(now or utcnow(), limit):
        tally[deliver(notification_id, now)] += 1
    return tally
