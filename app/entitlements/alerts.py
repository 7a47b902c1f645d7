"""Before a Victims' Code duty is missed: tell the agency (one signed webhook and one e-mail per
agency per run, listing case references and duties only, never the victim's details), escalate
duties still overdue to the navigators, and tell victims of their own time limits (compensation,
review, unduly lenient sentence) when a window opens and a week before it closes, at their safe
times. Run by the worker every 15 minutes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from flask import current_app
from sqlalchemy import and_, or_, select, update

from app.accounts import contact
from app.accounts.models import User
from app.cases import agency_messages
from app.cases.models import Agency, CaseVictim, Participant
from app.core.time import as_utc, utcnow
from app.entitlements import calendar
from app.entitlements.engine import Status
from app.entitlements.models import CaseEntitlement
from app.extensions import db
from app.notify import outbox
from app.tasks.service import open_task

CLOSING_SOON = dt.timedelta(days=7)
BATCH = 2_000


def alert_agencies(now: dt.datetime) -> int:
    """Queue one alert per agency listing the duties it owes that are due soon or overdue, each
    journey named by that agency's own reference. Returns how many agencies. Duties no agency on
    the journey holds are a navigator's task (entitlements.service), not anyone's alert."""
    horizon = calendar.add_working_days(now, current_app.config["ALERT_WITHIN_WORKING_DAYS"])
    rows = db.session.execute(
        select(CaseEntitlement, Participant.reference, Participant.agency_id)
        .join(
            Participant,
            (Participant.case_id == CaseEntitlement.case_id)
            & (Participant.agency_id == CaseEntitlement.agency_id),
        )
        .where(
            CaseEntitlement.kind == "duty",
            CaseEntitlement.status.in_([Status.DUE, Status.OVERDUE]),
            CaseEntitlement.due_at <= horizon,
            or_(  # not told yet, or told while it was still due and now it is overdue
                CaseEntitlement.alerted_at.is_(None),
                and_(
                    CaseEntitlement.status == Status.OVERDUE,
                    CaseEntitlement.alerted_at < CaseEntitlement.due_at,
                ),
            ),
        )
        .limit(BATCH)
    ).all()
    by_agency: dict[int, list[dict]] = defaultdict(list)
    for item, reference, agency_id in rows:
        by_agency[agency_id].append(
            {
                "case": reference,
                "duty": item.rule_id,
                "right": item.right,
                "duty_holder": item.duty_holder,
                "status": item.status,
                "due_at": as_utc(item.due_at).isoformat() if item.due_at else None,
            }
        )
    stamp = now.strftime("%Y%m%dT%H%M")
    for agency in db.session.scalars(select(Agency).where(Agency.id.in_(by_agency))):
        items = by_agency[agency.id]
        summary = {
            "count": len(items),
            "overdue": sum(i["status"] == "overdue" for i in items),
            "items": items,
        }
        agency_messages.queue_webhook(
            agency, "entitlements.attention", summary, key=f"attention:{stamp}"
        )
        agency_messages.queue_agency_email(
            agency, "entitlements.attention", summary, key=f"attention:{stamp}"
        )
    if rows:
        db.session.execute(
            update(CaseEntitlement)
            .where(CaseEntitlement.id.in_([item.id for item, _r, _a in rows]))
            .values(alerted_at=now)
        )
    return len(by_agency)


def escalate_overdue(now: dt.datetime) -> int:
    """Duties still overdue some working days after the deadline: a navigator chases them."""
    days = current_app.config["ESCALATE_AFTER_WORKING_DAYS"]
    rows = db.session.scalars(
        select(CaseEntitlement)
        .where(
            CaseEntitlement.kind == "duty",
            CaseEntitlement.status == Status.OVERDUE,
            CaseEntitlement.escalated_at.is_(None),
            CaseEntitlement.due_at <= now,
        )
        .limit(BATCH)
    ).all()
    escalated = []
    for item in rows:
        assert item.due_at is not None  # the query asks for due_at <= now
        if calendar.add_working_days(as_utc(item.due_at), days) > now:
            continue
        victim = db.session.scalar(
            select(CaseVictim.user_id).where(
                CaseVictim.case_id == item.case_id, CaseVictim.user_id.is_not(None)
            )
        )
        open_task(
            kind="chase_agency",
            reason="duty_overdue",
            key=f"overdue:{item.key}",
            user_id=victim,
            case_id=item.case_id,
            milestone_id=item.trigger_id,
        )
        escalated.append(item.id)
    if escalated:
        db.session.execute(
            update(CaseEntitlement)
            .where(CaseEntitlement.id.in_(escalated))
            .values(escalated_at=now)
        )
    return len(escalated)


def tell_victims_of_time_limits(now: dt.datetime) -> int:
    """A message when a time limit on the victim's own action starts, and a week before it
    ends. The words are neutral; the page they sign in to says what and by when."""
    rows = db.session.execute(
        select(CaseEntitlement, User)
        .join(CaseVictim, CaseVictim.case_id == CaseEntitlement.case_id)
        .join(User, User.id == CaseVictim.user_id)
        .where(
            CaseEntitlement.kind == "window",
            CaseEntitlement.status == Status.DUE,
            CaseEntitlement.due_at > now,
            User.deletion_requested_at.is_(None),
            User.contact_channel != "none",
            or_(
                CaseEntitlement.evaluated_at >= now - dt.timedelta(days=1),
                CaseEntitlement.due_at <= now + CLOSING_SOON,
            ),
        )
        .limit(BATCH)
    ).all()
    messages = []
    for item, user in rows:
        assert item.due_at is not None  # the query asks for due_at > now
        when = contact.safe_time_for(user, now)
        if when is None or when >= as_utc(item.due_at):
            continue
        stage = "closing" if as_utc(item.due_at) - now <= CLOSING_SOON else "open"
        messages.append(
            {
                "dedupe_key": f"window-{stage}:{item.key}:{user.id}",
                "kind": "time_limit",
                "channel": contact.channel_for(user),
                "user_id": user.id,
                "payload": {"case": item.case_id},
                "not_before": when,
            }
        )
    return outbox.queue_messages(messages)


def run(now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: bring overdue statuses up to date, then alert, escalate and tell."""
    from app.entitlements.service import refresh_due

    now = now or utcnow()
    refreshed = refresh_due(now)
    result = {
        "cases_refreshed": refreshed,
        "agencies_alerted": alert_agencies(now),
        "duties_escalated": escalate_overdue(now),
        "victims_told": tell_victims_of_time_limits(now),
    }
    db.session.commit()
    return result
