"""The victim's pages: a Victim Personal Statement and a Right to Review (question pages saved as a
draft on every page, then checked and sent), referrals to support services, and messages.

Everything is found through the signed-in victim (another person's request is not found: 404),
and a request on a case the victim no longer has is refused with an explanation (403)."""

from __future__ import annotations

from flask import Response, abort, g, redirect, render_template, request, url_for

from app.accounts.models import Role
from app.accounts.policy import login_required
from app.cases import invitations
from app.cases.models import Agency, Case, CaseVictim
from app.core.time import utcnow
from app.extensions import db, limiter
from app.i18n import localized_route
from app.languages import KNOWN
from app.victim_requests import bp, labels, messages, referrals, service, states, vps, vrr
from app.victim_requests.models import VictimRequest
from app.victim_requests.questions import (
    CONTACT_CHOICES,
    DECISIONS,
    KIND_CHOICES,
    READING_CHOICES,
    REFERRAL_FIELDS,
    SCHEMES,
    STATEMENT_PAGES,
    YES_NO,
    problem_text,
)

VICTIM = Role.VICTIM
REVIEW_STEPS = ("reasons", "contact")


def _languages() -> frozenset[str]:
    return frozenset(KNOWN)


def _owned(public_id: str, kind: str | None = None) -> VictimRequest:
    owned = service.own_request(g.user, public_id)
    if owned is None or (kind and owned.request.kind != kind):
        abort(404)
    if owned.link is None:
        abort(Response(render_template("requests/no_access.html"), status=403))
    return owned.request


def _case_link(public_id: str) -> CaseVictim:
    link = invitations.case_of(g.user, public_id)
    if link is None:
        abort(404)
    return link


def _errors(problems) -> dict[str, str]:
    return {problem.field: problem_text(problem) for problem in problems}


# --- Overview -----------------------------------------------------------------------------------


@localized_route(bp, "/account/requests")
@login_required(VICTIM)
def my_requests(lang: str):
    return render_template(
        "requests/my_requests.html",
        items=service.requests_of(g.user),
        referral_items=referrals.of(g.user),
        links=invitations.cases_of(g.user),
        unread=messages.unread_for_victim(g.user),
    )


# --- Victim Personal Statement ------------------------------------------------------------------


@localized_route(bp, "/account/cases/<pid:public_id>/statement", methods=["POST"])
@login_required(VICTIM)
def start_statement(lang: str, public_id: str):
    item = service.start_draft(g.user, _case_link(public_id), "vps")
    db.session.commit()
    return redirect(url_for("requests.statement_step", public_id=item.public_id,
                            step=vps.STEPS[0].slug))  # fmt: skip


@localized_route(bp, "/account/requests/<pid:public_id>/statement/<slug:step>",
                 methods=["GET", "POST"])  # fmt: skip
@login_required(VICTIM)
def statement_step(lang: str, public_id: str, step: str):
    item = _owned(public_id, "vps")
    if item.status != "draft":
        return redirect(url_for("requests.request_page", public_id=item.public_id))
    if step == vps.CHECK:
        return _statement_check(item)
    page = vps.BY_SLUG.get(step)
    if page is None:
        abort(404)
    answers = dict(item.answers or {})
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, problems = vps.check_step(page, request.form, answers, _languages())
        if not problems:
            service.save_answers(item, values)
            db.session.commit()
            if request.form.get("later"):
                return redirect(url_for("requests.request_page", public_id=item.public_id,
                                        saved=1))  # fmt: skip
            checking = request.args.get("next") == "check"
            following = vps.CHECK if checking else vps.next_slug(step)
            return redirect(url_for("requests.statement_step", public_id=item.public_id,
                                    step=following))  # fmt: skip
        answers.update(values)  # shown again as typed, with the error
        errors = _errors(problems)
    field = page.fields[0]
    others = vps.statement_length({k: v for k, v in answers.items() if k != field})
    return render_template(
        "requests/statement_step.html", item=item, step=page, answers=answers, errors=errors,
        question=STATEMENT_PAGES[step], back=vps.previous_slug(step),
        allowance=max(vps.MAX_CHARACTERS - others, 0) if field in vps.STATEMENT_PARTS
        else vps.MAX_CHARACTERS,
        kinds=KIND_CHOICES, readings=READING_CHOICES, yes_no=YES_NO,
        languages=sorted(KNOWN.values(), key=lambda language: language.code),
        from_check=request.args.get("next") == "check",
    )  # fmt: skip


