"""Correcting a journey: moving an agency that joined it by mistake (a wrong URN) onto a journey
of its own, with what it sent. Navigators do this; every move is audited with its reason."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from app.accounts import audit
from app.accounts.models import User
from app.cases.changes import changed
from app.cases.models import Case, CaseVictim, Milestone, Participant, UpdateConfirmation
from app.extensions import db

# Copied to the new journey: what the agency knew of the case when it joined is still true of
# its own case, except the URN that put it in the wrong place.
_FACTS = (
    "crime_type",
    "borough",
    "offence_category",
    "enhanced",
    "enhanced_reasons",
    "incident_date",
    "reported_date",
)


class CannotMove(Exception):
    pass


def move_out(case: Case, participant: Participant, reason: str, by: User) -> tuple[Case, list[int]]:
    """Move `participant`'s agency off `case` onto a new journey holding the events it sent and
    the victims it invited. Returns the new journey and the ids of the victims moved (so that
    what hangs off them, their requests, can follow)."""
    if participant.case_id != case.id:
        raise CannotMove("not on this journey")
    others = db.session.scalars(
        select(Participant)
        .where(Participant.case_id == case.id, Participant.id != participant.id)
        .order_by(Participant.joined_at, Participant.id)
    ).all()
    if not others:
        raise CannotMove("the only agency on the journey")
    agency_id, reference = participant.agency_id, participant.reference
    if case.agency_id == agency_id:
        # The journey was opened by the agency leaving: the next to have joined now stands as
        # its opener (the opener's reference is unique per agency, like a participant's).
        case.agency_id, case.reference = others[0].agency_id, others[0].reference
    db.session.delete(participant)
    db.session.flush()
    moved = Case(agency_id=agency_id, reference=reference)
    for name in _FACTS:
        setattr(moved, name, getattr(case, name))
    db.session.add(moved)
    db.session.flush()  # the new journey's participant row is made as it is inserted
    db.session.execute(
        update(Participant)
        .where(Participant.case_id == moved.id, Participant.agency_id == agency_id)
        .values(moved_from_case_id=case.id, moved_reason=reason)
    )
    sent = list(
        db.session.scalars(
            select(Milestone.id).where(
                Milestone.case_id == case.id, Milestone.agency_id == agency_id
            )
        )
    )
    if sent:
        db.session.execute(update(Milestone).where(Milestone.id.in_(sent)).values(case_id=moved.id))
    victims = list(
        db.session.scalars(
            select(CaseVictim.id).where(
                CaseVictim.case_id == case.id, CaseVictim.agency_id == agency_id
            )
        )
    )
    if victims:
        db.session.execute(
            update(CaseVictim).where(CaseVictim.id.in_(victims)).values(case_id=moved.id)
        )
    if sent:
        # Victims who stay on the journey no longer see those updates: nobody should call them
        # about one they did not confirm.
        staying = select(CaseVictim.user_id).where(
            CaseVictim.case_id == moved.id, CaseVictim.user_id.is_not(None)
        )
        db.session.execute(
            delete(UpdateConfirmation).where(
                UpdateConfirmation.milestone_id.in_(sent),
                UpdateConfirmation.confirmed_at.is_(None),
                UpdateConfirmation.user_id.not_in(staying),
            )
        )
    audit.record(
        "journey_agency_moved",
        actor=by,
        journey=case.public_id,
        agency=agency_id,
        new_journey=moved.public_id,
        reason=reason,
    )
    db.session.expire_all()
    changed([case.id, moved.id])
    return moved, victims
