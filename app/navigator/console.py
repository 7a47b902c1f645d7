"""The navigators' queue: everything a victim is waiting on, in one list, oldest first. No Flask.

Four kinds of item: a sent request (VPS, Right to Review) not yet at an end; a referral not yet at
an end; a victim whose message thread waits for a reply (its latest message is theirs); an open
task. Each can be assigned to a navigator. A message thread has no column for that, so its
assignment is a NavigatorTask of kind "reply", one per victim, with status "thread": a standing
note of who looks after the victim's messages, never an open to-do (the task list shows only
status "open", and closing a task refuses anything else).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Role, User
from app.cases.models import Milestone
from app.core.time import as_utc, utcnow
from app.extensions import db
from app.notify.models import Notification
from app.tasks.models import NavigatorTask
from app.tasks.service import open_task
from app.victim_requests import referrals, states
from app.victim_requests.models import (
    CallRecord,
    Message,
    Referral,
    StatusChange,
    VictimRequest,
)

KINDS: Final = ("request", "referral", "message", "task")
ASSIGNED: Final = ("me", "unassigned", "all")
LIMIT: Final = 200
REPLY: Final = "reply"  # the NavigatorTask kind that says who looks after a victim's thread
THREAD: Final = "thread"  # its status
CALL_OUTCOMES: Final = ("spoke", "no_answer", "voicemail", "unsafe_to_talk")
MAX_NOTE: Final = 2_000
LONDON: Final = ZoneInfo("Europe/London")
REQUEST_MACHINES: Final = {"vps": states.VPS, "vrr": states.VRR}


@dataclass(frozen=True)
class Item:
    kind: str  # request | referral | message | task
    public_id: str  # of the request, referral or task; of the victim for a message thread
    victim: User | None  # None: a task about no one in particular, or a deleted account
    what: str  # vps | vrr; the referral's service id; "message"; the task's reason
    reference: str | None  # VPS-…, VRR-…, REF-…
    status: str
    assigned: User | None
    since: dt.datetime  # waiting since (UTC)
    urgent: bool = False  # a referral only a navigator can make: it comes first within its day

    @property
    def order(self) -> tuple:
        """Oldest first, by the London day it has waited since; within a day, referrals that a
        navigator must make themselves come first (nobody else will)."""
        return (self.since.astimezone(LONDON).date(), not self.urgent, self.since, self.kind)


def _assigned_to(column, assigned: str, me: User):
    if assigned == "me":
        return column == me.id
    if assigned == "unassigned":
        return column.is_(None)
    return None


def _where(query, *clauses):
    return query.where(*(c for c in clauses if c is not None))


def _open_requests(assigned: str, me: User, limit: int) -> list[VictimRequest]:
    still_open = or_(
        *(
            and_(VictimRequest.kind == kind, VictimRequest.status.not_in({"draft", *m.final}))
            for kind, m in REQUEST_MACHINES.items()
        )
    )
    query = _where(
        select(VictimRequest),
        still_open,
        _assigned_to(VictimRequest.assigned_to_id, assigned, me),
    )
    return list(
        db.session.scalars(query.order_by(VictimRequest.updated_at, VictimRequest.id).limit(limit))
    )


def _open_referrals(assigned: str, me: User, limit: int) -> list[Referral]:
    query = _where(
        select(Referral),
        Referral.status.not_in(states.REFERRAL.final),
        _assigned_to(Referral.assigned_to_id, assigned, me),
    )
    return list(db.session.scalars(query.order_by(Referral.updated_at, Referral.id).limit(limit)))


def _waiting_threads(assigned: str, me: User, limit: int) -> list[tuple[int, dt.datetime, int]]:
    """(victim id, the first of their messages since the last reply, assigned navigator id) for
    each victim whose thread ends with a message of theirs."""
    replied = (
        select(Message.victim_id, func.max(Message.created_at).label("at"))
        .where(Message.from_victim.is_(False))
        .group_by(Message.victim_id)
        .subquery()
    )
    waiting = (
        select(Message.victim_id, func.min(Message.created_at).label("since"))
        .outerjoin(replied, replied.c.victim_id == Message.victim_id)
        .where(Message.from_victim, or_(replied.c.at.is_(None), Message.created_at > replied.c.at))
        .group_by(Message.victim_id)
        .subquery()
    )
    query = _where(
        select(waiting.c.victim_id, waiting.c.since, NavigatorTask.assigned_to_id).outerjoin(
            NavigatorTask,
            and_(NavigatorTask.user_id == waiting.c.victim_id, NavigatorTask.kind == REPLY),
        ),
        _assigned_to(NavigatorTask.assigned_to_id, assigned, me),
    )
    return [tuple(row) for row in db.session.execute(query.order_by(waiting.c.since).limit(limit))]


def _open_tasks(assigned: str, me: User, limit: int) -> list[NavigatorTask]:
    query = _where(
        select(NavigatorTask),
        NavigatorTask.status == "open",
        NavigatorTask.kind != REPLY,
        _assigned_to(NavigatorTask.assigned_to_id, assigned, me),
    )
    return list(
        db.session.scalars(query.order_by(NavigatorTask.created_at, NavigatorTask.id).limit(limit))
    )


def users_by_id(ids: Iterable[int | None]) -> dict[int | None, User]:
    """The users named, by id (keyed so that an unset id simply finds nobody)."""
    wanted = {i for i in ids if i is not None}
    found: dict[int | None, User] = {}
    if wanted:
        found.update((u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(wanted))))
    return found


def queue(me: User, *, kind: str = "all", assigned: str = "all", limit: int = LIMIT) -> list[Item]:
    """The items of `kind` (or all kinds) assigned to `me`, to nobody, or to anyone; oldest
    first (see Item.order), at most `limit`."""
    kinds = KINDS if kind not in KINDS else (kind,)
    assigned = assigned if assigned in ASSIGNED else "all"
    requests = _open_requests(assigned, me, limit) if "request" in kinds else []
    referrals = _open_referrals(assigned, me, limit) if "referral" in kinds else []
    threads = _waiting_threads(assigned, me, limit) if "message" in kinds else []
    tasks = _open_tasks(assigned, me, limit) if "task" in kinds else []
    users = users_by_id(
        [r.user_id for r in requests]
        + [r.assigned_to_id for r in requests]
        + [r.user_id for r in referrals]
        + [r.assigned_to_id for r in referrals]
        + [victim_id for victim_id, _since, _to in threads]
        + [to for _v, _s, to in threads]
        + [t.user_id for t in tasks]
        + [t.assigned_to_id for t in tasks]
    )
    items = (
        [
            Item(
                "request",
                r.public_id,
                users.get(r.user_id),
                r.kind,
                r.reference,
                r.status,
                users.get(r.assigned_to_id),
                as_utc(r.updated_at),
            )
            for r in requests
        ]
        + [
            Item(
                "referral",
                r.public_id,
                users.get(r.user_id),
                r.service_id,
                r.reference,
                r.status,
                users.get(r.assigned_to_id),
                as_utc(r.updated_at),
                urgent=r.status == "requested" and r.channel == "navigator",
            )
            for r in referrals
        ]
        + [
            Item(
                "message",
                users[victim_id].public_id,
                users[victim_id],
                "message",
                None,
                "unanswered",
                users.get(to),
                as_utc(since),
            )
            for victim_id, since, to in threads
            if victim_id in users
        ]
        + [
            Item(
                "task",
                t.public_id,
                users.get(t.user_id),
                t.reason,
                None,
                t.status,
                users.get(t.assigned_to_id),
                as_utc(t.created_at),
            )
            for t in tasks
        ]
    )
    return sorted(items, key=lambda item: item.order)[:limit]


# --- Finding and assigning ----------------------------------------------------------------------


def find_victim(public_id: str) -> User | None:
    """A victim's account (a staff account is not a victim: not found)."""
    return db.session.scalar(
        select(User).where(User.public_id == public_id, User.role == Role.VICTIM)
    )


