"""The navigator console: the queue of everything victims wait on, and a victim's page with what
a navigator can do for them (move a request or a referral on, chase the agency, reply, note a
call). Every page works without JavaScript; with htmx, a form swaps only its own part of the page
(a block of the same template). Every look at a victim's record and every action is audited."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, abort, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from jinja2_fragments.flask import render_block
from sqlalchemy import select

from app.accounts import audit
from app.accounts.forms import DAYS
from app.accounts.models import User
from app.accounts.policy import login_required
from app.cases import invitations
from app.cases import service as journeys
from app.cases.labels import MILESTONES
from app.cases.models import Agency
from app.core.forms import required
from app.extensions import db
from app.i18n import localized_route
from app.languages import KNOWN
from app.navigator import bp
from app.navigator import console as desk
from app.navigator.forms import (
    AssignForm,
    CallForm,
    ChaseForm,
    QueueFilterForm,
    ReplyForm,
    StatusForm,
)
from app.navigator.task_views import NAVIGATORS, REASONS
from app.victim_requests import finding, labels, messages, referrals, service, states
from app.victim_requests.models import Referral, VictimRequest

TEMPLATE = "navigator/victim.html"
QUEUE_STATUSES = {"unanswered": _l("Waiting for a reply"), "open": _l("Open")}
CHANNELS = {
    "email": _l("E-mail"),
    "sms": _l("Text message"),
    "none": _l("No messages: they check their account"),
}
DONE = {
    "assigned": _l("Assigned to you."),
    "request_status": _l(
        "The request's status has been changed. The victim will see it in their account and be "
        "told there is an update, as they chose."
    ),
    "referral_status": _l(
        "The referral's status has been changed. The victim will see it in their account and be "
        "told there is an update, as they chose."
    ),
    "chased": _l("The agency has been chased."),
    "chased_before": _l(
        "The agency was already chased about this request at this status: nothing more was sent."
    ),
    "message_sent": _l("Your reply has been sent. The victim will be told there is a message."),
    "call_recorded": _l("The call has been recorded."),
}
SECTION_OF = {
    "request_status": "requests",
    "chased": "requests",
    "chased_before": "requests",
    "referral_status": "referrals",
    "message_sent": "messages",
    "call_recorded": "calls",
}
BLOCK_OF = {"requests": "work", "referrals": "work", "messages": "messages", "calls": "calls"}


def _is_htmx() -> bool:
    return "HX-Request" in request.headers


# --- The queue ----------------------------------------------------------------------------------


def _queue_page(chosen: dict[str, str], done: str | None):
    items = desk.queue(g.user, kind=chosen["kind"], assigned=chosen["assigned"])
    services = {i.what: referrals.service(i.what) for i in items if i.kind == "referral"}
    # Victims' names and addresses are on this page: every look is on the record.
    audit.record(
        "navigator_console_viewed",
        actor=g.user,
        count=len(items),
        kind=chosen["kind"],
        assigned=chosen["assigned"],
    )
    db.session.commit()
    context = {
        "items": items,
        "chosen": chosen,
        "done": DONE.get(done or ""),
        "filters": QueueFilterForm(formdata=None, **chosen),
        "assign_form": AssignForm(formdata=None),
        "services": services,
        "statuses": {**labels.STATUSES, **QUEUE_STATUSES},
        "tags": labels.TAG_CLASSES,
        "kinds": labels.KINDS,
        "reasons": REASONS,
        "limit": desk.LIMIT,
    }
    if _is_htmx():
        return render_block("navigator/console.html", "queue", **context)
    return render_template("navigator/console.html", **context)


@localized_route(bp, "/navigator")
@login_required(*NAVIGATORS)
def console(lang: str):
    return _queue_page(QueueFilterForm(request.args).chosen(), request.args.get("done"))


@localized_route(bp, "/navigator/assign", methods=["POST"])
@login_required(*NAVIGATORS)
def assign(lang: str):
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400)
    kind, public_id = form.kind.data or "", form.id.data or ""
    found, victim = desk.assign(kind, public_id, g.user)
    if not found:
        abort(404)
    audit.record("navigator_assigned", actor=g.user, subject=victim, kind=kind, item=public_id)
    db.session.commit()
    chosen = QueueFilterForm(
        formdata=None, kind=form.queue_kind.data, assigned=form.queue_assigned.data
    ).chosen()
    if _is_htmx():
        return _queue_page(chosen, "assigned")
    return redirect(
        url_for(
            "navigator.console", done="assigned", kind=chosen["kind"], assigned=chosen["assigned"]
        )
    )


# --- A victim's page ----------------------------------------------------------------------------


def _victim_or_404(public_id: str) -> User:
    victim = desk.find_victim(public_id)
    if victim is None:
        abort(404)
    return victim


def _victim_page(
    victim: User,
    *,
    block: str | None = None,
    done: str | None = None,
    posted: FlaskForm | None = None,
):
    """The whole page, or (htmx) one block of it: either way a look at the record, audited. A
    form posted with problems comes back as it was sent, with its errors."""
    # Audited (and committed) first: a commit expires every object loaded before it, and the
    # template would then load each row again, one query apiece.
    audit.record("navigator_victim_viewed", actor=g.user, subject=victim, part=block or "page")
    db.session.commit()
    links = invitations.cases_of(victim, with_case=True)
    requests = finding.requests_of(victim, sent_only=True)
    their_referrals = referrals.of(victim)
    thread = messages.thread(victim)
    calls = desk.calls_of(victim)
    history = desk.histories(requests, their_referrals)
    thread_task = desk.thread_task(victim)
    people = desk.users_by_id(
        [r.assigned_to_id for r in requests]
        + [r.assigned_to_id for r in their_referrals]
        + [m.author_id for m in thread]
        + [c.navigator_id for c in calls]
        + [s.actor_user_id for steps in history.values() for s in steps]
        + [thread_task.assigned_to_id if thread_task else None]
    )
    agency_ids = {r.agency_id for r in requests if r.agency_id}
    agencies = (
        {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(agency_ids)))}
        if agency_ids
        else {}
    )
    next_request = {r.id: service.machine(r).next_for(r.status, states.NAVIGATOR) for r in requests}
    next_referral = {
        r.id: states.REFERRAL.next_for(r.status, states.NAVIGATOR) for r in their_referrals
    }
    context = {
        "victim": victim,
        "language": KNOWN.get(victim.language),
        "day_names": {choice.value: choice.label for choice in DAYS},
        "channels": CHANNELS,
        "links": links,
        "milestones": desk.recent_milestones(link.case_id for link in links),
        "participants": journeys.participants([link.case_id for link in links]),
        "milestone_labels": MILESTONES,
        "tasks": desk.open_tasks_of(victim),
        "reasons": REASONS,
        "requests": requests,
        "referrals": their_referrals,
        "services": {r.service_id: referrals.service(r.service_id) for r in their_referrals},
        "history": history,
        "status_forms": {
            **_status_forms("request", requests, next_request, posted),
            **_status_forms("referral", their_referrals, next_referral, posted),
        },
        "chase_forms": {r.id: _posted_or_new(ChaseForm, posted, r).for_item(r) for r in requests},
        "open_request": {r.id: service.machine(r).is_open(r.status) for r in requests},
        "chased": desk.chased_at_each(requests),
        "agencies": agencies,
        "thread": thread,
        "thread_task": thread_task,
        "reply_form": _posted_or_new(ReplyForm, posted),
        "calls": calls,
        "call_form": _posted_or_new(CallForm, posted),
        "people": people,
        "statuses": labels.STATUSES,
        "tags": labels.TAG_CLASSES,
        "kinds": labels.KINDS,
        "actors": labels.ACTORS,
        "referral_channels": labels.CHANNELS,
        "shared_fields": labels.SHARED_FIELDS,
        "outcomes": labels.CALL_OUTCOMES,
        "max_message": messages.MAX_LENGTH,
        "max_note": desk.MAX_NOTE,
        "done": DONE.get(done or ""),
        "done_in": SECTION_OF.get(done or ""),
        "done_is_news": done == "chased_before",  # not a success: nothing was sent
        "posted": posted,
        "partial": block is not None,
    }
    if block is not None:
        return render_block(TEMPLATE, block, **context)
    return render_template(TEMPLATE, **context)


def _posted_or_new(
    form_class: type[FlaskForm],
    posted: FlaskForm | None,
    item: VictimRequest | Referral | None = None,
):
    """The form as posted, if it is this one (for this item); otherwise an empty one."""
    if isinstance(posted, form_class) and (
        item is None or (type(posted.item) is type(item) and posted.item.id == item.id)
    ):
        return posted
    return form_class(formdata=None)


def _status_forms(subject: str, items, choices: dict, posted: FlaskForm | None) -> dict:
    """A status form for each item a navigator may move on (and for the one just posted, so
    that its error shows even if someone else has moved it out of reach meanwhile)."""
    forms = {}
    for item in items:
        form = _posted_or_new(StatusForm, posted, item)
        if choices[item.id] or form is posted:
            forms[(subject, item.id)] = form.for_item(subject, item, choices[item.id])
    return forms


def _after(victim: User, done: str, *, posted: FlaskForm | None = None):
    """Post/Redirect/Get back to the victim's section; with htmx, that section itself. A form
    with problems is shown again, as posted."""
    section = SECTION_OF[done]
    block = BLOCK_OF[section] if _is_htmx() else None
    if posted is not None:
        return _victim_page(victim, block=block, posted=posted)
    if block:
        return _victim_page(victim, block=block, done=done)
    query = urlencode({"done": done})
    target = url_for("navigator.victim", public_id=victim.public_id)
    return redirect(f"{target}?{query}#{section}")


@localized_route(bp, "/navigator/victims/<pid:public_id>")
@login_required(*NAVIGATORS)
def victim(lang: str, public_id: str):
    return _victim_page(_victim_or_404(public_id), done=request.args.get("done"))


def _move(item: VictimRequest | Referral, subject: str, move) -> Response:
    victim = db.session.get_one(User, item.user_id)  # a request or referral is its victim's
    done = f"{subject}_status"
    form = StatusForm().for_item(subject, item)
    if not form.validate_on_submit():
        return _after(victim, done, posted=form)
    before, target = item.status, form.status.data
    try:
        move(item, target, states.NAVIGATOR, user=g.user, note=form.note.data or None)
    except states.IllegalTransition:
        db.session.rollback()
        form.illegal(before)
        return _after(victim, done, posted=form)
    audit.record(
        f"navigator_{subject}_status",
        actor=g.user,
        subject=victim,
        item=item.public_id,
        before=before,
        after=target,
    )
    db.session.commit()
    return _after(victim, done)


@localized_route(bp, "/navigator/requests/<pid:public_id>/status", methods=["POST"])
@login_required(*NAVIGATORS)
def request_status(lang: str, public_id: str):
    item = desk.find_request(public_id)
    if item is None:
        abort(404)
    return _move(item, "request", service.change_status)


@localized_route(bp, "/navigator/referrals/<pid:public_id>/status", methods=["POST"])
@login_required(*NAVIGATORS)
def referral_status(lang: str, public_id: str):
    item = referrals.by_public_id(public_id)
    if item is None:
        abort(404)
    return _move(item, "referral", referrals.change_status)


@localized_route(bp, "/navigator/requests/<pid:public_id>/chase", methods=["POST"])
@login_required(*NAVIGATORS)
def chase(lang: str, public_id: str):
    item = desk.find_request(public_id)
    if item is None:
        abort(404)
    victim = db.session.get_one(User, item.user_id)  # a request or referral is its victim's
    form = ChaseForm().for_item(item)
    if not form.validate_on_submit():
        return _after(victim, "chased", posted=form)
    agency = db.session.get(Agency, item.agency_id) if item.agency_id else None
    if agency is None or not service.machine(item).is_open(item.status):
        form.no_one_to_chase()
        return _after(victim, "chased", posted=form)
    before = desk.chased_at(item)
    if before is None:
        service.tell_agency(item, agency, "request.chase")
    audit.record(
        "navigator_request_chased",
        actor=g.user,
        subject=victim,
        item=item.public_id,
        agency=agency.id,
        sent=before is None,
    )
    db.session.commit()
    return _after(victim, "chased" if before is None else "chased_before")


@localized_route(bp, "/navigator/requests/<pid:public_id>/document")
@login_required(*NAVIGATORS)
def request_document(lang: str, public_id: str):
    item = desk.find_request(public_id)
    if item is None or not item.document:
        abort(404)
    victim = db.session.get_one(User, item.user_id)  # a request or referral is its victim's
    audit.record(
        "navigator_request_document_viewed", actor=g.user, subject=victim, item=item.public_id
    )
    db.session.commit()
    return Response(
        item.document,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{item.reference}.pdf"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@localized_route(bp, "/navigator/victims/<pid:public_id>/messages", methods=["POST"])
@login_required(*NAVIGATORS)
def reply(lang: str, public_id: str):
    victim = _victim_or_404(public_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _after(victim, "message_sent", posted=form)
    message = messages.post_from_navigator(g.user, victim, required(form.body.data))
    audit.record("navigator_message_sent", actor=g.user, subject=victim, message=message.public_id)
    db.session.commit()
    return _after(victim, "message_sent")


@localized_route(bp, "/navigator/victims/<pid:public_id>/calls", methods=["POST"])
@login_required(*NAVIGATORS)
def record_call(lang: str, public_id: str):
    victim = _victim_or_404(public_id)
    form = CallForm()
    if not form.validate_on_submit():
        return _after(victim, "call_recorded", posted=form)
    outcome = form.outcome.data
    call = desk.record_call(g.user, victim, outcome, form.note.data)
    db.session.flush()
    audit.record(
        "navigator_call_recorded", actor=g.user, subject=victim, call=call.id, outcome=outcome
    )
    db.session.commit()
    return _after(victim, "call_recorded")