def _statement_check(item: VictimRequest):
    answers = dict(item.answers or {})
    problems = []
    if request.method == "POST":
        problems = vps.check_whole(answers, _languages())
        if not problems:
            _send(item, _statement_document(item))
            return redirect(url_for("requests.request_page", public_id=item.public_id, sent=1))
    return render_template(
        "requests/statement_check.html", item=item, answers=answers,
        problems=[(vps.step_of(p.field).slug, problem_text(p)) for p in problems],
        pages=STATEMENT_PAGES, kinds=KIND_CHOICES, readings=READING_CHOICES, yes_no=YES_NO,
        parts=vps.STATEMENT_PARTS, steps=vps.STEPS,
    )  # fmt: skip


def _send(item: VictimRequest, document: bytes) -> None:
    service.submit(item, g.user, document)
    db.session.commit()


def _names(item: VictimRequest) -> tuple[Case, Agency]:
    case = db.session.get(Case, item.case_id)
    return case, service.route_to(item)


def _statement_document(item: VictimRequest) -> bytes:
    from app.victim_requests.pdfs import StatementDocument, statement_pdf

    case, agency = _names(item)
    answers = dict(item.answers or {})
    return statement_pdf(StatementDocument(
        reference=item.reference, kind=answers.get("kind", "make"),
        case_reference=case.reference, agency_name=agency.name,
        victim_name=g.user.preferred_name or g.user.email, submitted_at=utcnow(),
        language=g.get("lang", "en"), answers=answers,
    ))  # fmt: skip


# --- Right to Review ----------------------------------------------------------------------------


@localized_route(bp, "/account/cases/<pid:public_id>/review", methods=["GET", "POST"])
@login_required(VICTIM)
def review_start(lang: str, public_id: str):
    link = _case_link(public_id)
    case = db.session.get(Case, link.case_id)
    decisions = service.review_decisions(case.id, case.enhanced)
    if request.method == "POST":
        chosen = next((d for d in decisions if d.milestone_id == request.form.get("decision")
                       and d.eligible), None)  # fmt: skip
        if chosen is None:
            abort(400)
        item = service.start_draft(g.user, link, "vrr", scheme=chosen.scheme,
                                   decision_id=int(chosen.milestone_id))  # fmt: skip
        db.session.commit()
        return redirect(url_for("requests.review_step", public_id=item.public_id,
                                step=REVIEW_STEPS[0]))  # fmt: skip
    return render_template("requests/review_start.html", link=link, decisions=decisions,
                           names=DECISIONS, schemes=SCHEMES, now=utcnow())  # fmt: skip


def _decision_of(item: VictimRequest) -> vrr.Decision | None:
    case = db.session.get(Case, item.case_id)
    return next((d for d in service.review_decisions(case.id, case.enhanced)
                 if d.milestone_id == str(item.decision_id)), None)  # fmt: skip


@localized_route(bp, "/account/requests/<pid:public_id>/review/<slug:step>",
                 methods=["GET", "POST"])  # fmt: skip
@login_required(VICTIM)
def review_step(lang: str, public_id: str, step: str):
    item = _owned(public_id, "vrr")
    if item.status != "draft":
        return redirect(url_for("requests.request_page", public_id=item.public_id))
    decision = _decision_of(item)
    if step == vps.CHECK:
        return _review_check(item, decision)
    if step not in REVIEW_STEPS:
        abort(404)
    answers = dict(item.answers or {})
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, problems = _review_values(step, request.form)
        if not problems:
            service.save_answers(item, values)
            db.session.commit()
            if request.form.get("later"):
                return redirect(url_for("requests.request_page", public_id=item.public_id,
                                        saved=1))  # fmt: skip
            index = REVIEW_STEPS.index(step)
            last = request.args.get("next") == "check" or index + 1 == len(REVIEW_STEPS)
            following = vps.CHECK if last else REVIEW_STEPS[index + 1]
            return redirect(url_for("requests.review_step", public_id=item.public_id,
                                    step=following))  # fmt: skip
        answers.update(values)
        errors = _errors(problems)
    index = REVIEW_STEPS.index(step)
    return render_template(
        "requests/review_step.html", item=item, step=step, answers=answers, errors=errors,
        decision=decision, names=DECISIONS, schemes=SCHEMES, contacts=CONTACT_CHOICES,
        back=REVIEW_STEPS[index - 1] if index else None, limit=vps.MAX_CHARACTERS,
        from_check=request.args.get("next") == "check", now=utcnow(),
    )  # fmt: skip


