"""/api/v1/requests: the victims' requests (Victim Personal Statements, Rights to Review) sent to
the token's agency. Another agency's request, or a draft, is simply not found (404, never 403).
Every answer is personal data: none may be kept by a cache on the way."""

from __future__ import annotations

from flask import Response, abort, jsonify, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import defer

from app.accounts import audit
from app.accounts.models import User
from app.cases.models import Agency, Case, CaseVictim, Participant
from app.cases.references import reference_for
from app.extensions import db
from app.partners import bp
from app.partners.idempotency import idempotent
from app.partners.oauth import current_client, require_oauth
from app.partners.schemas import (
    ConflictSchema,
    RequestDetailSchema,
    RequestSchema,
    RequestsQuerySchema,
    RequestStatusSchema,
)
from app.partners.views import _json_body, _not_stored, api
from app.victim_requests import finding, service, states
from app.victim_requests.models import VictimRequest


def _agency() -> Agency:
    return current_client().agency


def _visible(public_id: str, *, lock: bool = False) -> VictimRequest:
    """The request with this id if it was sent to the token's agency; otherwise 404."""
    query = select(VictimRequest).where(
        VictimRequest.public_id == public_id,
        VictimRequest.agency_id == _agency().id,
        VictimRequest.status != "draft",
    )
    if lock:  # two changes to one request at once: the second sees the first's status
        query = query.with_for_update().execution_options(populate_existing=True)
    item = db.session.scalar(query)
    if item is None:
        abort(404, "No request with that id for your agency.")
    return item


def _audit_read(item: VictimRequest, part: str) -> None:
    """The agency read the victim's words (part "request") or their PDF ("document"): kept in
    the audit log, which the victim sees on their data page. Committed here: a GET commits
    nothing else."""
    agency, client = _agency(), current_client()
    audit.record(
        audit.AGENCY_READ,
        subject=db.session.get(User, item.user_id),
        agency=agency.name,
        agency_id=agency.id,
        client=client.client_id,
        request=item.public_id,
        reference=item.reference,
        kind=item.kind,
        part=part,
    )
    db.session.commit()


def _item(item: VictimRequest, case: Case, reference: str | None, victim: str | None) -> dict:
    """A request as listed: never the victim's name, contact details or answers; the journey
    and the victim by the agency's own references (the victim's is None when another agency on
    the journey invited them)."""
    return {
        "id": item.public_id,
        "reference": item.reference,
        "kind": item.kind,
        "scheme": item.scheme,
        "status": item.status,
        "case": {"id": case.public_id, "reference": reference or case.reference},
        "victim_reference": victim,
        "submitted_at": item.submitted_at,
        "updated_at": item.updated_at,
        "next_statuses": service.machine(item).next_for(item.status, states.AGENCY),
        "document": url_for(
            "partners.get_request_document", public_id=item.public_id, _external=True
        ),
    }


def _named(item: VictimRequest) -> dict:
    victim = db.session.scalar(
        select(CaseVictim.reference).where(
            CaseVictim.id == item.case_victim_id, CaseVictim.agency_id == item.agency_id
        )
    )
    case = db.session.get_one(Case, item.case_id)
    reference = reference_for(item.agency_id, case.id) if item.agency_id else None
    return _item(item, case, reference, victim)


@bp.get("/api/v1/requests")
@require_oauth("requests:read")
@api
def list_requests():
    """The requests sent to your agency, oldest first; filter by status and kind; page with
    `after`."""
    args = RequestsQuerySchema().load(request.args.to_dict())
    wanted = [s for s in args["status"].split(",") if s]
    limit, after = args["limit"], args["after"]
    query = (
        select(VictimRequest, Case, Participant.reference, CaseVictim.reference)
        .join(Case, Case.id == VictimRequest.case_id)
        .outerjoin(
            Participant,
            (Participant.case_id == VictimRequest.case_id)
            & (Participant.agency_id == VictimRequest.agency_id),
        )
        .outerjoin(
            CaseVictim,
            (CaseVictim.id == VictimRequest.case_victim_id)
            & (CaseVictim.agency_id == VictimRequest.agency_id),
        )
        .options(defer(VictimRequest.answers), defer(VictimRequest.document))  # not decrypted
        .where(
            VictimRequest.agency_id == _agency().id,
            VictimRequest.status != "draft",
            VictimRequest.status.in_(wanted),
            VictimRequest.id > after,
        )
        .order_by(VictimRequest.id)
        .limit(limit + 1)
    )
    if args["kind"]:
        query = query.where(VictimRequest.kind == args["kind"])
    rows = db.session.execute(query).all()
    body = {
        "items": RequestSchema(many=True).dump([_item(*row) for row in rows[:limit]]),
        "next": str(rows[limit - 1][0].id) if len(rows) > limit else None,
    }
    return _not_stored(body)


@bp.get("/api/v1/requests/<pid:public_id>")
@require_oauth("requests:read")
@api
def get_request(public_id: str):
    """One request with the victim's answers and its history."""
    item = _visible(public_id)
    body = _named(item) | {
        "answers": item.answers or {},
        "history": finding.history("request", item.id),
    }
    dumped = RequestDetailSchema().dump(body)
    _audit_read(item, "request")
    return _not_stored(dumped)


@bp.get("/api/v1/requests/<pid:public_id>/document")
@require_oauth("requests:read")
@api
def get_request_document(public_id: str):
    """The PDF as the victim sent it."""
    item = _visible(public_id)
    document, reference = item.document, item.reference
    if not document:
        abort(404, "This request has no document.")
    _audit_read(item, "document")
    response = Response(document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{reference}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/api/v1/requests/<pid:public_id>/status")
@require_oauth("requests:write")
@api
def post_request_status(public_id: str):
    """Move a request on (received, taken, acknowledged, …) by the state machine's rules; the
    victim is told neutrally, at their safe times."""
    agency = _agency()
    data = RequestStatusSchema().load(_json_body())
    item = _visible(public_id, lock=True)
    machine = service.machine(item)
    if data["status"] not in machine.statuses:
        raise ValidationError(
            {
                "status": [
                    f"Not a status of a {item.kind} request: use one of "
                    f"{', '.join(s for s in machine.statuses if s != 'draft')}."
                ]
            }
        )

    def handler() -> tuple[dict, int]:
        service.change_status(item, data["status"], states.AGENCY, agency=agency, note=data["note"])
        # The answer is kept for repeats, unencrypted: the item only, never answers or notes.
        return RequestSchema().dump(_named(item)), 200

    try:
        response = idempotent(current_client(), handler)
    except states.IllegalTransition as exc:  # refused before anything changed: nothing kept
        db.session.rollback()
        allowed = machine.next_for(exc.current, states.AGENCY)
        choices = ", ".join(allowed) if allowed else "nothing: it is not yours to move now"
        response = jsonify(
            ConflictSchema().dump(
                {
                    "error": "illegal_transition",
                    "detail": f"The request is {exc.current}: you may set {choices}.",
                    "current": exc.current,
                    "allowed": allowed,
                }
            )
        )
        response.status_code = 409
    response.headers["Cache-Control"] = "no-store"
    return response