def find_request(public_id: str) -> VictimRequest | None:
    """A sent request: a draft is the victim's own until they send it."""
    return db.session.scalar(
        select(VictimRequest).where(
            VictimRequest.public_id == public_id, VictimRequest.status != "draft"
        )
    )


def thread_task(victim: User) -> NavigatorTask | None:
    return db.session.scalar(
        select(NavigatorTask).where(NavigatorTask.user_id == victim.id, NavigatorTask.kind == REPLY)
    )


def assign(kind: str, public_id: str, navigator: User) -> tuple[bool, User | None]:
    """Assign the item to `navigator`. Returns (found, the victim it is about)."""
    item: VictimRequest | Referral | NavigatorTask | None
    if kind == "request":
        item = find_request(public_id)
    elif kind == "referral":
        item = referrals.by_public_id(public_id)
    elif kind == "task":
        item = db.session.scalar(
            select(NavigatorTask).where(
                NavigatorTask.public_id == public_id,
                NavigatorTask.status == "open",
                NavigatorTask.kind != REPLY,
            )
        )
    elif kind == "message":
        victim = find_victim(public_id)
        if victim is None:
            return False, None
        task = thread_task(victim)
        if task is None:
            open_task(
                kind=REPLY,
                reason="message_thread",
                key=f"reply:{victim.public_id}",
                user_id=victim.id,
            )
            task = thread_task(victim)
            assert task is not None  # just opened, in this transaction
            task.status = THREAD
        task.assigned_to_id = navigator.id
        return True, victim
    else:
        return False, None
    if item is None:
        return False, None
    item.assigned_to_id = navigator.id
    return True, db.session.get(User, item.user_id) if item.user_id else None


