"""/oauth/token and /api/v1: what agency systems call. JSON in, JSON out; errors as
{"error", "detail"}; every write idempotent; an agency only ever sees its own cases."""

from __future__ import annotations

import json
import secrets

from flask import Response, abort, current_app, jsonify, request
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from app.cases import invitations
from app.cases import service as cases
from app.cases.agency_messages import queue_webhook
from app.cases.models import Participant
from app.core.crypto import encrypt
from app.core.ids import new_public_id
from app.core.vocabulary import INFORMATION_DELIVERED
from app.entitlements.models import CaseEntitlement
from app.extensions import csrf, db, limiter
from app.notify import webhooks
from app.partners import bp
from app.partners.errors import api_error
from app.partners.idempotency import idempotent
from app.partners.oauth import authorization, current_client, require_oauth, revocation_response
from app.partners.openapi import document
from app.partners.schemas import (
    WEBHOOK_EVENTS,
    BatchEventSchema,
    BatchSchema,
    CaseSchema,
    EntitlementSchema,
    EntitlementsQuerySchema,
    EventSchema,
    MilestoneSchema,
    ParticipantSchema,
    VictimSchema,
    WebhookSchema,
)

# Bearer tokens, not cookies, authenticate these requests: there is no session to forge.
csrf.exempt(bp)


def api(view):
    """Mark a view as part of the partner API (for the access-control matrix)."""
    view.access = "partner-api"
    return view


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    body = getattr(error, "body", None)  # Authlib's OAuth errors carry an RFC 6750 body
    if body:
        oauth = json.loads(body) if isinstance(body, str) else dict(body)
        response = api_error(
            error.code or 401,
            oauth.get("error", "unauthorized"),
            oauth.get("error_description", ""),
        )
        for name, value in getattr(error, "headers", None) or []:
            if name.lower() == "www-authenticate":
                response.headers[name] = value
        return response
    return api_error(error.code or 500, error.name.lower().replace(" ", "_"), error.description)


@bp.errorhandler(ValidationError)
def _invalid(error: ValidationError) -> Response:
    return api_error(422, "invalid", error.messages)


def _own_case(reference: str):
    """The journey the token's agency takes part in under this reference: a journey it takes
    no part in is simply not found."""
    case = cases.find_case(current_client().agency, reference)
    if case is None:
        abort(404, "No case with that reference for your agency.")
    return case


def _case_body(case, reference: str) -> dict:
    return CaseSchema().dump(case) | {"reference": reference}


def _milestones(items: list, reference: str) -> list[dict]:
    """Milestones as an agency on the journey reads them, the journey named by its reference."""
    return [body | {"case": reference} for body in MilestoneSchema(many=True).dump(items)]


def _unknown_duty(case_ids: set[int], data: dict) -> dict | None:
    """An acknowledgement must name a duty the journey is owed (a rule id its events have
    started): the problem as a field error, or None."""
    if data["type"] != INFORMATION_DELIVERED:
        return None
    if not data.get("duty"):
        return {"duty": ["Name the duty this information discharges (a duty id)."]}
    exists = db.session.scalar(
        select(CaseEntitlement.id)
        .where(CaseEntitlement.case_id.in_(case_ids), CaseEntitlement.rule_id == data["duty"])
        .limit(1)
    )
    if exists is None:
        return {"duty": ["No such duty on this journey: GET the case's entitlements for its ids."]}
    return None


def _not_stored(body: dict) -> Response:
    """A JSON answer about a case no cache on the way may keep."""
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError({"_body": ["Send a JSON object."]})
    return body


@bp.post("/oauth/token")
@limiter.limit("30 per minute")
@api
def issue_token():
    return authorization.create_token_response()


@bp.post("/oauth/revoke")
@limiter.limit("30 per minute")
@api
def revoke_token():
    """RFC 7009: the client (HTTP Basic, as for a token) revokes one of its tokens at once."""
    return revocation_response()


