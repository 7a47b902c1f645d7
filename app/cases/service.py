"""Cases and events as agencies send them. Every query is scoped to the sending agency."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..notify.outbox import queue_case_update
from .models import Agency, Case, Milestone


def find_case(agency: Agency, reference: str) -> Case | None:
    return db.session.scalar(
        select(Case).where(Case.agency_id == agency.id, Case.reference == reference)
    )


def upsert_case(agency: Agency, reference: str, data: dict) -> tuple[Case, bool]:
    case = find_case(agency, reference)
    created = case is None
    if created:
        case = Case(agency_id=agency.id, reference=reference)
        db.session.add(case)
    for key, value in data.items():
        setattr(case, key, value)
    db.session.flush()
    return case, created


def record_event(agency: Agency, case: Case, data: dict) -> tuple[Milestone, bool]:
    """Store an event once. A repeat of the same agency event id returns the first."""
    existing = db.session.scalar(
        select(Milestone).where(
            Milestone.agency_id == agency.id, Milestone.agency_event_id == data["id"]
        )
    )
    if existing is not None:
        return existing, False
    milestone = Milestone(
        case_id=case.id, agency_id=agency.id, agency_event_id=data["id"], type=data["type"],
        occurred_at=data["occurred_at"], duty=data.get("duty"), detail=data.get("detail"),
    )  # fmt: skip
    try:
        with db.session.begin_nested():  # a savepoint: one clash must not undo the batch
            db.session.add(milestone)
    except IntegrityError:
        # Another request stored the same event between our look and our write.
        existing = db.session.scalar(
            select(Milestone).where(
                Milestone.agency_id == agency.id, Milestone.agency_event_id == data["id"]
            )
        )
        return existing, False
    queue_case_update(milestone)  # same transaction: the news and the duty to tell it
    return milestone, True


def timeline(case: Case, *, limit: int = 50) -> list[Milestone]:
    """Newest first by when it happened, whatever order the events arrived in."""
    query = select(Milestone).where(Milestone.case_id == case.id)
    return list(
        db.session.scalars(
            query.order_by(Milestone.occurred_at.desc(), Milestone.id.desc()).limit(limit)
        )
    )
