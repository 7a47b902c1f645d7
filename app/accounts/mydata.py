"""Everything we hold about a person, their right to take it away, and to see who looked at it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import delete, or_, select

from app.accounts import audit
from app.accounts.models import STAFF_ROLES, AuditEvent, Passkey, User, UserSession
from app.core.time import as_utc, iso, utcnow
from app.extensions import db

COOLING_OFF = dt.timedelta(days=7)


def staff_access_log(user: User, limit: int = 200) -> list[AuditEvent]:
    """Who at the hub read or changed this person's record, and which agencies' systems read
    what they sent them (their own actions are not listed)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_id == user.id,
                or_(AuditEvent.actor_role.in_(STAFF_ROLES), AuditEvent.action == audit.AGENCY_READ),
            )
            .order_by(AuditEvent.at.desc())
            .limit(limit)
        )
    )


def account_export(user: User) -> dict[str, Any]:
    """The account's part of the data export (app/mydata puts the parts together), in plain
    JSON. Secrets (password hash, TOTP secret, session tokens) are described, never included."""
    sessions = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.created_at)
    )
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == user.id).order_by(AuditEvent.at)
    )
    return {
        "account": {
            "email": user.email,
            "email_confirmed_at": iso(user.email_confirmed_at),
            "created_at": iso(user.created_at),
            "role": user.role,
            "has_password": user.password_hash is not None,
            "password_changed_at": iso(user.password_changed_at),
            "two_step_verification_since": iso(user.totp_enabled_at),
            "deletion_requested_at": iso(user.deletion_requested_at),
        },
        "profile": {
            "preferred_name": user.preferred_name,
            "language": user.language,
            "contact_channel": user.contact_channel,
            "phone": user.phone,
            "safe_days": user.safe_days.split(",") if user.safe_days else [],
            "safe_times": {"from": user.safe_from, "to": user.safe_to},
            "messages_may_name_the_hub": user.may_name_hub,
        },
        "linked_sign_in_providers": [
            {"issuer": i.issuer, "linked_at": iso(i.linked_at)} for i in user.identities
        ],
        # Each passkey's name and dates; its public key is no one's personal information.
        "passkeys": [
            {"name": p.name, "added_at": iso(p.created_at), "last_used_at": iso(p.last_used_at)}
            for p in db.session.scalars(select(Passkey).where(Passkey.user_id == user.id))
        ],
        "sessions": [
            {
                "started_at": iso(s.created_at),
                "last_seen_at": iso(s.last_seen_at),
                "ended_at": iso(s.ended_at),
                "end_reason": s.end_reason,
            }
            for s in sessions
        ],
        "activity": [
            {
                "at": iso(e.at),
                "action": e.action,
                "by": "you" if e.actor_id == user.id else (e.actor_role or "system"),
                "detail": json.loads(e.detail) if e.detail else None,
            }
            for e in events
        ],
    }


def request_deletion(user: User) -> dt.datetime:
    user.deletion_requested_at = utcnow()
    audit.record("deletion_requested", actor=user, subject=user)
    db.session.commit()
    return user.deletion_requested_at + COOLING_OFF


def cancel_deletion(user: User) -> None:
    user.deletion_requested_at = None
    audit.record("deletion_cancelled", actor=user, subject=user)
    db.session.commit()


def deletion_due_at(user: User) -> dt.datetime | None:
    if user.deletion_requested_at is None:
        return None
    return as_utc(user.deletion_requested_at) + COOLING_OFF


def purge_due(now: dt.datetime | None = None) -> int:
    """Delete accounts whose cooling-off period has ended. The audit log keeps the numeric id of
    the deleted account (not its e-mail address), as a record that the deletion happened."""
    now = now or utcnow()
    due = [
        u
        for u in db.session.scalars(select(User).where(User.deletion_requested_at.is_not(None)))
        if (deletion_due_at(u) or now) <= now
    ]
    for user in due:
        audit.record("account_deleted", subject=user)
        db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        db.session.delete(user)
    db.session.commit()
    return len(due)
