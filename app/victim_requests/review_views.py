"""The Victims' Right to Review: choose a decision that qualifies, say why it was wrong and how to
hear back (question pages saved as a draft, forms.REVIEW), check and send to the police or CPS."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for

from app.accounts.models import Role
from app.accounts.policy import login_required
from app.cases.models import Case
from app.core.time import utcnow
from app.extensions import db
from app.i18n import localized_route
from app.victim_requests import bp, service, vrr
from app.victim_requests.flows import REVIEW, DecisionForm, SendForm
from app.victim_requests.models import VictimRequest
from app.victim_requests.questions import CONTACT_CHOICES, DECISIONS, SCHEMES
from app.victim_requests.views import case_link, draft_page, names, owned, send


@localized_route(bp, "/account/cases/<pid:public_id>/review", methods=["GET", "POST"])
@login_required(Role.VICTIM)
def review_start(lang: str, public_id: str):
    link = case_link(public_id)
    case = db.session.get_one(Case, link.case_id)  # a link goes with its case (ON DELETE CASCADE)
    decisions = service.review_decisions(case.id, case.enhanced)
    form = DecisionForm()
    if request.method == "POST":
        chosen = next(
            (d for d in decisions if d.milestone_id == form.decision.data and d.eligible), None
        )
        if chosen is None:
            abort(400)
        item = service.start_draft(
            g.user, link, "vrr", scheme=chosen.scheme, decision_id=int(chosen.milestone_id)
        )
        db.session.commit()
        return redirect(REVIEW.url(REVIEW.first, public_id=item.public_id))
    return render_template(
        "requests/review_start.html",
        link=link,
        decisions=decisions,
        names=DECISIONS,
        schemes=SCHEMES,
        now=utcnow(),
        form=form,
    )


def _decision_of(item: VictimRequest) -> vrr.Decision | None:
    case = service.case_of(item)
    return next(
        (
            d
            for d in service.review_decisions(case.id, case.enhanced)
            if d.milestone_id == str(item.decision_id)
        ),
        None,
    )


@localized_route(
    bp, "/account/requests/<pid:public_id>/review/<slug:step>", methods=["GET", "POST"]
)
@login_required(Role.VICTIM)
def review_step(lang: str, public_id: str, step: str):
    item = owned(public_id, "vrr")
    if item.status != "draft":
        return redirect(url_for("requests.request_page", public_id=item.public_id))
    decision = _decision_of(item)
    if step == REVIEW.check:
        return _review_check(item, decision)
    if step not in REVIEW:
        abort(404)

    return draft_page(
        REVIEW, item, step, context={"decision": decision, "names": DECISIONS, "now": utcnow()}
    )


def _review_check(item: VictimRequest, decision: vrr.Decision | None):
    answers = dict(item.answers or {})
    problems = []
    if request.method == "POST":
        problems = REVIEW.problems(answers)
        if decision is None or not decision.eligible:
            abort(409)
        if not problems:
            send(item, _review_document(item, decision))
            return redirect(url_for("requests.request_page", public_id=item.public_id, sent=1))
    return render_template(
        "requests/review_check.html",
        item=item,
        answers=answers,
        decision=decision,
        names=DECISIONS,
        schemes=SCHEMES,
        contacts=CONTACT_CHOICES,
        form=SendForm(),
        problems=REVIEW.check_errors(problems, public_id=item.public_id),
        change=lambda slug: REVIEW.url(slug, next="check", public_id=item.public_id),
        back=REVIEW.url(REVIEW.before_check(answers), public_id=item.public_id),
        action=REVIEW.url(REVIEW.check_page, public_id=item.public_id),
    )


def _review_document(item: VictimRequest, decision: vrr.Decision) -> bytes:
    from app.victim_requests.pdfs import ReviewDocument, review_pdf

    case, agency = names(item)
    answers = dict(item.answers or {})
    contact = CONTACT_CHOICES.get(answers.get("contact", ""), "")
    return review_pdf(
        ReviewDocument(
            reference=item.reference,
            scheme=decision.scheme,
            case_reference=case.reference,
            agency_name=agency.name,
            victim_name=g.user.preferred_name or g.user.email,
            decision=decision.decision,
            decision_date=decision.decided_at.date() if decision.decided_at else None,
            prompt_deadline=decision.prompt_by,
            last_deadline=decision.last_by,
            reasons=answers.get("reasons", ""),
            contact=str(contact),
            submitted_at=utcnow(),
            language=g.get("lang", "en"),
        )
    )