@bp.put("/api/v1/cases/<ref:reference>")
@require_oauth("cases:write")
@api
def put_case(reference: str):
    """Create your case, or join the journey holding its URN, or update it. Facts you leave out
    are kept as they are (another agency on the journey may have sent them)."""
    client = current_client()
    raw = _json_body()
    data = CaseSchema().load(raw)

    def handler() -> tuple[dict, int]:
        try:
            case, created = cases.upsert_case(client.agency, reference, data, sent=set(raw))
        except cases.JourneyConflict as exc:
            db.session.rollback()
            return {"error": "conflict", "detail": {exc.field: [exc.message]}}, 409
        return _case_body(case, reference), 201 if created else 200

    return idempotent(client, handler)


@bp.get("/api/v1/cases/<ref:reference>")
@require_oauth("cases:read")
@api
def get_case(reference: str):
    """The whole journey: every agency on it and every milestone, each naming its sender."""
    case = _own_case(reference)
    body = _case_body(case, reference)
    body["participants"] = ParticipantSchema(many=True).dump(cases.participants([case.id])[case.id])
    body["timeline"] = _milestones(cases.timeline(case), reference)
    return _not_stored(body)


@bp.post("/api/v1/cases/<ref:reference>/events")
@require_oauth("events:write")
@api
def post_event(reference: str):
    client = current_client()
    data = EventSchema().load(_json_body())
    case = _own_case(reference)
    problem = _unknown_duty({case.id}, data)
    if problem:
        raise ValidationError(problem)

    def handler() -> tuple[dict, int]:
        milestone, created = cases.record_event(client.agency, case, data)
        return _milestones([milestone], reference)[0], 201 if created else 200

    return idempotent(client, handler)


@bp.post("/api/v1/cases/<ref:reference>/victims")
@require_oauth("cases:write")
@api
def post_victim(reference: str):
    """Add a victim to a case and issue their invitation to link it to a hub account."""
    client = current_client()
    data = VictimSchema().load(_json_body())
    case = _own_case(reference)

    def handler() -> tuple[dict, int, dict]:
        victim, code = invitations.invite(client.agency, case, data)
        invitation = {
            "reference": victim.invitation_reference,
            "expires_at": victim.invitation_expires_at.isoformat(),
        }
        if data["deliver"] == "hub":
            invitations.send(victim, code)
        shown = {**invitation, "code": code if data["deliver"] == "agency" else None}
        body = {"reference": victim.reference, "linked": victim.user_id is not None}
        # The code is shown once and never stored: a replay of this request says so.
        kept = {**body, "invitation": {**invitation, "code": None, "code_shown_once": True}}
        return {**body, "invitation": shown}, 201, kept

    return idempotent(client, handler)


@bp.post("/api/v1/events/batch")
@require_oauth("events:write")
@api
def post_batch():
    """Each event is checked and stored on its own: one bad event is reported, the rest kept."""
    client = current_client()
    items = BatchSchema().load(_json_body())["events"]

    def handler() -> tuple[dict, int]:
        results: list[dict | None] = [None] * len(items)
        valid: list[tuple[int, dict]] = []
        for index, item in enumerate(items):
            try:
                valid.append((index, BatchEventSchema().load(item)))
            except ValidationError as exc:
                results[index] = {"index": index, "status": "invalid", "detail": exc.messages}
        found = cases.find_cases(client.agency, {data["case"] for _i, data in valid})
        known = []
        for index, data in valid:
            if data["case"] in found:
                known.append((index, data))
            else:
                results[index] = {
                    "index": index,
                    "status": "invalid",
                    "detail": {"case": ["No case with that reference."]},
                }
        # Acknowledgements after the rest: one may discharge a duty an event earlier in the
        # same batch started. One statement each; an id sent twice in one batch is stored once.
        created: dict[str, bool] = {}
        for acks in (False, True):
            part = [(i, d) for i, d in known if (d["type"] == INFORMATION_DELIVERED) is acks]
            if acks:
                refused = {i: _unknown_duty({found[d["case"]].id}, d) for i, d in part}
                for index, problem in refused.items():
                    if problem:
                        results[index] = {"index": index, "status": "invalid", "detail": problem}
                part = [(i, d) for i, d in part if not refused[i]]
            created |= cases.record_events(client.agency, [(found[d["case"]], d) for _i, d in part])
            db.session.flush()
        first_seen: set[str] = set()
        for index, data in known:
            if results[index] is not None:
                continue
            new = created[data["id"]] and data["id"] not in first_seen
            first_seen.add(data["id"])
            results[index] = {
                "index": index,
                "status": "created" if new else "duplicate",
                "id": data["id"],
            }
        return {"results": results}, 200

    return idempotent(client, handler)


