"""The OpenAPI document, generated from the marshmallow schemas and the route descriptions here."""

from __future__ import annotations

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from app.cases.details import DETAIL_SCHEMAS, EXAMPLES
from app.core.vocabulary import INFORMATION_DELIVERED, MILESTONE_TYPES
from app.entitlements.service import rules
from app.partners.schemas import (
    MAX_ID,
    MAX_NOTE,
    REQUEST_KINDS,
    VISIBLE_REQUEST_STATUSES,
    WEBHOOK_EVENTS,
    AlertSchema,
    BatchResultsSchema,
    BatchSchema,
    CaseSchema,
    CaseWithTimelineSchema,
    ConflictSchema,
    EntitlementsPageSchema,
    ErrorSchema,
    EventSchema,
    MilestoneSchema,
    PingSchema,
    RequestAlertSchema,
    RequestDetailSchema,
    RequestSchema,
    RequestsPageSchema,
    RequestStatusSchema,
    VictimCreatedSchema,
    VictimSchema,
    WebhookSchema,
    WebhookStateSchema,
)

ERRORS = {
    str(code): {"description": text, "content": {"application/json": {"schema": "Error"}}}
    for code, text in {
        400: "Bad request (e.g. no Idempotency-Key)",
        401: "No valid bearer token",
        403: "The token lacks the scope",
        404: "No such case for your agency",
        409: "Conflicts with the journey the hub holds (a URN): detail says which field",
        422: "The body is not valid: detail says which field and why",
    }.items()
}


# Every operation but this document needs one of these; a token holds those its client was given.
SCOPE_DESCRIPTIONS = {
    "cases:read": "Read the journeys you take part in: participants and timeline",
    "cases:write": "Create and update your cases; add victims and issue their invitations",
    "events:write": "Send events on your cases",
    "entitlements:read": "Read the Victims' Code duties your agency owes",
    "webhooks:manage": "Read, register, test and remove your alert URL",
    "requests:read": "Read victims' requests routed to you, with their answers and PDFs",
    "requests:write": "Acknowledge and answer them",
}


def _scope(name: str) -> list[dict]:
    return [{"oauth2": [name]}]


def _json(schema: str) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _write(summary: str, body: str, response: str, scope: str) -> dict:
    return {
        "summary": summary,
        "security": _scope(scope),
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": True,
                "schema": {"type": "string", "maxLength": 100},
            }
        ],
        "requestBody": {"required": True, **_json(body)},
        "responses": {
            "200": {"description": "Repeat: the first answer", **_json(response)},
            "201": {"description": "Created", **_json(response)},
            **ERRORS,
        },
    }


STATUS = "(due|overdue|met|met_late|cannot_tell)"
STATUS_LIST = f"^{STATUS}(,{STATUS})*$"
REQUEST_STATUS = "(" + "|".join(VISIBLE_REQUEST_STATUSES) + ")"
REQUEST_STATUS_LIST = f"^{REQUEST_STATUS}(,{REQUEST_STATUS})*$"
REQUEST_ERRORS = {
    **ERRORS,
    "404": {
        "description": "No such request for your agency",
        "content": {"application/json": {"schema": "Error"}},
    },
}
REQUEST_EVENTS = ("request.submitted", "request.updated")


