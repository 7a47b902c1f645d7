"""Signed-in sessions: a random token in the (signed, HttpOnly) cookie, its hash in the database.

Rotated at every sign-in, ended after SESSION_IDLE_MINUTES without a request or
SESSION_ABSOLUTE_HOURS after sign-in, and all of a person's sessions can be ended at once.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time

from flask import current_app, g, request, session
from sqlalchemy import CursorResult, select, update

from app.accounts.models import User, UserSession, token_hash
from app.core.time import as_utc, utcnow
from app.extensions import db

TOUCH_EVERY = dt.timedelta(seconds=60)  # write last_seen_at at most once a minute
PENDING_MFA_SECONDS = 300  # from the right password to the second factor


def pending_mfa_user() -> User | None:
    """The account whose password was just given, waiting for its second factor, if any."""
    pending = session.get("pending_mfa") or {}
    if time.time() - pending.get("at", 0) > PENDING_MFA_SECONDS or not pending.get("u"):
        return None
    return db.session.scalar(select(User).where(User.public_id == pending["u"]))


def start(user: User, *, mfa: bool, id_token: str | None = None) -> UserSession:
    """Sign `user` in: end the session the browser had, and issue a new token (no fixation)."""
    current = g.get("user_session")
    if current is not None:
        end(current, "rotated")
    token = secrets.token_urlsafe(32)
    record = UserSession(
        token_hash=token_hash(token), user=user, mfa_at=utcnow() if mfa else None, id_token=id_token
    )
    db.session.add(record)
    session.clear()
    session["sid"] = token
    g.user, g.user_session = user, record
    return record


def end(record: UserSession, reason: str) -> None:
    if record.ended_at is None:
        record.ended_at = utcnow()
        record.end_reason = reason


def end_all(user: User, reason: str) -> int:
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    assert isinstance(result, CursorResult)  # an UPDATE without RETURNING: it counts its rows
    return result.rowcount or 0


def expiry(record: UserSession, now: dt.datetime | None = None) -> str | None:
    """Why this session can no longer be used, or None if it can."""
    now = now or utcnow()
    config = current_app.config
    if record.ended_at is not None:
        return "ended"
    if now - as_utc(record.last_seen_at) > dt.timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        return "timeout"
    if now - as_utc(record.created_at) > dt.timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]):
        return "expired"
    return None


def _page_load() -> bool:
    return request.method == "GET" and "HX-Request" not in request.headers


def load() -> None:
    """Before each request: find the signed-in person, if any, and keep their session alive."""
    g.user = g.user_session = None
    g.session_ended = g.ended_id_token = None
    token = session.get("sid")
    if not token:
        return
    found = select(UserSession).where(UserSession.token_hash == token_hash(token))
    record = db.session.scalar(found)
    problem = "ended" if record is None else expiry(record)
    if problem and record is not None and not _page_load():
        # Not signed in for this request, but the ending itself (and the provider's logout,
        # which needs a redirect the browser will follow) waits for the next page load.
        return
    if problem:
        if record is not None:
            end(record, problem)
            g.ended_id_token = record.id_token
            db.session.commit()
        session.clear()
        g.session_ended = problem
        return
    assert record is not None  # no problem: the session was found
    now = utcnow()
    if now - as_utc(record.last_seen_at) > TOUCH_EVERY:
        record.last_seen_at = now
        db.session.commit()
    g.user, g.user_session = record.user, record


def touch() -> None:
    """Keep the current session alive now (the timeout warning's "Stay signed in")."""
    if g.get("user_session") is not None:
        g.user_session.last_seen_at = utcnow()
        db.session.commit()
