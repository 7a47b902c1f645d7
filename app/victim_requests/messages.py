"""The secure message thread between a victim and the hub's navigators: one thread per victim,
plain text, no attachments. The victim hears of a reply by their own contact preferences, in
neutral words; the message itself is only ever read after signing in."""

from __future__ import annotations

from sqlalchemy import func, select, update

from app.accounts import contact
from app.accounts.models import User
from app.core.time import utcnow
from app.extensions import db
from app.tasks.service import open_task
from app.victim_requests.models import Message

MAX_LENGTH = 5_000


def thread(victim: User, limit: int = 200) -> list[Message]:
    """The latest `limit` messages, oldest first (as a conversation reads)."""
    rows = db.session.scalars(
        select(Message)
        .where(Message.victim_id == victim.id)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    )
    return list(rows)[::-1]


def post_from_victim(victim: User, body: str) -> Message:
    message = Message(
        victim_id=victim.id, author_id=victim.id, from_victim=True, body=body, created_at=utcnow()
    )
    db.session.add(message)
    return message


def post_from_navigator(navigator: User, victim: User, body: str) -> Message:
    now = utcnow()
    message = Message(
        victim_id=victim.id, author_id=navigator.id, from_victim=False, body=body, created_at=now
    )
    db.session.add(message)
    db.session.flush()
    # The victim's messages up to now count as answered.
    db.session.execute(
        update(Message)
        .where(Message.victim_id == victim.id, Message.from_victim, Message.read_at.is_(None))
        .values(read_at=now)
    )
    contact.queue_victim_update(victim, f"message:{message.public_id}")
    return message


def mark_read_by_victim(victim: User) -> None:
    db.session.execute(
        update(Message)
        .where(
            Message.victim_id == victim.id,
            Message.from_victim.is_(False),
            Message.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )


def unread_for_victim(victim: User) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                Message.victim_id == victim.id,
                Message.from_victim.is_(False),
                Message.read_at.is_(None),
            )
        )
        or 0
    )


def report_not_told(victim: User, about: str, case_id: int | None) -> Message:
    """ "I was not told about …": kept in the thread (so the victim sees what they said) and a
    troubleshooting task for the navigators, one per report."""
    message = post_from_victim(victim, about)
    db.session.flush()
    key = f"not-told-message:{message.public_id}"
    open_task(
        kind="not_told", reason="victim_not_told", key=key, user_id=victim.id, case_id=case_id
    )
    return message
