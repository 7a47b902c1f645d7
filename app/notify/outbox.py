"""Putting messages in the outbox, inside the caller's transaction: the news and the duty to tell
someone about it are committed together or not at all. The worker sends them later.

Who is told what, and when, is the business of the capability that queues a message (a case's
victims: app/cases/updates.py; agencies: app/cases/agency_messages.py; a victim's requests and
referrals: app/victim_requests); the outbox only keeps the rows and hands them to the worker."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.bulk import insert_new
from app.core.ids import new_public_id
from app.core.time import utcnow
from app.extensions import db
from app.notify.models import PENDING, Notification


def queue_messages(rows: list[dict]) -> int:
    """Insert outbox rows whose dedupe_key is new; note them for the worker after commit.
    Returns how many were new."""
    now = utcnow()
    for row in rows:
        row.setdefault("public_id", new_public_id())
        row.update(status=PENDING, attempts=0, created_at=now)
    created = insert_new(Notification, rows, unique=("dedupe_key",), returning=("id", "not_before"))
    db.session.info.setdefault("outbox", []).extend((r.id, r.not_before) for r in created)
    return len(created)


# After the commit, hand the new messages to the worker at once. If the queue cannot take them
# (Redis down, say), nothing is lost: the worker's sweep finds every due row in the outbox.
@event.listens_for(Session, "after_commit")
def _hand_to_worker(session: Session) -> None:
    queued = session.info.pop("outbox", None)
    if not queued:
        return
    try:
        if not current_app.config["NOTIFY_ENQUEUE"]:
            return
        from app.notify.worker import enqueue

        enqueue(queued)
    except Exception:  # the sweep will find them
        current_app.logger.warning("could not hand messages to the worker", exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("outbox", None)
