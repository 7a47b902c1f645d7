"""The navigator console: the queue of everything victims wait on, and a victim's page with what
a navigator can do for them (move a request or a referral on, chase the agency, reply, note a
call). Every page works without JavaScript; with htmx, a form swaps only its own part of the page
(a block of the same template). Every look at a victim's record and every action is audited."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, abort, g, redirect, render_template, request, url_for
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2_fragments.flask import render_block
from sqlalchemy import select

from app.accounts import audit
from app.accounts.forms import DAYS
from app.accounts.models import User
from app.accounts.policy import login_required
from app.cases.labels import MILESTONES
from app.cases.models import Agency
from app.extensions import db
from app.i18n import localized_route
from app.languages import KNOWN
from app.navigator import bp
from app.navigator import console as desk
from app.navigator.task_views import NAVIGATORS, REASONS
from app.victim_requests import labels, messages, referrals, service, states
from app.victim_requests.models import Referral, VictimRequest
from app.victim_requests.vps import clean_text

TEMPLATE = "navigator/victim.html"
QUEUE_STATUSES = {"unanswered": _l("Waiting for a reply"), "open": _l("Open")}
KIND_FILTERS = {
    "all": _l("All"),
    "request": _l("Requests"),
    "referral": _l("Referrals"),
    "message": _l("Messages"),
    "task": _l("Tasks"),
}
ASSIGNED_FILTERS = {"all": _l("Anyone or no one"), "me": _l("Me"), "unassigned": _l("No one")}
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


def _filters(source) -> dict[str, str]:
    kind = source.get("kind") or "all"
    assigned = source.get("assigned") or "all"
    return {
        "kind": kind if kind in KIND_FILTERS else "all",
        "assigned": assigned if assigned in ASSIGNED_FILTERS else "all",
    }


def _queue_page(chosen: dict[str, str], done: str | None):
    items = desk.queue(g.user, kind=chosen["kind"], assigned=chosen["assigned"])
    services = {i.what: referrals.service(i.what) for i in items if i.kind == "referral"}
    # Victims' names and addresses are on this page: every look is on the record.
    audit.record("navigator_console_viewed", actor=g.user, count=len(items), **chosen)
    db.session.commit()
    context = {
        "items": items,
        "chosen": chosen,
        "done": DONE.get(done or ""),
        "kind_filters": KIND_FILTERS,
        "assigned_filters": ASSIGNED_FILTERS,
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
    return _queue_page(_filters(request.args), request.args.get("done"))


@localized_route(bp, "/navigator/assign", methods=["POST"])
@login_required(*NAVIGATORS)
def assign(lang: str):
    kind, public_id = request.form.get("kind", ""), request.form.get("id", "")
    found, victim = desk.assign(kind, public_id, g.user)
    if not found:
        abort(404)
    audit.record("navigator_assigned", actor=g.user, subject=victim, kind=kind, item=public_id)
    db.session.commit()
    chosen = _filters({"kind": request.form.get("filter_kind"),
                       "assigned": request.form.get("filter_assigned")})  # fmt: skip
    if _is_htmx():
        return _queue_page(chosen, "assigned")
    return redirect(url_for("navigator.console", done="assigned", **chosen))


# --- A victim's page ----------------------------------------------------------------------------


def _victim_or_404(public_id: str) -> User:
    victim = desk.find_victim(public_id)
    if victim is None:
        abort(404)
    return victim


def _victim_page(
    victim: User, *, block: str | None = None, done: str | None = None,
    errors: dict[str, str] | None = None, typed: dict[str, str] | None = None,
):  # fmt: skip
    """The whole page, or (htmx) one block of it: either way a look at the record, audited."""
    # Audited (and committed) first: a commit expires every object loaded before it, and the
    # template would then load each row again, one query apiece.
    audit.record("navigator_victim_viewed", actor=g.user, subject=victim, part=block or "page")
    db.session.commit()
    links = desk.cases_of(victim)
    requests = service.requests_of(victim, sent_only=True)
    their_referrals = referrals.of(victim)
    thread = messages.thread(victim)
    calls = desk.calls_of(victim)
    history = desk.histories(requests, their_referrals)
    thread_task = desk.thread_task(victim)
    people = desk.users_by_id(
        [r.assigned_to_id for r in requests] + [r.assigned_to_id for r in their_referrals]
        + [m.author_id for m in thread] + [c.navigator_id for c in calls]
        + [s.actor_user_id for steps in history.values() for s in steps]
        + [thread_task.assigned_to_id if thread_task else None]
    )  # fmt: skip
    agency_ids = {r.agency_id for r in requests if r.agency_id}
    agencies = (
        {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(agency_ids)))}
        if agency_ids
        else {}
    )
    errors = errors or {}
    context = {
        "victim": victim,
        "language": KNOWN.get(victim.language),
        "day_names": {choice.value: choice.label for choice in DAYS},
        "channels": CHANNELS,
        "links": links,
        "milestones": desk.recent_milestones(link.case_id for link in links),
        "milestone_labels": MILESTONES,
        "tasks": desk.open_tasks_of(victim),
        "reasons": REASONS,
        "requests": requests,
        "referrals": their_referrals,
        "services": {r.service_id: referrals.service(r.service_id) for r in their_referrals},
        "history": history,
        "next_request": {
            r.id: service.machine(r).next_for(r.status, states.NAVIGATOR) for r in requests
        },
        "next_referral": {
            r.id: states.REFERRAL.next_for(r.status, states.NAVIGATOR) for r in their_referrals
        },
        "open_request": {r.id: service.machine(r).is_open(r.status) for r in requests},
        "chased": desk.chased_at_each(requests),
        "agencies": agencies,
        "thread": thread,
        "thread_task": thread_task,
        "calls": calls,
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
        "errors": errors,
        "error_list": [{"text": text, "href": f"#{field}"} for field, text in errors.items()],
        "typed": typed or {},
        "partial": block is not None,
    }
    if block is not None:
        return render_block(TEMPLATE, block, **context)
    return render_template(TEMPLATE, **context)


def _after(victim: User, done: str, *, errors: dict[str, str] | None = None,
           typed: dict[str, str] | None = None):  # fmt: skip
    """Post/Redirect/Get back to the victim's section; with htmx, that section itself."""
    section = SECTION_OF[done]
    block = BLOCK_OF[section] if _is_htmx() else None
    if errors:
        return _victim_page(victim, block=block, errors=errors, typed=typed)
    if block:
        return _victim_page(victim, block=block, done=done)
    query = urlencode({"done": done})
    target = url_for("navigator.victim", public_id=victim.public_id)
    return redirect(f"{target}?{query}#{section}")


