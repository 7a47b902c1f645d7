"""Finding a victim's requests: their own only (another person's is simply not found), newest
first, and each one's trail of status changes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.accounts.models import User
from app.cases.models import CaseVictim
from app.extensions import db
from app.victim_requests.models import StatusChange, VictimRequest


@dataclass(frozen=True)
class Owned:
    request: VictimRequest
    link: CaseVictim | None  # None: the victim no longer has this case in their account


def own_request(user: User, public_id: str) -> Owned | None:
    """The victim's own request (another person's is simply not found), and whether they still
    have the case it is about."""
    item = db.session.scalar(
        select(VictimRequest).where(
            VictimRequest.public_id == public_id, VictimRequest.user_id == user.id
        )
    )
    if item is None:
        return None
    link = db.session.scalar(
        select(CaseVictim).where(
            CaseVictim.id == item.case_victim_id, CaseVictim.user_id == user.id
        )
    )
    return Owned(item, link)


def requests_for_case(user: User, link: CaseVictim) -> list[VictimRequest]:
    return list(
        db.session.scalars(
            select(VictimRequest)
            .where(VictimRequest.user_id == user.id, VictimRequest.case_victim_id == link.id)
            .order_by(VictimRequest.created_at.desc())
        )
    )


def requests_of(user: User, *, sent_only: bool = False) -> list[VictimRequest]:
    """Newest first. `sent_only` for staff: drafts are the victim's alone until sent."""
    query = select(VictimRequest).where(VictimRequest.user_id == user.id)
    if sent_only:
        query = query.where(VictimRequest.status != "draft")
    return list(
        db.session.scalars(query.order_by(VictimRequest.created_at.desc(), VictimRequest.id.desc()))
    )


def history(subject: str, subject_id: int) -> list[StatusChange]:
    return list(
        db.session.scalars(
            select(StatusChange)
            .where(StatusChange.subject == subject, StatusChange.subject_id == subject_id)
            .order_by(StatusChange.at, StatusChange.id)
        )
    )
