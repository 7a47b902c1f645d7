"""What victims hear about their case and how: a message to every victim linked to a case when
an agency reports something, at their safe time; critical updates (a release, an escape, new bail
conditions, a trial moved at short notice) they must say they have seen, or a navigator calls.

The case's policy for the outbox: registered with it in ``init_app``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from flask import Flask, current_app
from sqlalchemy import func, select

from app.accounts.contact import channel_for, safe_time_for
from app.accounts.models import User
from app.cases.agency_messages import queue_webhook
from app.cases.models import CaseVictim, Milestone, UpdateConfirmation
from app.cases.references import reference_for
from app.core import vocabulary as v
from app.core.bulk import insert_new
from app.core.time import utcnow
from app.extensions import db
from app.notify.channels import on_failed
from app.notify.models import Notification
from app.notify.outbox import queue_messages
from app.notify.worker import every_minute
from app.tasks.service import open_task

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


def queue_case_updates(milestones: Sequence, now: dt.datetime | None = None) -> int:
    """Queue messages to every victim linked to each milestone's case; ask for confirmation of
    critical ones. `milestones` need id, public_id, case_id, type and detail. Returns how many
    messages were queued."""
    now = now or utcnow()
    wanted = [m for m in milestones if m.type not in SILENT_TYPES]
    if not wanted:
        return 0
    people: dict[int, list[User]] = defaultdict(list)
    for case_id, user in db.session.execute(
        select(CaseVictim.case_id, User)
        .join(User, CaseVictim.user_id == User.id)
        .where(
            CaseVictim.case_id.in_({m.case_id for m in wanted}),
            User.deletion_requested_at.is_(None),
        )
    ):
        if user not in people[case_id]:  # linked through two agencies' invitations: told once
            people[case_id].append(user)
    hours = dt.timedelta(hours=current_app.config["CONFIRM_CRITICAL_HOURS"])
    safe: dict[int, dt.datetime | None] = {}
    messages: dict[str, dict] = {}  # by dedupe key: updates arriving together become one
    confirmations = []
    for milestone in wanted:
        critical = is_critical(milestone, now)
        for user in people.get(milestone.case_id, ()):
            if user.id not in safe:
                safe[user.id] = safe_time_for(user, now)
            when = safe[user.id]
            if critical:
                # Counted from when the message may first arrive, not from the event.
                confirm_by = (when or now) + hours
                confirmations.append(
                    {
                        "milestone_id": milestone.id,
                        "user_id": user.id,
                        "confirm_by": confirm_by,
                        "created_at": now,
                    }
                )
            if user.contact_channel == "none" or when is None:
                continue  # they check their account; a critical one still reaches a navigator
            if critical:
                # Keys name rows by public id: SQLite may reuse a deleted row's number.
                kind, key = "critical_update", f"critical:{milestone.public_id}:{user.id}"
            else:
                bucket = int(when.timestamp()) // COALESCE_SECONDS
                kind, key = "case_update", f"update:{user.id}:{bucket}"
            messages.setdefault(
                key,
                {
                    "dedupe_key": key,
                    "kind": kind,
                    "channel": channel_for(user),
                    "user_id": user.id,
                    "payload": {"case": milestone.case_id},
                    "not_before": when,
                },
            )
    insert_new(UpdateConfirmation, confirmations, unique=("milestone_id", "user_id"), returning=())
    return queue_messages(list(messages.values()))


def queue_case_update(milestone: Milestone, now: dt.datetime | None = None) -> int:
    return queue_case_updates([milestone], now)


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
    # The sender's own names for the journey and the victim (None: another agency invited them).
    victim = db.session.scalar(
        select(CaseVictim).where(
            CaseVictim.case_id == milestone.case_id,
            CaseVictim.user_id == user.id,
            CaseVictim.agency_id == milestone.agency_id,
        )
    )
    queue_webhook(
        milestone.agency,
        "update.confirmed",
        {
            "case": reference_for(milestone.agency_id, milestone.case_id),
            "event": milestone.agency_event_id,
            "victim": victim.reference if victim else None,
            "confirmed_at": row.confirmed_at.isoformat(),
        },
        key=f"confirmed:{milestone.public_id}:{user.id}",
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
                CaseVictim.agency_id == milestone.agency_id,
            )
        )
        queue_webhook(
            milestone.agency,
            "update.unconfirmed",
            {
                "case": reference_for(milestone.agency_id, milestone.case_id),
                "event": milestone.agency_event_id,
                "victim": victim,
                "navigator_contacting": True,
            },
            key=f"unconfirmed:{milestone.public_id}:{confirmation.user_id}",
            now=now,
        )
    db.session.commit()
    return len(rows)


def _critical_update_failed(notification: Notification) -> None:
    """A critical update that could not be delivered: a navigator tries to reach the victim."""
    if notification.user_id is None:
        return
    open_task(
        kind="contact_victim",
        reason="message_failed",
        key=f"failed:{notification.public_id}",
        user_id=notification.user_id,
        case_id=notification.payload.get("case"),
    )


def init_app(app: Flask) -> None:
    on_failed(app, "critical_update", _critical_update_failed)
    every_minute("escalate_unconfirmed", escalate_unconfirmed)


def new_since_seen(links: Sequence[CaseVictim]) -> dict[int, int]:
    """{link id: how many updates arrived on its journey since the victim last looked}, in one
    query (links never looked at are left out: everything would be new)."""
    looked = [link for link in links if link.last_seen_at is not None]
    if not looked:
        return {}
    rows = db.session.execute(
        select(CaseVictim.id, func.count(Milestone.id))
        .join(Milestone, Milestone.case_id == CaseVictim.case_id)
        .where(
            CaseVictim.id.in_([link.id for link in looked]),
            Milestone.received_at > CaseVictim.last_seen_at,
            Milestone.type.not_in(SILENT_TYPES),
        )
        .group_by(CaseVictim.id)
    )
    return dict(rows.all())
