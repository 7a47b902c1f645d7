"""The outbox's "referral" channel: a referral the victim agreed to, e-mailed to the support
service's secure address when its turn comes (and not at all if it was withdrawn meanwhile)."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from app.notify.channels import NothingToSend, register_channel
from app.notify.email import send_email
from app.notify.models import Notification
from app.victim_requests import referrals


def _send_referral(notification: Notification, now: dt.datetime) -> None:
    referral = referrals.by_public_id(notification.payload.get("referral", ""))
    if referral is None or referral.status != "requested" or not referral.address:
        raise NothingToSend  # withdrawn before it went, or the victim's account deleted
    subject, body = referrals.compose_email(referral)
    send_email(referral.address, subject, body, message_id=notification.public_id)
    referrals.mark_sent(referral.public_id)


def init_app(app: Flask) -> None:
    register_channel(app, "referral", _send_referral)
