"""Requests (VPS, VRR): drafts, sending, routing to the agency, and every status change after.

Called by the victim's pages, the navigator console and the partner API alike, so that a status
moves by the same rules (`states.py`) and leaves the same trail (`StatusChange`) whoever moves it.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update

from app.accounts import contact
from app.accounts.models import User
from app.cases import agency_messages
from app.cases import service as cases_service
from app.cases.models import Agency, Case, CaseVictim
from app.core.time import utcnow
from app.entitlements.service import engine_history, rules
from app.extensions import db
from app.victim_requests import states, vrr
from app.victim_requests.models import StatusChange, VictimRequest

_ALPHABET = "23456789BCDFGHJKLMNPQRSTVWXYZ"  # no vowels (no words), no 0/O or 1/I


def new_reference(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def machine(item: VictimRequest) -> states.Machine:
    return states.MACHINES[item.kind]


# --- Drafts -----------------------------------------------------------------------------------


def start_draft(
    user: User,
    link: CaseVictim,
    kind: str,
    *,
    scheme: str | None = None,
    decision_id: int | None = None,
) -> VictimRequest:
    """The victim's open draft of this kind for this case (and decision), or a new one: pressing
    "start" twice, or on two devices, never makes two drafts."""
    query = select(VictimRequest).where(
        VictimRequest.user_id == user.id,
        VictimRequest.case_victim_id == link.id,
        VictimRequest.kind == kind,
        VictimRequest.status == "draft",
    )
    if decision_id is not None:
        query = query.where(VictimRequest.decision_id == decision_id)
    existing = db.session.scalar(query.order_by(VictimRequest.id.desc()).limit(1))
    if existing is not None:
        return existing
    now = utcnow()
    answers = {}
    if kind == "vps":  # the likely answer; the first page asks
        earlier = db.session.scalar(
            select(VictimRequest.id)
            .where(
                VictimRequest.case_victim_id == link.id,
                VictimRequest.kind == "vps",
                VictimRequest.status.not_in(("draft", "withdrawn")),
            )
            .limit(1)
        )
        answers["kind"] = "update" if earlier else "make"
        answers["statement_language"] = user.language
    item = VictimRequest(
        reference=new_reference(kind.upper()),
        kind=kind,
        user_id=user.id,
        case_victim_id=link.id,
        case_id=link.case_id,
        scheme=scheme,
        decision_id=decision_id,
        status="draft",
        answers=answers,
        created_at=now,
        updated_at=now,
    )
    db.session.add(item)
    db.session.flush()
    _record(item, None, "draft", states.VICTIM, user=user)
    return item


def save_answers(item: VictimRequest, values: dict[str, str]) -> None:
    if item.status != "draft":
        raise states.IllegalTransition(item.kind, item.status, "draft", states.VICTIM)
    item.answers = {**(item.answers or {}), **values}  # a new dict: the column sees the change
    item.updated_at = utcnow()


def discard_draft(item: VictimRequest) -> None:
    if item.status != "draft":
        raise states.IllegalTransition(item.kind, item.status, "discarded", states.VICTIM)
    db.session.delete(item)


# --- The Right to Review's decisions ------------------------------------------------------------


def review_decisions(case_id: int, enhanced: bool | None) -> list[vrr.Decision]:
    return vrr.decisions(engine_history(case_id), rules(), enhanced)


# --- Sending and status -----------------------------------------------------------------------


def _record(
    item,
    before: str | None,
    after: str,
    actor: str,
    *,
    user: User | None = None,
    agency: Agency | None = None,
    note: str | None = None,
    subject: str = "request",
) -> None:
    db.session.add(
        StatusChange(
            subject=subject,
            subject_id=item.id,
            from_status=before,
            to_status=after,
            actor=actor,
            actor_user_id=user.id if user else None,
            actor_agency_id=agency.id if agency else None,
            note=note or None,
            at=utcnow(),
        )
    )


def route_to(item: VictimRequest) -> Agency:
    """Who on the journey answers it: a review goes to the agency whose decision it is (the
    CPS, or the police), a statement to the agency that invited the victim (it knows them by its
    own reference). With no such agency on the journey, the inviting agency, then the one that
    opened the journey, passes it on."""
    case = case_of(item)
    on_journey = [p.agency for p in cases_service.participants([case.id])[case.id]]
    if item.kind == "vrr":
        kind = "cps" if item.scheme == vrr.CPS else "police"
        for agency in on_journey:
            if kind in (agency.kinds or ()):
                return agency
    link = db.session.get(CaseVictim, item.case_victim_id)
    inviter = link.agency_id if link else None
    for agency in on_journey:
        if agency.id == inviter:
            return agency
    return on_journey[0] if on_journey else case.agency


def submit(item: VictimRequest, user: User, document: bytes) -> None:
    """Send it: the PDF kept as sent, the agency told by signed webhook and a detail-free e-mail,
    all in this transaction (the messages go when it commits)."""
    states.MACHINES[item.kind].check(item.status, "submitted", states.VICTIM)
    agency = route_to(item)
    now = utcnow()
    item.status, item.submitted_at, item.updated_at = "submitted", now, now
    item.document, item.agency_id = document, agency.id
    _record(item, "draft", "submitted", states.VICTIM, user=user)
    tell_agency(item, agency, "request.submitted")


def case_of(item: VictimRequest) -> Case:
    """The request's case: always there, as a request is deleted with its case (`case_id` is
    required, ON DELETE CASCADE)."""
    return db.session.get_one(Case, item.case_id)


def tell_agency(item: VictimRequest, agency: Agency, event: str) -> None:
    case = case_of(item)
    data = {
        "request": item.public_id,
        "reference": item.reference,
        "kind": item.kind,
        "status": item.status,
        "case": case.public_id,
        "case_reference": case.reference,
    }
    key = f"{event}:{item.public_id}:{item.status}"
    agency_messages.queue_webhook(agency, event, data, key)
    agency_messages.queue_agency_email(agency, event, {"count": 1}, key)


def change_status(
    item: VictimRequest,
    target: str,
    actor: str,
    *,
    user: User | None = None,
    agency: Agency | None = None,
    note: str | None = None,
) -> None:
    """Move a sent request on, by the state machine's rules; the victim is told (neutrally, at
    their safe times) and, when the victim withdraws it, so is the agency."""
    machine(item).check(item.status, target, actor)
    before = item.status
    item.status, item.updated_at = target, utcnow()
    _record(item, before, target, actor, user=user, agency=agency, note=note)
    victim = db.session.get(User, item.user_id)
    if actor != states.VICTIM and victim is not None:
        contact.queue_victim_update(victim, f"request:{item.public_id}:{target}")
    if actor == states.VICTIM or (actor == states.NAVIGATOR and target == "withdrawn"):
        routed = db.session.get(Agency, item.agency_id) if item.agency_id else None
        if routed is not None:
            tell_agency(item, routed, "request.updated")


def follow_victims(victim_ids: list[int], case_id: int) -> int:
    """The victims moved to another journey (an agency joined the wrong one): their requests
    go with them. Returns how many moved."""
    if not victim_ids:
        return 0
    result = db.session.execute(
        update(VictimRequest)
        .where(VictimRequest.case_victim_id.in_(victim_ids))
        .values(case_id=case_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)
