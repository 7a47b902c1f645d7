"""A victim's requests, referrals, messages and the notes of calls with them, for their own data
export (the right of access): everything held, in plain JSON; the PDFs are named, not embedded."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.accounts.models import User
from app.core.time import iso
from app.extensions import db
from app.victim_requests.models import CallRecord, Message, Referral, StatusChange, VictimRequest


def _history(subject: str, subject_id: int) -> list[dict]:
    rows = db.session.scalars(
        select(StatusChange)
        .where(StatusChange.subject == subject, StatusChange.subject_id == subject_id)
        .order_by(StatusChange.at, StatusChange.id)
    )
    return [
        {"at": iso(r.at), "from": r.from_status, "to": r.to_status, "by": r.actor, "note": r.note}
        for r in rows
    ]


def requests_export(user: User) -> dict[str, Any]:
    requests = db.session.scalars(
        select(VictimRequest).where(VictimRequest.user_id == user.id).order_by(VictimRequest.id)
    )
    referrals = db.session.scalars(
        select(Referral).where(Referral.user_id == user.id).order_by(Referral.id)
    )
    messages = db.session.scalars(
        select(Message).where(Message.victim_id == user.id).order_by(Message.created_at)
    )
    calls = db.session.scalars(
        select(CallRecord).where(CallRecord.victim_id == user.id).order_by(CallRecord.created_at)
    )
    return {
        "requests": [
            {
                "reference": r.reference,
                "kind": r.kind,
                "status": r.status,
                "answers": r.answers,
                "created_at": iso(r.created_at),
                "sent_at": iso(r.submitted_at),
                "document": f"{r.reference}.pdf" if r.document else None,
                "history": _history("request", r.id),
            }
            for r in requests
        ],
        "referrals": [
            {
                "reference": r.reference,
                "service": r.service_id,
                "status": r.status,
                "shared_with_your_consent": r.shared,
                "consented_at": iso(r.consented_at),
                "history": _history("referral", r.id),
            }
            for r in referrals
        ],
        "messages": [
            {
                "at": iso(m.created_at),
                "from": "you" if m.from_victim else "the hub team",
                "text": m.body,
            }
            for m in messages
        ],
        "calls_with_the_hub_team": [
            {"at": iso(c.created_at), "outcome": c.outcome, "note": c.note} for c in calls
        ],
    }