@bp.get("/api/v1/webhook")
@require_oauth("webhooks:manage")
@api
def get_webhook():
    agency = current_client().agency
    return _not_stored({"url": agency.webhook_url, "secret": None, "events": WEBHOOK_EVENTS})


@bp.put("/api/v1/webhook")
@require_oauth("webhooks:manage")
@api
def put_webhook():
    """Register (or move) the agency's alert URL. Each call issues a new signing secret."""
    client = current_client()
    data = WebhookSchema().load(_json_body())
    try:
        webhooks.check_url(data["url"], allow_private=current_app.config["HUB_ENV"] != "production")
    except webhooks.WebhookRefused as exc:
        raise ValidationError({"url": [str(exc)]}) from exc

    def handler() -> tuple[dict, int, dict]:
        secret = "whsec_" + secrets.token_urlsafe(32)
        agency = client.agency
        agency.webhook_url = data["url"]
        agency.webhook_secret = encrypt(secret)
        body = {"url": agency.webhook_url, "events": WEBHOOK_EVENTS}
        return {**body, "secret": secret}, 200, {**body, "secret": None}

    return idempotent(client, handler)


@bp.delete("/api/v1/webhook")
@require_oauth("webhooks:manage")
@api
def delete_webhook():
    agency = current_client().agency
    agency.webhook_url = agency.webhook_secret = None
    db.session.commit()
    return Response(status=204)


@bp.post("/api/v1/webhook/ping")
@require_oauth("webhooks:manage")
@api
def ping_webhook():
    """Queue a signed test alert to the registered URL."""
    agency = current_client().agency
    if not agency.webhook_url:
        abort(404, "Register a webhook URL first.")
    queued = queue_webhook(agency, "ping", {"hello": True}, key=f"ping:{new_public_id()}")
    db.session.commit()
    return jsonify({"queued": queued}), 202


@bp.get("/api/v1/entitlements")
@require_oauth("entitlements:read")
@api
def get_entitlements():
    """The Victims' Code duties your agency owes on the journeys it takes part in, for your own
    case system (what the alert e-mail points to). Filter by status and case; page with
    `after`."""
    agency = current_client().agency
    args = EntitlementsQuerySchema().load(request.args.to_dict())
    wanted = [s for s in args["status"].split(",") if s]
    limit, after = args["limit"], args["after"]
    # The duties your agency owes, each journey named by your reference.
    query = (
        select(CaseEntitlement, Participant.reference)
        .join(
            Participant,
            (Participant.case_id == CaseEntitlement.case_id)
            & (Participant.agency_id == CaseEntitlement.agency_id),
        )
        .where(
            CaseEntitlement.agency_id == agency.id,
            CaseEntitlement.status.in_(wanted),
            CaseEntitlement.id > after,
        )
        .order_by(CaseEntitlement.id)
        .limit(limit + 1)
    )
    if args["case"]:
        query = query.where(Participant.reference == args["case"])
    rows = db.session.execute(query).all()
    items = [
        {
            "case": reference,
            "duty": e.rule_id,
            "right": e.right,
            "kind": e.kind,
            "duty_holder": e.duty_holder,
            "status": e.status,
            "due_at": e.due_at,
            "met_at": e.met_at,
            "victim_says_not_told": e.not_told_at is not None,
        }
        for e, reference in rows[:limit]
    ]
    body = {
        "items": EntitlementSchema(many=True).dump(items),
        "next": str(rows[limit - 1][0].id) if len(rows) > limit else None,
    }
    return _not_stored(body)


@bp.get("/api/v1/openapi.json")
@api
def openapi():
    response = jsonify(document())
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.teardown_request
def _rollback_on_error(error: BaseException | None) -> None:
    if error is not None:
        db.session.rollback()