def _review_values(step: str, form) -> tuple[dict[str, str], list[vps.Problem]]:
    if step == "reasons":
        reasons = vps.clean_text(form.get("reasons"))
        if not reasons:
            return {"reasons": reasons}, [vps.Problem("reasons", "reasons_empty")]
        if len(reasons) > vps.MAX_CHARACTERS:
            over = len(reasons) - vps.MAX_CHARACTERS
            return {"reasons": reasons}, [vps.Problem("reasons", "reasons_too_long", over)]
        return {"reasons": reasons}, []
    contact = (form.get("contact") or "").strip()
    if contact not in CONTACT_CHOICES:
        return {"contact": contact}, [vps.Problem("contact", "choose")]
    return {"contact": contact}, []


def _review_check(item: VictimRequest, decision: vrr.Decision | None):
    answers = dict(item.answers or {})
    problems = []
    if request.method == "POST":
        for step in REVIEW_STEPS:
            problems += _review_values(step, answers)[1]
        if decision is None or not decision.eligible:
            abort(409)
        if not problems:
            _send(item, _review_document(item, decision))
            return redirect(url_for("requests.request_page", public_id=item.public_id, sent=1))
    return render_template(
        "requests/review_check.html", item=item, answers=answers, decision=decision,
        names=DECISIONS, schemes=SCHEMES, contacts=CONTACT_CHOICES, now=utcnow(),
        problems=[("reasons" if p.field == "reasons" else "contact", problem_text(p))
                  for p in problems],
    )  # fmt: skip


def _review_document(item: VictimRequest, decision: vrr.Decision) -> bytes:
    from app.victim_requests.pdfs import ReviewDocument, review_pdf

    case, agency = _names(item)
    answers = dict(item.answers or {})
    contact = CONTACT_CHOICES.get(answers.get("contact", ""), "")
    return review_pdf(ReviewDocument(
        reference=item.reference, scheme=decision.scheme, case_reference=case.reference,
        agency_name=agency.name, victim_name=g.user.preferred_name or g.user.email,
        decision=decision.decision,
        decision_date=decision.decided_at.date() if decision.decided_at else None,
        prompt_deadline=decision.prompt_by, last_deadline=decision.last_by,
        reasons=answers.get("reasons", ""), contact=str(contact), submitted_at=utcnow(),
        language=g.get("lang", "en"),
    ))  # fmt: skip


# --- One request ----------------------------------------------------------------------------------


@localized_route(bp, "/account/requests/<pid:public_id>")
@login_required(VICTIM)
def request_page(lang: str, public_id: str):
    item = _owned(public_id)
    first = vps.STEPS[0].slug if item.kind == "vps" else REVIEW_STEPS[0]
    return render_template(
        "requests/request.html", item=item, steps=service.history("request", item.id),
        continue_at=first, sent=request.args.get("sent"), saved=request.args.get("saved"),
        withdrawn=request.args.get("withdrawn"),
        can_withdraw="withdrawn" in service.machine(item).next_for(item.status, states.VICTIM),
        agency=db.session.get(Agency, item.agency_id) if item.agency_id else None,
    )  # fmt: skip


