"""Sending what is in the outbox, at least once and never twice on purpose.

A worker claims a row with one conditional UPDATE (so two workers never both send it), commits,
sends, then records the result. If it dies in between, the claim's lease runs out and another
worker sends it again with the same Message-ID / Hub-Delivery id, which the receiving side uses
to drop the repeat. Failures back off exponentially; after NOTIFY_MAX_ATTEMPTS a message fails,
and whoever registered the kind of message is told (a failed critical update becomes a
navigator's task)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from flask import current_app
from sqlalchemy import CursorResult, and_, or_, select, update

from app.core.time import utcnow
from app.extensions import db
from app.notify.channels import NothingToSend, NotYet, failure_handlers, sender_for
from app.notify.models import CANCELLED, FAILED, PENDING, SENDING, SENT, Notification

log = logging.getLogger(__name__)
MAX_BACKOFF = dt.timedelta(hours=6)


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
    assert isinstance(result, CursorResult)  # an UPDATE without RETURNING: it counts its rows
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


def deliver(notification_id: int, now: dt.datetime | None = None) -> str:
    """Send one message if it is due and nobody else holds it. Returns what happened."""
    now = now or utcnow()
    if not claim(notification_id, now):
        return "skipped"
    notification = db.session.get_one(Notification, notification_id)  # claimed: it is there
    try:
        sender_for(notification.channel)(notification, now)
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
    for handler in failure_handlers(notification.kind):
        handler(notification)


def sweep(now: dt.datetime | None = None, limit: int = 500) -> Counter:
    """Send everything due (and everything a dead worker left claimed). Returns the tally."""
    tally: Counter = Counter()
    for notification_id in due(now or utcnow(), limit):
        tally[deliver(notification_id, now)] += 1
    return tally