# --- A victim's page ----------------------------------------------------------------------------


def recent_milestones(case_ids: Iterable[int], per_case: int = 5) -> dict[int, list[Milestone]]:
    """The latest `per_case` milestones of each case, newest first, in one query."""
    wanted = set(case_ids)
    found: dict[int, list[Milestone]] = {case_id: [] for case_id in wanted}
    if not wanted:
        return found
    newest_first = (Milestone.occurred_at.desc(), Milestone.id.desc())
    ranked = (
        select(
            Milestone.id,
            func.row_number()
            .over(partition_by=Milestone.case_id, order_by=newest_first)
            .label("rank"),
        )
        .where(Milestone.case_id.in_(wanted))
        .subquery()
    )
    rows = db.session.scalars(
        select(Milestone)
        .join(ranked, ranked.c.id == Milestone.id)
        .where(ranked.c.rank <= per_case)
        .options(joinedload(Milestone.agency))  # each names its sender
        .order_by(*newest_first)
    )
    for milestone in rows:
        found[milestone.case_id].append(milestone)
    return found


def histories(
    requests: Iterable[VictimRequest], their_referrals: Iterable[Referral]
) -> dict[tuple[str, int], list[StatusChange]]:
    """Each request's and referral's status history, oldest first, keyed ("request", id) and
    ("referral", id), in one query."""
    ids = {"request": {r.id for r in requests}, "referral": {r.id for r in their_referrals}}
    found: dict[tuple[str, int], list[StatusChange]] = {
        (subject, i): [] for subject, wanted in ids.items() for i in wanted
    }
    clauses = [
        and_(StatusChange.subject == subject, StatusChange.subject_id.in_(wanted))
        for subject, wanted in ids.items()
        if wanted
    ]
    if not clauses:
        return found
    steps = db.session.scalars(
        select(StatusChange).where(or_(*clauses)).order_by(StatusChange.at, StatusChange.id)
    )
    for step in steps:
        found[(step.subject, step.subject_id)].append(step)
    return found


def open_tasks_of(victim: User) -> list[NavigatorTask]:
    return list(
        db.session.scalars(
            select(NavigatorTask)
            .where(
                NavigatorTask.user_id == victim.id,
                NavigatorTask.status == "open",
                NavigatorTask.kind != REPLY,
            )
            .order_by(NavigatorTask.created_at, NavigatorTask.id)
        )
    )


def calls_of(victim: User) -> list[CallRecord]:
    return list(
        db.session.scalars(
            select(CallRecord)
            .where(CallRecord.victim_id == victim.id)
            .order_by(CallRecord.created_at.desc(), CallRecord.id.desc())
        )
    )


def record_call(navigator: User, victim: User, outcome: str, note: str | None) -> CallRecord:
    if outcome not in CALL_OUTCOMES:
        raise ValueError(outcome)
    call = CallRecord(
        victim_id=victim.id,
        navigator_id=navigator.id,
        outcome=outcome,
        note=note or None,
        created_at=utcnow(),
    )
    db.session.add(call)
    return call


def _chase_key(item: VictimRequest) -> str:
    # service.tell_agency's key for a chase of this request at its present status
    return f"webhook:{item.agency_id}:request.chase:{item.public_id}:{item.status}"


def chased_at(item: VictimRequest) -> dt.datetime | None:
    """When the agency was chased about this request at its present status, if it was.

    service.tell_agency queues one webhook per event, request and status (its key above), so a
    second chase at the same status sends nothing: the page says when the first one went."""
    return chased_at_each([item])[item.id]


def chased_at_each(items: Iterable[VictimRequest]) -> dict[int, dt.datetime | None]:
    """chased_at for each request, by its id, in one query."""
    items = list(items)
    keys = {_chase_key(item): item.id for item in items if item.agency_id is not None}
    found: dict[int, dt.datetime | None] = {item.id: None for item in items}
    if keys:
        rows = db.session.execute(
            select(Notification.dedupe_key, Notification.created_at).where(
                Notification.dedupe_key.in_(keys)
            )
        )
        for key, at in rows:
            found[keys[key]] = as_utc(at) if at else None
    return found
