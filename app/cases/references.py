"""Each agency knows a journey by its own reference: what to call a journey when writing to an
agency (a webhook, an e-mail, an API answer)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select, tuple_

from app.cases.models import Participant
from app.extensions import db


def reference_for(agency_id: int, case_id: int) -> str | None:
    """The agency's reference for the journey; None if it takes no part in it."""
    return db.session.scalar(
        select(Participant.reference).where(
            Participant.agency_id == agency_id, Participant.case_id == case_id
        )
    )


def references_for(pairs: Collection[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """{(agency id, case id): the agency's reference} for many pairs in one query."""
    if not pairs:
        return {}
    rows = db.session.execute(
        select(Participant.agency_id, Participant.case_id, Participant.reference).where(
            tuple_(Participant.agency_id, Participant.case_id).in_(list(pairs))
        )
    )
    return {(agency_id, case_id): reference for agency_id, case_id, reference in rows}
