"""Putting messages in the outbox, inside the caller's transaction: the news and the duty to tell
someone about it are committed together or not at all. The worker sends them later."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import User, as_utc, utcnow
from ..cases.models import Agency, CaseVictim, Milestone
from ..entitlements import vocabulary as v
from ..extensions import db
from .models import Notification, UpdateConfirmation
from .safe_times import next_safe_time

# Updates no victim should learn of by chance: they must say they have seen them.
CRITICAL_TYPES = frozenset({v.OFFENDER_RELEASED, v.OFFENDER_ESCAPED, v.BAIL_CONDITIONS_CHANGED})
# A trial moved to a date this close is critical too: the victim may need to rearrange their life.
SHORT_NOTICE = dt.timedelta(days=14)
# Updates that arrive together become one message: "you have a new update" says it for all.
COALESCE_SECONDS = 60
# Acknowledgements record that the victim was told directly: no message about being told.
SILENT_TYPES = frozenset({v.INFORMATION_DELIVERED})


def is_critical(milestone: Milestone, now: dt.datetime) -> bool:
    if milestone.type in CRITICAL_TYPES:
        return True
    if milestone.type == v.TRIAL_DATE_MOVED:
        new_date = (milestone.detail or {}).get("new_date")
        try:
            moved_to = dt.date.fromisoformat(str(new_date))
        except ValueError:
            return True  # moved, and we cannot tell to when: treat it as short notice
        return moved_to - now.date() <= SHORT_NOTICE
    return False


def _add_once(row: Notification | UpdateConfirmation) -> bool:
    """Insert unless its unique key exists. A savepoint keeps the caller's transaction alive."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    if isinstance(row, Notification):
        db.session.info.setdefault("outbox", []).append((row.id, row.not_before))
    return True


def queue_case_update(milestone: Milestone, now: dt.datetime | None = None) -> int:
    """Queue a message to every victim linked to the milestone's case. Returns how many."""
    now = now or utcnow()
    if milestone.type in SILENT_TYPES:
        return 0
    critical = is_critical(milestone, now)
    rows = db.session.execute(
        select(User)
        .join(CaseVictim, CaseVictim.user_id == User.id)
        .where(CaseVictim.case_id == milestone.case_id, User.deletion_requested_at.is_(None))
    ).scalars()
    queued = 0
    hours = current_app.config["CONFIRM_CRITICAL_HOURS"]
    for user in rows:
        when = next_safe_time(now, user.safe_days.split(","), user.safe_from, user.safe_to)
        if critical:
            # Counted from when the message may first arrive, not from the event.
            _add_once(
                UpdateConfirmation(
                    milestone_id=milestone.id,
                    user_id=user.id,
                    confirm_by=(when or now) + dt.timedelta(hours=hours),
                )
            )
        if user.contact_channel == "none" or when is None:
            continue  # they check their account; a critical one still reaches a navigator
        if critical:
            kind, key = "critical_update", f"critical:{milestone.id}:{user.id}"
        else:
            bucket = int(when.timestamp()) // COALESCE_SECONDS
            kind, key = "case_update", f"update:{user.id}:{bucket}"
        queued += _add_once(
            Notification(
                dedupe_key=key,
                kind=kind,
                channel="sms" if user.contact_channel == "sms" and user.phone else "email",
                user_id=user.id,
                payload={"case": milestone.case_id},
                not_before=when,
            )
        )
    return queued


def queue_webhook(
    agency: Agency, event_type: str, data: dict, key: str, now: dt.datetime | None = None
) -> bool:
    """An alert for an agency's system. Queued even before a URL is registered: the worker
    cancels it then, and the record shows the agency could not be told."""
    return _add_once(
        Notification(
            dedupe_key=f"webhook:{agency.id}:{key}",
            kind=event_type,
            channel="webhook",
            agency_id=agency.id,
            payload={"type": event_type, "data": data},
            not_before=now or utcnow(),
        )
    )


def confirm(user: User, milestone: Milestone) -> bool:
    """The victim says they have seen a critical update. True the first time."""
    row = db.session.scalar(
        select(UpdateConfirmation).where(
            UpdateConfirmation.milestone_id == milestone.id,
            UpdateConfirmation.user_id == user.id,
            UpdateConfirmation.confirmed_at.is_(None),
        )
    )
    if row is None:
        return False
    row.confirmed_at = utcnow()
    victim = db.session.scalar(
        select(CaseVictim).where(
            CaseVictim.case_id == milestone.case_id, CaseVictim.user_id == user.id
        )
    )
    queue_webhook(
        milestone.agency,
        "update.confirmed",
        {
            "case": milestone.case.reference,
            "event": milestone.agency_event_id,
            "victim": victim.reference if victim else None,
            "confirmed_at": row.confirmed_at.isoformat(),
        },
        key=f"confirmed:{row.id}",
    )
    return True


def awaiting_confirmation(user: User, case_id: int) -> set[int]:
    """Ids of the milestones on this case the victim still has to confirm."""
    return set(
        db.session.scalars(
            select(UpdateConfirmation.milestone_id)
            .join(Milestone, Milestone.id == UpdateConfirmation.milestone_id)
            .where(
                UpdateConfirmation.user_id == user.id,
                UpdateConfirmation.confirmed_at.is_(None),
                Milestone.case_id == case_id,
            )
        )
    )


def is_overdue(row: UpdateConfirmation, now: dt.datetime) -> bool:
    return row.confirmed_at is None and as_utc(row.confirm_by) <= now


# After the commit, hand the new messages to the worker at once. If the queue cannot take them
# (Redis down, say), nothing is lost: the worker's sweep finds every due row in the outbox.
@event.listens_for(Session, "after_commit")
def _hand_to_worker(session: Session) -> None:
    queued = session.info.pop("outbox", None)
    if not queued:
        return
    try:
        if not current_app.config["NOTIFY_ENQUEUE"]:
            return
        from .worker import enqueue

        enqueue(queued)
    except Exception:  # the sweep will find them
        current_app.logger.warning("could not hand messages to the worker", exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("outbox", None)