@localized_route(bp, "/navigator/victims/<pid:public_id>")
@login_required(*NAVIGATORS)
def victim(lang: str, public_id: str):
    return _victim_page(_victim_or_404(public_id), done=request.args.get("done"))


# Problems are formatted now, with gettext, into plain strings that the template escapes (a lazy
# string counts as safe HTML in Jinja, and these carry what was posted).


def _note(field: str, errors: dict[str, str]) -> str:
    note = clean_text(request.form.get("note"))
    if len(note) > desk.MAX_NOTE:
        errors[field] = _(
            "The note must be %(max)s characters or fewer", max=format_number(desk.MAX_NOTE)
        )
    return note


def _illegal(reference: str, current: str, target: str) -> str:
    return _(
        "%(reference)s cannot go from “%(current)s” to “%(target)s”. Someone may have changed it "
        "since you loaded the page: check its status and choose again.",
        reference=reference,
        current=labels.status_word(current),
        target=labels.status_word(target),
    )


def _move(item: VictimRequest | Referral, subject: str, move) -> Response:
    victim = db.session.get(User, item.user_id)
    target = request.form.get("status", "")
    errors: dict[str, str] = {}
    note = _note(f"{subject}-note-{item.public_id}", errors)
    field = f"{subject}-status-{item.public_id}"
    if not target:
        errors[field] = _("Choose the new status of %(reference)s", reference=item.reference)
    done = f"{subject}_status"
    if errors:
        return _after(victim, done, errors=errors, typed={f"{subject}-note-{item.public_id}": note})
    before = item.status
    try:
        move(item, target, states.NAVIGATOR, user=g.user, note=note or None)
    except states.IllegalTransition:
        db.session.rollback()
        errors[field] = _illegal(item.reference, before, target)
        return _after(victim, done, errors=errors, typed={f"{subject}-note-{item.public_id}": note})
    audit.record(f"navigator_{subject}_status", actor=g.user, subject=victim,
                 item=item.public_id, before=before, after=target)  # fmt: skip
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
    victim = db.session.get(User, item.user_id)
    agency = db.session.get(Agency, item.agency_id) if item.agency_id else None
    if agency is None or not service.machine(item).is_open(item.status):
        problem = _("%(reference)s is not waiting on an agency: there is no one to chase.",
                     reference=item.reference)  # fmt: skip
        return _after(victim, "chased", errors={f"chase-{item.public_id}": problem})
    before = desk.chased_at(item)
    if before is None:
        service.tell_agency(item, agency, "request.chase")
    audit.record("navigator_request_chased", actor=g.user, subject=victim, item=item.public_id,
                 agency=agency.id, sent=before is None)  # fmt: skip
    db.session.commit()
    return _after(victim, "chased" if before is None else "chased_before")


@localized_route(bp, "/navigator/requests/<pid:public_id>/document")
@login_required(*NAVIGATORS)
def request_document(lang: str, public_id: str):
    item = desk.find_request(public_id)
    if item is None or not item.document:
        abort(404)
    victim = db.session.get(User, item.user_id)
    audit.record("navigator_request_document_viewed", actor=g.user, subject=victim,
                 item=item.public_id)  # fmt: skip
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
    body = clean_text(request.form.get("body"))
    problem = None
    if not body:
        problem = _("Enter your reply")
    elif len(body) > messages.MAX_LENGTH:
        problem = _("Your reply must be %(max)s characters or fewer",
                     max=format_number(messages.MAX_LENGTH))  # fmt: skip
    if problem:
        return _after(victim, "message_sent", errors={"reply": problem}, typed={"reply": body})
    message = messages.post_from_navigator(g.user, victim, body)
    audit.record("navigator_message_sent", actor=g.user, subject=victim, message=message.public_id)
    db.session.commit()
    return _after(victim, "message_sent")


@localized_route(bp, "/navigator/victims/<pid:public_id>/calls", methods=["POST"])
@login_required(*NAVIGATORS)
def record_call(lang: str, public_id: str):
    victim = _victim_or_404(public_id)
    outcome = request.form.get("outcome", "")
    errors: dict[str, str] = {}
    if outcome not in desk.CALL_OUTCOMES:
        errors["outcome"] = _("Choose what happened on the call")
    note = _note("call-note", errors)
    if errors:
        return _after(victim, "call_recorded", errors=errors,
                      typed={"outcome": outcome, "call-note": note})  # fmt: skip
    call = desk.record_call(g.user, victim, outcome, note)
    db.session.flush()
    audit.record("navigator_call_recorded", actor=g.user, subject=victim, call=call.id,
                 outcome=outcome)  # fmt: skip
    db.session.commit()
    return _after(victim, "call_recorded")