def _requests_paths(spec: APISpec) -> None:
    """The victims' requests sent to the agency."""
    read = _scope("requests:read")
    request_id = {
        "in": "path",
        "name": "id",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,32}$"},
    }
    spec.path(
        path="/api/v1/requests",
        operations={
            "get": {
                "summary": "Victims' requests sent to you (Victim Personal Statements, Rights to "
                "Review), oldest first: no names, contact details or answers",
                "security": read,
                "parameters": [
                    {
                        "in": "query",
                        "name": "status",
                        "schema": {"type": "string", "pattern": REQUEST_STATUS_LIST},
                        "description": "Comma-separated: "
                        + ", ".join(VISIBLE_REQUEST_STATUSES)
                        + " (default: all)",
                    },
                    {
                        "in": "query",
                        "name": "kind",
                        "schema": {"type": "string", "enum": list(REQUEST_KINDS)},
                    },
                    {
                        "in": "query",
                        "name": "limit",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                        "description": "Default 50",
                    },
                    {
                        "in": "query",
                        "name": "after",
                        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                    },
                ],
                "responses": {
                    "200": {"description": "A page", **_json("RequestsPage")},
                    **REQUEST_ERRORS,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/requests/{id}",
        parameters=[request_id],
        operations={
            "get": {
                "summary": "One request: the victim's answers and its history",
                "security": read,
                "responses": {
                    "200": {"description": "The request", **_json("RequestDetail")},
                    **REQUEST_ERRORS,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/requests/{id}/document",
        parameters=[request_id],
        operations={
            "get": {
                "summary": "The PDF as the victim sent it",
                "security": read,
                "responses": {
                    "200": {
                        "description": "The document",
                        "content": {
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                        },
                    },
                    **REQUEST_ERRORS,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/requests/{id}/status",
        parameters=[request_id],
        operations={
            "post": {
                **_write(
                    "Set a request's status (the victim is told, neutrally)",
                    "RequestStatus",
                    "Request",
                    "requests:write",
                ),
                "description": f"`note` (up to {MAX_NOTE} characters) joins the request's "
                "history. Each request's next_statuses says what you may set.",
                "responses": {
                    "200": {
                        "description": "Changed (a repeat: the first answer)",
                        **_json("Request"),
                    },
                    **REQUEST_ERRORS,
                    "409": {
                        "description": "Not a move you may make from its status now",
                        **_json("Conflict"),
                    },
                },
            }
        },
    )


def _webhooks() -> dict:
    """OpenAPI 3.1 webhooks: what the hub POSTs to your registered URL (apispec cannot say it)."""
    return {
        event: {
            "post": {
                "summary": text,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "$ref": "#/components/schemas/"
                                + ("RequestAlert" if event in REQUEST_EVENTS else "Alert")
                            }
                        }
                    },
                },
                "responses": {"2XX": {"description": "Received (anything else: sent again)"}},
            }
        }
        for event, text in WEBHOOK_EVENTS.items()
    }


EXAMPLE_TIME = "2026-11-20T10:00:00+00:00"
DUTY_EXAMPLE = "r6-charged"


def _event_examples() -> dict:
    """An example event of every milestone type, with the detail that type allows."""
    examples = {}
    for number, (kind, meaning) in enumerate(sorted(MILESTONE_TYPES.items()), start=1):
        value: dict = {"id": f"EV-{number:04d}", "type": kind, "occurred_at": EXAMPLE_TIME}
        if kind == INFORMATION_DELIVERED:
            value["duty"] = DUTY_EXAMPLE
        if kind in EXAMPLES:
            value["detail"] = dict(EXAMPLES[kind])
        examples[kind] = {"summary": meaning, "value": value}
    return examples


def _detail_by_type(schemas: dict) -> None:
    """Event.detail's schema depends on Event.type. JSON Schema can say so (if/then), but
    schemathesis and most client generators cannot read it: the property lists every *Detail
    schema (anyOf) and `x-detail-by-type` maps each type to its own."""
    event = schemas["Event"]
    refs = {
        kind: f"#/components/schemas/{schema.__name__}"
        for kind, schema in sorted(DETAIL_SCHEMAS.items())
    }
    detail = event["properties"]["detail"]
    detail.pop("additionalProperties", None)
    detail.pop("type", None)
    detail["anyOf"] = [{"$ref": ref} for ref in dict.fromkeys(refs.values())] + [{"type": "null"}]
    detail["x-detail-by-type"] = {kind: {"$ref": ref} for kind, ref in refs.items()}
    by_type = ", ".join(f"{kind}: {ref.rsplit('/', 1)[1]}" for kind, ref in refs.items())
    detail["description"] = (
        "What happened, as the event's type allows; optional (absent, null or {}), but checked "
        f"when sent: unknown keys are refused. By type: {by_type}."
    )
    # The duties an acknowledgement can name, from the rules this hub runs.
    duties = "\n".join(
        f"- `{rule.id}` ({rule.duty_holder}): {' '.join(rule.duty.split())}"
        for rule in rules()
        if INFORMATION_DELIVERED in rule.discharged_by
    )
    event["properties"]["duty"]["description"] += f"\n\nThe duties (rule ids):\n{duties}"


@cache
def document() -> dict:
    spec = APISpec(
        title="Victim Care Hub partner API",
        version="1.0.0",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "For police, Witness Care Units, CPS, courts and probation: send "
            "cases and events; read requests routed to you. OAuth2 client credentials.\n\n"
            "**Tokens and scopes.** `POST /oauth/token` (HTTP Basic with your client id and "
            "secret, `grant_type=client_credentials`, optionally `scope`) gives a token for an "
            "hour with the scopes you asked for that your client holds (all of them if you ask "
            "for none); asking only for scopes it does not hold is refused with "
            "`invalid_scope`. Each operation names the one scope it needs (403 "
            "`insufficient_scope` without it). `POST /oauth/revoke` (RFC 7009, same "
            "authentication, `token=…`) ends a token at once. Rotating your client's secret or "
            "revoking the client ends all its tokens.\n\n"
            "**Journeys.** A case in the hub is the victim's journey, shared by every agency "
            "that works on it. You name it by your own reference. PUT your case with the "
            "criminal justice `urn` and it joins the journey that holds that URN (or starts it); "
            "a journey lists its participants. You read and write only journeys you take part "
            "in (404 otherwise) and see every milestone on them, each naming its sender "
            "(`sent_by`). A URN that contradicts what the hub holds is refused with 409.\n\n"
            "**Duty holders.** Each Victims' Code duty is owed by the participant whose kinds "
            "include the rule's duty holder (police, wcu, cps, court, probation); alerts and "
            "`GET /api/v1/entitlements` list only the duties your agency owes. A duty whose "
            "holder is not on the journey goes to a hub navigator.\n\n"
            "**Deadlines** run from when the duty holder had the information: `occurred_at`, "
            "or `recorded_at` for information you pass on (when your agency received it); never "
            "from when you sent it. An event posted late makes its duties late.\n\n"
            "**Acknowledgements.** `information_delivered` must name in `duty` a duty that "
            "exists on the journey (422 otherwise); with `detail.regarding` (the event id of the "
            "trigger) it discharges that occurrence, without it the oldest one still open."
        },
    )
    spec.components.security_scheme(
        "oauth2",
        {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/oauth/token",
                    "scopes": SCOPE_DESCRIPTIONS,
                }
            },
        },
    )
    for name, schema in {
        "Case": CaseSchema,
        "Event": EventSchema,
        "Batch": BatchSchema,
        "Milestone": MilestoneSchema,
        "Victim": VictimSchema,
        "CaseWithTimeline": CaseWithTimelineSchema,
        "VictimCreated": VictimCreatedSchema,
        "BatchResults": BatchResultsSchema,
        "Error": ErrorSchema,
        "Webhook": WebhookSchema,
        "WebhookState": WebhookStateSchema,
        "Ping": PingSchema,
        "EntitlementsPage": EntitlementsPageSchema,
        "Request": RequestSchema,
        "RequestDetail": RequestDetailSchema,
        "RequestsPage": RequestsPageSchema,
        "RequestStatus": RequestStatusSchema,
        "Conflict": ConflictSchema,
        "Alert": AlertSchema,
        "RequestAlert": RequestAlertSchema,
    }.items():
        spec.components.schema(name, schema=schema)
    for detail in dict.fromkeys(DETAIL_SCHEMAS.values()):
        spec.components.schema(detail.__name__, schema=detail)
    reference = {
        "in": "path",
        "name": "reference",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
    }
    spec.path(
        path="/api/v1/cases/{reference}",
        parameters=[reference],
        operations={
            "put": _write("Create or update a case", "Case", "Case", "cases:write"),
            "get": {
                "summary": "Read a case and its timeline",
                "security": _scope("cases:read"),
                "responses": {
                    "200": {"description": "The case", **_json("CaseWithTimeline")},
                    **ERRORS,
                },
            },
        },
    )
    send_event = _write("Send one event", "Event", "Milestone", "events:write")
    send_event["requestBody"]["content"]["application/json"]["examples"] = _event_examples()
    spec.path(
        path="/api/v1/cases/{reference}/events",
        parameters=[reference],
        operations={"post": send_event},
    )
    spec.path(
        path="/api/v1/cases/{reference}/victims",
        parameters=[reference],
        operations={
            "post": _write(
                "Add a victim and issue their invitation", "Victim", "VictimCreated", "cases:write"
            )
        },
    )
    spec.path(
        path="/api/v1/events/batch",
        operations={
            "post": _write("Send up to 500 events", "Batch", "BatchResults", "events:write")
        },
    )
    spec.path(
        path="/api/v1/webhook",
        operations={
            "get": {
                "summary": "Read your alert URL (never the secret)",
                "security": _scope("webhooks:manage"),
                "responses": {"200": {"description": "The URL", **_json("WebhookState")}, **ERRORS},
            },
            "put": {
                **_write(
                    "Register your alert URL; returns a new signing secret",
                    "Webhook",
                    "WebhookState",
                    "webhooks:manage",
                ),
                "responses": {
                    "200": {
                        "description": "Registered (a repeat: secret null)",
                        **_json("WebhookState"),
                    },
                    **ERRORS,
                },
            },
            "delete": {
                "summary": "Stop alerts",
                "security": _scope("webhooks:manage"),
                "responses": {"204": {"description": "Removed"}, **ERRORS},
            },
        },
    )
    spec.path(
        path="/api/v1/webhook/ping",
        operations={
            "post": {
                "summary": "Send a signed test alert to your URL",
                "security": _scope("webhooks:manage"),
                "responses": {"202": {"description": "Queued", **_json("Ping")}, **ERRORS},
            }
        },
    )
    spec.path(
        path="/api/v1/entitlements",
        operations={
            "get": {
                "summary": "Victims' Code entitlements on your cases (due soon, overdue, met)",
                "security": _scope("entitlements:read"),
                "parameters": [
                    {
                        "in": "query",
                        "name": "status",
                        "schema": {"type": "string", "pattern": STATUS_LIST},
                        "description": "Comma-separated: due, overdue, met, met_late, cannot_tell "
                        "(default due,overdue)",
                    },
                    {
                        "in": "query",
                        "name": "case",
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
                    },
                    {
                        "in": "query",
                        "name": "limit",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                    },
                    {
                        "in": "query",
                        "name": "after",
                        "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
                    },
                ],
                "responses": {
                    "200": {"description": "A page", **_json("EntitlementsPage")},
                    **ERRORS,
                },
            }
        },
    )
    _requests_paths(spec)
    generated = spec.to_dict()
    _detail_by_type(generated["components"]["schemas"])
    return generated | {"webhooks": _webhooks()}
