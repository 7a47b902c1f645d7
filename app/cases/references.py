"""Each agency knows a journey by its own reference: what to call a journey when writing to an
agency (a webhook, an e-mail, an API answer)."""

from __future__ import annotations

from sqlalchemy import select

from app.cases.models import Participant
from app.extensions import db


def reference_for(agency_id: int, case_id: int) -> str | None:
    """The agency's reference for the journey; None if it takes no part in it."""
    return db.session.scalar(
        select(Participant.reference).where(
            Participant.agency_id == agency_id, Participant.case_id == case_id
        )
    )
