"""The victim's requests: the overview, one request's page, its document, withdrawing it; and
what every journey's pages share (finding the victim's own request or case, sending).

The journeys have their own modules: statement_views (Victim Personal Statement), review_views
(Right to Review), referral_views (referrals to support services), message_views (messages).

Everything is found through the signed-in victim (another person's request is not found: 404),
and a request on a case the victim no longer has is refused with an explanation (403)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, g, redirect, render_template, request, url_for

from app.accounts.models import Role
from app.accounts.policy import login_required
from app.cases import invitations
from app.cases.models import Agency, Case, CaseVictim
from app.extensions import db
from app.i18n import localized_route
from app.languages import KNOWN
from app.questions.flow import Flow
from app.victim_requests import bp, finding, labels, messages, referrals, service, states
from app.victim_requests.flows import REVIEW, STATEMENT
from app.victim_requests.models import VictimRequest

VICTIM = Role.VICTIM


def owned(public_id: str, kind: str | None = None) -> VictimRequest:
    found = finding.own_request(g.user, public_id)
    if found is None or (kind and found.request.kind != kind):
        abort(404)
    if found.link is None:
        abort(Response(render_template("requests/no_access.html"), status=403))
    return found.request


def case_link(public_id: str) -> CaseVictim:
    link = invitations.case_of(g.user, public_id)
    if link is None:
        abort(404)
    return link


def send(item: VictimRequest, document: bytes) -> None:
    service.submit(item, g.user, document)
    db.session.commit()


def draft_page(flow: Flow, item: VictimRequest, step: str, **kwargs: Any):
    """One question page of a draft (statement or review): its saved answers shown, each answer
    saved as the victim goes, "save and come back later" back to the request."""

    def save(values: dict) -> None:
        service.save_answers(item, values)
        db.session.commit()

    return flow.page(
        step,
        answers=dict(item.answers or {}),
        save=save,
        url_values={"public_id": item.public_id},
        later=url_for("requests.request_page", public_id=item.public_id, saved=1),
        **kwargs,
    )


def names(item: VictimRequest) -> tuple[Case, Agency]:
    return service.case_of(item), service.route_to(item)


@localized_route(bp, "/account/requests")
@login_required(VICTIM)
def my_requests(lang: str):
    return render_template(
        "requests/my_requests.html",
        items=finding.requests_of(g.user),
        referral_items=referrals.of(g.user),
        links=invitations.cases_of(g.user),
        unread=messages.unread_for_victim(g.user),
    )


@localized_route(bp, "/account/requests/<pid:public_id>")
@login_required(VICTIM)
def request_page(lang: str, public_id: str):
    item = owned(public_id)
    flow = STATEMENT if item.kind == "vps" else REVIEW
    return render_template(
        "requests/request.html",
        item=item,
        steps=finding.history("request", item.id),
        continue_at=flow.url(flow.first, public_id=item.public_id),
        sent=request.args.get("sent"),
        saved=request.args.get("saved"),
        withdrawn=request.args.get("withdrawn"),
        can_withdraw="withdrawn" in service.machine(item).next_for(item.status, states.VICTIM),
        agency=db.session.get(Agency, item.agency_id) if item.agency_id else None,
    )


@localized_route(bp, "/account/requests/<pid:public_id>/document")
@login_required(VICTIM)
def request_document(lang: str, public_id: str):
    item = owned(public_id)
    if item.document is None:
        abort(404)
    response = Response(item.document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{item.reference}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@localized_route(bp, "/account/requests/<pid:public_id>/withdraw", methods=["POST"])
@login_required(VICTIM)
def withdraw_request(lang: str, public_id: str):
    item = owned(public_id)
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


@bp.context_processor
def _words() -> dict:
    return {
        "statuses": labels.STATUSES,
        "status_tags": labels.TAG_CLASSES,
        "kinds": labels.KINDS,
        "service_name": _service_name,
        "language_name": _language_name,
    }


def _service_name(service_id: str) -> str:
    found = referrals.service(service_id)
    return found.name if found else service_id


def _language_name(code: str | None) -> str:
    return KNOWN[code].native_name if code in KNOWN else (code or "")
