"""How and when the hub may contact someone with an account: at their safe times, by the way
they chose, never if they chose no messages. The outbox's "email" and "sms" channels, which
deliver to an account holder, are registered here."""

from __future__ import annotations

import datetime as dt
import logging

from flask import Flask, current_app

from app.accounts.messages import compose, compose_account
from app.accounts.models import User
from app.accounts.service import ACCOUNT_CHANNEL, ACCOUNT_EXISTS
from app.core.time import utcnow
from app.extensions import db
from app.notify.channels import NothingToSend, NotYet, register_channel
from app.notify.email import send_email
from app.notify.messages import Message
from app.notify.models import Notification
from app.notify.outbox import queue_messages
from app.notify.safe_times import next_safe_time

log = logging.getLogger(__name__)


def safe_time_for(user: User, now: dt.datetime) -> dt.datetime | None:
    """The first moment at or after `now` the victim said is safe (None: never)."""
    return next_safe_time(now, user.safe_days.split(","), user.safe_from, user.safe_to)


def channel_for(user: User) -> str:
    return "sms" if user.contact_channel == "sms" and user.phone else "email"


def queue_victim_update(user: User, key: str, now: dt.datetime | None = None) -> bool:
    """A neutral "you have a new update" (something moved on in a request, a referral or a
    message thread), at the victim's next safe time, by the way they chose; never if they chose
    no messages. `key` names the cause, so one cause never sends twice."""
    if user.contact_channel == "none" or user.deletion_requested_at is not None:
        return False
    when = safe_time_for(user, now or utcnow())
    if when is None:
        return False
    return bool(
        queue_messages(
            [
                {
                    "dedupe_key": key,
                    "kind": "case_update",
                    "channel": channel_for(user),
                    "user_id": user.id,
                    "payload": {},
                    "not_before": when,
                }
            ]
        )
    )


def _wait_for_safe_time(user: User, now: dt.datetime) -> None:
    """Send only within the holder's safe times: later (NotYet) or never (no safe time)."""
    when = safe_time_for(user, now)
    if when is None:
        raise NothingToSend
    if when > now:
        raise NotYet(when)


def send_to_account_holder(notification: Notification, now: dt.datetime) -> None:
    user = db.session.get(User, notification.user_id) if notification.user_id else None
    if user is None or user.deletion_requested_at is not None or user.contact_channel == "none":
        raise NothingToSend
    _wait_for_safe_time(user, now)
    message = compose(notification.kind, user)
    # A text message needs a number: without one, the message goes by e-mail.
    phone = user.phone if notification.channel == "sms" else None
    if phone:
        _text(phone, message, notification.public_id)
    else:
        _email(user, message, notification.public_id)


def send_account_email(notification: Notification, now: dt.datetime) -> None:
    """The "account" channel: confirmation links, reset links, "this address already has an
    account". Always by e-mail (the address is what they are about). The first two were asked for
    a moment ago by someone waiting for them, so they go at once; "already has an account" can be
    set off by anyone, so it waits for the holder's safe times and is not sent to someone who
    chose no messages. A row without an account (a reset asked for an unknown address) is
    dropped here: nothing is ever sent to an address the hub has no account for."""
    user = db.session.get(User, notification.user_id) if notification.user_id else None
    if user is None:
        raise NothingToSend
    if notification.kind == ACCOUNT_EXISTS:
        if user.contact_channel == "none":
            raise NothingToSend
        _wait_for_safe_time(user, now)
    _email(user, compose_account(notification.kind, user), notification.public_id)


def _notify_client():
    from notifications_python_client.notifications import NotificationsAPIClient

    config = current_app.config
    return NotificationsAPIClient(config["NOTIFY_API_KEY"], base_url=config["NOTIFY_BASE_URL"])


def _text(phone: str, message: Message, reference: str) -> None:
    config = current_app.config
    if config.get("NOTIFY_API_KEY"):
        _notify_client().send_sms_notification(
            phone_number=phone,
            template_id=config["NOTIFY_SMS_TEMPLATE_ID"],
            personalisation={"body": message.short},
            reference=reference,
        )
        return
    # Text messages need Notify; without it (demo, tests) they land in the mail sink, so what
    # would have been sent can be read, addressed to the phone number.
    log.warning("no NOTIFY_API_KEY: text message written to the mail sink")
    send_email(phone, message.subject, message.short, message_id=reference)


def _email(user: User, message: Message, reference: str) -> None:
    config = current_app.config
    if config.get("NOTIFY_API_KEY"):
        _notify_client().send_email_notification(
            email_address=user.email,
            template_id=config["NOTIFY_EMAIL_TEMPLATE_ID"],
            personalisation={"subject": message.subject, "body": message.body},
            reference=reference,
        )
        return
    # The sender's name follows the holder's choice too: "Victim Care Hub" only if safe.
    sender = config["MAIL_FROM"] if user.may_name_hub else config["MAIL_FROM_NEUTRAL"]
    send_email(user.email, message.subject, message.body, message_id=reference, sender=sender)


def init_app(app: Flask) -> None:
    register_channel(app, "email", send_to_account_holder)
    register_channel(app, "sms", send_to_account_holder)
    register_channel(app, ACCOUNT_CHANNEL, send_account_email)