@localized_route(bp, "/account/requests/<pid:public_id>/document")
@login_required(VICTIM)
def request_document(lang: str, public_id: str):
    item = _owned(public_id)
    if item.document is None:
        abort(404)
    response = Response(item.document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{item.reference}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@localized_route(bp, "/account/requests/<pid:public_id>/withdraw", methods=["POST"])
@login_required(VICTIM)
def withdraw_request(lang: str, public_id: str):
    item = _owned(public_id)
    if item.status == "draft":
        service.discard_draft(item)
        db.session.commit()
        return redirect(url_for("requests.my_requests"))
    try:
        service.change_status(item, "withdrawn", states.VICTIM, user=g.user)
    except states.IllegalTransition:
        abort(409)
    db.session.commit()
    return redirect(url_for("requests.request_page", public_id=item.public_id, withdrawn=1))


# --- Referrals ------------------------------------------------------------------------------------


def _crime_type(case_link: str | None) -> tuple[CaseVictim | None, str | None]:
    if not case_link:
        return None, None
    link = invitations.case_of(g.user, case_link)
    return (link, db.session.get(Case, link.case_id).crime_type) if link else (None, None)


@localized_route(bp, "/account/referrals/new", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@login_required(VICTIM)
def new_referral(lang: str):
    chosen_service = referrals.service(request.values.get("service", ""))
    links = invitations.cases_of(g.user)
    if chosen_service is None or not referrals.referable(chosen_service):
        if request.values.get("service"):
            abort(404)
        choices = [s for s in referrals.services() if referrals.referable(s)]
        return render_template("requests/referral_choose.html", services=choices)
    link, crime = _crime_type(request.values.get("case"))
    offered = referrals.offered_values(g.user, crime)
    chosen = request.form.getlist("share") if request.method == "POST" else ["email"]
    needs = vps.clean_text(request.form.get("needs"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        problems = referrals.check(chosen_service, chosen, offered, needs)
        if not problems:
            item = referrals.create(g.user, chosen_service, chosen, offered, needs,
                                    link.case_id if link else None)  # fmt: skip
            db.session.commit()
            return redirect(url_for("requests.referral_page", public_id=item.public_id, sent=1))
        errors = {p.field: _referral_error(p.code) for p in problems}
    return render_template(
        "requests/referral_new.html", service=chosen_service, offered=offered, chosen=chosen,
        needs=needs, errors=errors, links=links, case=link, fields=REFERRAL_FIELDS,
        order=[f for f in referrals.FIELDS if f in offered], limit=referrals.MAX_NEEDS,
        channel="email" if referrals.address_for(chosen_service) else "navigator",
    )  # fmt: skip


def _referral_error(code: str) -> str:
    from flask_babel import gettext as _

    if code == "no_contact":
        return _("Choose at least one way for the service to contact you: e-mail or phone")
    if code == "too_long":
        return _("What you would like help with can be up to %(limit)s characters",
                 limit=f"{referrals.MAX_NEEDS:,}")  # fmt: skip
    return _("We cannot refer you to this service. Contact them yourself")


@localized_route(bp, "/account/referrals/<pid:public_id>")
@login_required(VICTIM)
def referral_page(lang: str, public_id: str):
    item = referrals.own(g.user, public_id)
    if item is None:
        abort(404)
    return render_template(
        "requests/referral.html", item=item, service=referrals.service(item.service_id),
        steps=service.history("referral", item.id), fields=REFERRAL_FIELDS,
        sent=request.args.get("sent"),
        can_withdraw="withdrawn" in states.REFERRAL.next_for(item.status, states.VICTIM),
    )  # fmt: skip


@localized_route(bp, "/account/referrals/<pid:public_id>/withdraw", methods=["POST"])
@login_required(VICTIM)
def withdraw_referral(lang: str, public_id: str):
    item = referrals.own(g.user, public_id)
    if item is None:
        abort(404)
    try:
        referrals.change_status(item, "withdrawn", states.VICTIM, user=g.user)
    except states.IllegalTransition:
        abort(409)
    db.session.commit()
    return redirect(url_for("requests.referral_page", public_id=item.public_id))


# --- Messages -------------------------------------------------------------------------------------


@localized_route(bp, "/account/messages", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
@login_required(VICTIM)
def message_thread(lang: str):
    errors: dict[str, str] = {}
    body = about = ""
    if request.method == "POST":
        kind = "not_told" if request.form.get("form") == "not_told" else "message"
        text = vps.clean_text(request.form.get("body" if kind == "message" else "about"))
        if not text:
            errors[kind] = _message_error("empty", kind)
        elif len(text) > messages.MAX_LENGTH:
            errors[kind] = _message_error("too_long", kind)
        if errors:
            body, about = (text, "") if kind == "message" else ("", text)
        else:
            if kind == "not_told":
                link = invitations.case_of(g.user, request.form.get("case", ""))
                messages.report_not_told(g.user, text, link.case_id if link else None)
            else:
                messages.post_from_victim(g.user, text)
            db.session.commit()
            return redirect(url_for("requests.message_thread", sent=kind) + "#thread-end")
    thread = messages.thread(g.user)
    messages.mark_read_by_victim(g.user)
    db.session.commit()
    return render_template(
        "requests/messages.html", thread=thread, errors=errors, body=body, about=about,
        sent=request.args.get("sent"), links=invitations.cases_of(g.user),
        limit=messages.MAX_LENGTH,
    )  # fmt: skip


def _message_error(code: str, kind: str) -> str:
    from flask_babel import gettext as _

    if code == "too_long":
        return _("Your message can be up to %(limit)s characters", limit=f"{messages.MAX_LENGTH:,}")
    if kind == "not_told":
        return _("Tell us what you were not told about")
    return _("Enter your message")


@bp.context_processor
def _words() -> dict:
    return {
        "statuses": labels.STATUSES, "status_tags": labels.TAG_CLASSES, "kinds": labels.KINDS,
        "service_name": _service_name, "language_name": _language_name,
    }  # fmt: skip


def _service_name(service_id: str) -> str:
    found = referrals.service(service_id)
    return found.name if found else service_id


def _language_name(code: str | None) -> str:
    return KNOWN[code].native_name if code in KNOWN else (code or "")
