"""Journeys and events as agencies send them. An agency finds a journey only through its own
participation in it: every lookup here is scoped to the agency asking."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.cases.changes import changed
from app.cases.models import Agency, Case, Milestone, Participant
from app.cases.references import reference_for
from app.cases.updates import queue_case_updates
from app.core.bulk import insert_new
from app.core.ids import new_public_id
from app.core.time import utcnow
from app.extensions import db


class JourneyConflict(Exception):
    """What an agency sent about a journey contradicts what the hub holds (a URN that belongs
    to another journey, a second reference for the same journey). Nothing is changed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def find_case(agency: Agency, reference: str) -> Case | None:
    return db.session.scalar(
        select(Case)
        .join(Participant, Participant.case_id == Case.id)
        .where(Participant.agency_id == agency.id, Participant.reference == reference)
    )


def find_cases(agency: Agency, references: set[str]) -> dict[str, Case]:
    if not references:
        return {}
    rows = db.session.execute(
        select(Participant.reference, Case)
        .join(Case, Case.id == Participant.case_id)
        .where(Participant.agency_id == agency.id, Participant.reference.in_(references))
    )
    return dict(rows.all())


def participants(case_ids: Collection[int]) -> dict[int, list[Participant]]:
    """Each journey's agencies, in the order they joined, with their agency loaded."""
    found: dict[int, list[Participant]] = defaultdict(list)
    if not case_ids:
        return found
    rows = db.session.scalars(
        select(Participant)
        .join(Agency, Agency.id == Participant.agency_id)
        .options(contains_eager(Participant.agency))
        .where(Participant.case_id.in_(case_ids))
        .order_by(Participant.joined_at, Participant.id)
    )
    for row in rows:
        found[row.case_id].append(row)
    return found


def _journey_with_urn(urn: str) -> Case | None:
    return db.session.scalar(select(Case).where(Case.urn == urn))


def upsert_case(
    agency: Agency, reference: str, data: dict, sent: Collection[str] | None = None
) -> tuple[Case, bool]:
    """Create, join or update the journey the agency calls `reference`. With a `urn` the agency
    joins the journey holding it (or starts it). `sent`: the fields the agency actually sent,
    so that a second agency joining does not blank what the first one said. Returns the journey
    and whether the agency's participation is new. Raises JourneyConflict."""
    sent = set(data) if sent is None else set(sent)
    urn = data.get("urn")
    case = find_case(agency, reference)
    joined = case is None
    if case is None:
        holder = _journey_with_urn(urn) if urn else None
        if holder is not None:
            if reference_for(agency.id, holder.id) is not None:
                raise JourneyConflict(
                    "urn", "Your agency already takes part in this journey under another reference."
                )
            case = holder
            db.session.add(Participant(case_id=case.id, agency_id=agency.id, reference=reference))
        else:
            case = Case(agency_id=agency.id, reference=reference)
            db.session.add(case)
            sent = set(data)  # a new journey: every field, defaults included
    elif urn and case.urn != urn:
        if case.urn is not None:
            raise JourneyConflict(
                "urn", f"This journey's URN is {case.urn}; ask the hub to correct it."
            )
        if _journey_with_urn(urn) is not None:
            raise JourneyConflict(
                "urn",
                "Another journey holds this URN: ask the hub to join the two journeys.",
            )
    for key in sent:
        if key in data and (key != "urn" or data[key]):
            setattr(case, key, data[key])
    db.session.flush()
    changed([case.id])  # a new duty holder, enhanced rights or dates may change what is owed
    return case, joined


def record_events(agency: Agency, items: list[tuple[Case, dict]]) -> dict[str, bool]:
    """Store events once each: {agency event id: True if new, False if already stored}. The
    messages about the new ones are queued in the same transaction."""
    new = {m.agency_event_id for m in _store_events(agency, items)}
    return {data["id"]: data["id"] in new for _case, data in items}


def record_event(agency: Agency, case: Case, data: dict) -> tuple[Milestone, bool]:
    """Store one event. A repeat of the same agency event id returns the first."""
    for milestone in _store_events(agency, [(case, data)]):
        return milestone, True
    # Not new: the first of that agency event id is stored (that is why nothing was inserted).
    milestone = db.session.scalars(
        select(Milestone).where(
            Milestone.agency_id == agency.id, Milestone.agency_event_id == data["id"]
        )
    ).one()
    return milestone, False


def _store_events(agency: Agency, items: list[tuple[Case, dict]]) -> list[Milestone]:
    """Insert the events not stored before, and act on them: the new milestones."""
    now = utcnow()
    rows = [
        {
            "public_id": new_public_id(),
            "case_id": case.id,
            "agency_id": agency.id,
            "agency_event_id": data["id"],
            "type": data["type"],
            "occurred_at": data["occurred_at"],
            "recorded_at": data.get("recorded_at"),
            "received_at": now,
            "duty": data.get("duty"),
            "detail": data.get("detail"),
        }
        for case, data in items
    ]
    created = insert_new(
        Milestone, rows, unique=("agency_id", "agency_event_id"), returning=Milestone
    )
    queue_case_updates(created, now)  # same transaction: the news and the duty to tell it
    # ... and what the Victims' Code now says is owed, for just the cases that changed.
    changed({m.case_id for m in created}, now, {m.type for m in created})
    return created


def timeline(case: Case, *, limit: int = 50) -> list[Milestone]:
    """Newest first by when it happened, whatever order the events arrived in."""
    query = select(Milestone).where(Milestone.case_id == case.id)
    return list(
        db.session.scalars(
            query.order_by(Milestone.occurred_at.desc(), Milestone.id.desc()).limit(limit)
        )
    )
