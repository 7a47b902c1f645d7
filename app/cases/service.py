"""Cases and events as agencies send them. Every query is scoped to the sending agency."""

from __future__ import annotations

from sqlalchemy import select

from app.cases.changes import changed
from app.cases.models import Agency, Case, Milestone
from app.cases.updates import queue_case_updates
from app.core.bulk import insert_new
from app.core.ids import new_public_id
from app.core.time import utcnow
from app.extensions import db


def find_case(agency: Agency, reference: str) -> Case | None:
    return db.session.scalar(
        select(Case).where(Case.agency_id == agency.id, Case.reference == reference)
    )


def upsert_case(agency: Agency, reference: str, data: dict) -> tuple[Case, bool]:
    case = find_case(agency, reference)
    created = case is None
    if case is None:
        case = Case(agency_id=agency.id, reference=reference)
        db.session.add(case)
    for key, value in data.items():
        setattr(case, key, value)
    db.session.flush()
    changed([case.id])  # enhanced rights or the dates may change what is owed
    return case, created


def find_cases(agency: Agency, references: set[str]) -> dict[str, Case]:
    if not references:
        return {}
    rows = db.session.scalars(
        select(Case).where(Case.agency_id == agency.id, Case.reference.in_(references))
    )
    return {case.reference: case for case in rows}


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
