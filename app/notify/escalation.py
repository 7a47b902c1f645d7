"""Critical updates nobody confirmed: each becomes a navigator's task to make contact, and the
agency that sent the update is told by webhook. No victim should learn of a release by chance."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.cases.models import CaseVictim, Milestone
from app.core.time import utcnow
from app.extensions import db
from app.notify.models import UpdateConfirmation
from app.notify.outbox import queue_webhook
from app.tasks.service import open_task


def escalate_unconfirmed(now: dt.datetime | None = None) -> int:
    """Open a task for every overdue confirmation not yet escalated. Returns how many."""
    now = now or utcnow()
    rows = db.session.execute(
        select(UpdateConfirmation, Milestone)
        .join(Milestone, Milestone.id == UpdateConfirmation.milestone_id)
        .where(
            UpdateConfirmation.confirmed_at.is_(None),
            UpdateConfirmation.escalated_at.is_(None),
            UpdateConfirmation.confirm_by <= now,
        )
        .limit(500)
    ).all()
    for confirmation, milestone in rows:
        confirmation.escalated_at = now
        open_task(
            kind="contact_victim",
            reason="critical_update_unconfirmed",
            key=f"unconfirmed:{milestone.public_id}:{confirmation.user_id}",
            user_id=confirmation.user_id,
            case_id=milestone.case_id,
            milestone_id=milestone.id,
        )
        victim = db.session.scalar(
            select(CaseVictim.reference).where(
                CaseVictim.case_id == milestone.case_id,
                CaseVictim.user_id == confirmation.user_id,
            )
        )
        queue_webhook(
            milestone.agency,
            "update.unconfirmed",
            {"case": milestone.case.reference, "event": milestone.agency_event_id,
             "victim": victim, "navigator_contacting": True},
            key=f"unconfirmed:{milestone.public_id}:{confirmation.user_id}",
            now=now,
        )  # fmt: skip
    db.session.commit()
    return len(rows)
