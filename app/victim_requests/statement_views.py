"""The Victim Personal Statement: question pages saved as a draft on every page (forms.STATEMENT),
then checked and sent as a PDF to the agency dealing with the case."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for

from app.accounts.models import Role
from app.accounts.policy import login_required
from app.core.time import utcnow
from app.extensions import db
from app.i18n import localized_route
from app.languages import KNOWN
from app.victim_requests import bp, service, vps
from app.victim_requests.flows import STATEMENT, SendForm
from app.victim_requests.models import VictimRequest
from app.victim_requests.questions import (
    KIND_CHOICES,
    READING_CHOICES,
    STATEMENT_PAGES,
    YES_NO,
    problem_text,
)
from app.victim_requests.views import case_link, draft_page, names, owned, send


@localized_route(bp, "/account/cases/<pid:public_id>/statement", methods=["POST"])
@login_required(Role.VICTIM)
def start_statement(lang: str, public_id: str):
    item = service.start_draft(g.user, case_link(public_id), "vps")
    db.session.commit()
    return redirect(STATEMENT.url(STATEMENT.first, public_id=item.public_id))


@localized_route(
    bp, "/account/requests/<pid:public_id>/statement/<slug:step>", methods=["GET", "POST"]
)
@login_required(Role.VICTIM)
def statement_step(lang: str, public_id: str, step: str):
    item = owned(public_id, "vps")
    if item.status != "draft":
        return redirect(url_for("requests.request_page", public_id=item.public_id))
    if step == STATEMENT.check:
        return _statement_check(item)
    if step not in STATEMENT:
        abort(404)

    return draft_page(STATEMENT, item, step)


def _statement_check(item: VictimRequest):
    answers = dict(item.answers or {})
    form = SendForm()
    problems = []
    if request.method == "POST":
        problems = vps.check_whole(answers, frozenset(KNOWN))
        if not problems:
            send(item, _statement_document(item))
            return redirect(url_for("requests.request_page", public_id=item.public_id, sent=1))
    return render_template(
        "requests/statement_check.html",
        item=item,
        answers=answers,
        form=form,
        problems=STATEMENT.check_errors(
            [(p.field, problem_text(p)) for p in problems], public_id=item.public_id
        ),
        change=lambda slug: STATEMENT.url(slug, next="check", public_id=item.public_id),
        back=STATEMENT.url(STATEMENT.before_check(answers), public_id=item.public_id),
        action=STATEMENT.url(STATEMENT.check_page, public_id=item.public_id),
        pages=STATEMENT_PAGES,
        kinds=KIND_CHOICES,
        readings=READING_CHOICES,
        yes_no=YES_NO,
        steps=vps.STEPS,
    )


def _statement_document(item: VictimRequest) -> bytes:
    from app.victim_requests.pdfs import StatementDocument, statement_pdf

    case, agency = names(item)
    answers = dict(item.answers or {})
    return statement_pdf(
        StatementDocument(
            reference=item.reference,
            kind=answers.get("kind", "make"),
            case_reference=case.reference,
            agency_name=agency.name,
            victim_name=g.user.preferred_name or g.user.email,
            submitted_at=utcnow(),
            language=g.get("lang", "en"),
            answers=answers,
        )
    )
