"""Putting messages in the outbox, inside the caller's transaction: the news and the duty to tell
someone about it are committed together or not at all. The worker sends them later."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.cases.models import Agency, CaseVictim, Milestone
from app.core import vocabulary as v
from app.core.bulk import insert_new
from app.core.ids import new_public_id
from app.core.time import utcnow
from app.extensions import db
from app.notify.models import PENDING, Notification, UpdateConfirmation
from app.notify.safe_times import next_safe_time

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


def queue_agency_email(agency: Agency, event_type: str, data: dict, key: str) -> bool:
    """An e-mail to the agency's contact address: counts and a pointer to the partner API, never
    a victim's details (e-mail is not a safe place for them)."""
    if not agency.contact_email:
        return False
    return bool(
        queue_messages([{"dedupe_key": f"agency-email:{agency.id}:{key}", "kind": event_type,
                 "channel": "agencymail", "agency_id": agency.id,
                 "payload": {"type": event_type, "count": data.get("count", 0),
                             "overdue": data.get("overdue", 0)},
                 "not_before": utcnow()}])
    )  # fmt: skip


def safe_time_for(user: User, now: dt.datetime) -> dt.datetime | None:
    """The first moment at or after `now` the victim said is safe (None: never)."""
    return next_safe_time(now, user.safe_days.split(","), user.safe_from, user.safe_to)


def channel_for(user: User) -> str:
    return "sms" if user.contact_channel == "sms" and user.phone else "email"


def queue_messages(rows: list[dict]) -> int:
    """Insert outbox rows whose dedupe_key is new; note them for the worker after commit.
    Returns how many were new."""
    now = utcnow()
    for row in rows:
        row.setdefault("public_id", new_public_id())
        row.update(status=PENDING, attempts=0, created_at=now)
    created = insert_new(Notification, rows, unique=("dedupe_key",), returning=("id", "not_before"))
    db.session.info.setdefault("outbox", []).extend((r.id, r.not_before) for r in created)
    return len(created)


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
                confirmations.append({"milestone_id": milestone.id, "user_id": user.id,
                                      "confirm_by": confirm_by, "created_at": now})  # fmt: skip
            if user.contact_channel == "none" or when is None:
                continue  # they check their account; a critical one still reaches a navigator
            if critical:
                # Keys name rows by public id: SQLite may reuse a deleted row's number.
                kind, key = "critical_update", f"critical:{milestone.public_id}:{user.id}"
            else:
                bucket = int(when.timestamp()) // COALESCE_SECONDS
                kind, key = "case_update", f"update:{user.id}:{bucket}"
            messages.setdefault(key, {
                "dedupe_key": key, "kind": kind,
                "channel": channel_for(user), "user_id": user.id,
                "payload": {"case": milestone.case_id}, "not_before": when,
            })  # fmt: skip
    insert_new(UpdateConfirmation, confirmations, unique=("milestone_id", "user_id"),
               returning=())  # fmt: skip
    return queue_messages(list(messages.values()))


def queue_case_update(milestone: Milestone, now: dt.datetime | None = None) -> int:
    return queue_case_updates([milestone], now)


def queue_webhook(
    agency: Agency, event_type: str, data: dict, key: str, now: dt.datetime | None = None
) -> bool:
    """An alert for an agency's system. Queued even before a URL is registered: the worker
    cancels it then, and the record shows the agency could not be told."""
    return bool(
        queue_messages(
            [
                {
                    "dedupe_key": f"webhook:{agency.id}:{key}",
                    "kind": event_type,
                    "channel": "webhook",
                    "agency_id": agency.id,
                    "payload": {"type": event_type, "data": data},
                    "not_before": now or utcnow(),
                }
            ]
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
        from app.notify.worker import enqueue

        enqueue(queued)
    except Exception:  # the sweep will find them
        current_app.logger.warning("could not hand messages to the worker", exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("outbox", None)


def queue_victim_update(user: User, key: str, now: dt.datetime | None = None) -> bool:
    """A neutral "you have a new update" (something moved on in a request, a referral or a
    message thread), at the victim's next safe time, by the way they chose; never if they chose
    no messages. `key` names the cause, so one cause never sends twice."""
    if user.contact_channel == "none" or user.deletion_requested_at is not None:
        return False
    when = safe_time_for(user, now or utcnow())
    if when is None:
        return False
    return bool(queue_messages([{"dedupe_key": key, "kind": "case_update",
                                 "channel": channel_for(user), "user_id": user.id,
                                 "payload": {}, "not_before": when}]))  # fmt: skip
