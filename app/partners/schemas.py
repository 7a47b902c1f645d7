"""What agencies send and receive, as marshmallow schemas: they validate requests and generate
the OpenAPI document, so the documentation cannot drift from the code."""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from app.cases.details import clean as clean_detail
from app.core.time import as_utc
from app.core.vocabulary import MILESTONE_TYPES
from app.victim_requests.states import VPS, VRR

REFERENCE = validate.Regexp(r"^[A-Za-z0-9._-]{1,64}$", error="Use 1 to 64 letters, digits, . _ -")
OFFENCE_CATEGORIES = ("violent", "sexual", "other")
FUTURE_LEEWAY = dt.timedelta(days=1)


class UTCDateTime(fields.DateTime):
    """Times out of the API always carry their offset (RFC 3339). SQLite hands timezone-aware
    columns back without one; every stored time is UTC."""

    def _serialize(self, value: dt.datetime | None, attr, obj, **kwargs):
        return super()._serialize(value and as_utc(value), attr, obj, **kwargs)


class UTCAwareDateTime(fields.AwareDateTime):
    """A time with an offset, converted to UTC on load: SQLite stores the wall time and drops the
    offset, so 10:00+01:00 would come back as 10:00Z, an hour out."""

    def _deserialize(self, value, attr, data, **kwargs) -> dt.datetime:
        return super()._deserialize(value, attr, data, **kwargs).astimezone(dt.UTC)


class StrictBoolean(fields.Boolean):
    """JSON true or false only: 0, 1, "yes" and "true" are refused, not guessed at."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


URN = validate.Regexp(
    r"^[A-Za-z0-9]{6,20}$",
    error="Use the criminal justice URN as the police gave it: 6 to 20 letters and digits.",
)


class CaseSchema(Schema):
    reference = fields.String(dump_only=True, metadata={"description": "Your reference."})
    urn = fields.String(
        load_default=None,
        allow_none=True,
        validate=URN,
        metadata={
            "description": "The criminal justice unique reference number (given at charge; "
            "the CPS and the courts use it). Agencies that send the same URN share one journey: "
            "your case joins the journey holding it, or starts it."
        },
    )
    crime_type = fields.String(required=True, validate=validate.Length(min=1, max=60))
    borough = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "The London borough where it happened (for reporting)."},
    )
    offence_category = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(OFFENCE_CATEGORIES)
    )
    enhanced = StrictBoolean(
        load_default=None,
        allow_none=True,
        metadata={"description": "Whether the victim has enhanced rights (null: not known yet)."},
    )
    enhanced_reasons = fields.List(
        fields.String(validate=validate.Length(max=60)),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=10),
    )
    incident_date = fields.Date(load_default=None, allow_none=True)
    reported_date = fields.Date(load_default=None, allow_none=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


class EventSchema(Schema):
    id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "The agency's own id for this event: sent twice, stored once."},
    )
    type = fields.String(
        required=True,
        validate=validate.OneOf(sorted(MILESTONE_TYPES)),
        metadata={"description": "One of the milestone types (see the API page)."},
    )
    occurred_at = UTCAwareDateTime(
        required=True,
        metadata={"description": "When it happened, with a time zone offset (returned in UTC)."},
    )
    duty = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=60),
        metadata={
            "description": "For information_delivered, required: the duty (rule id) it "
            "discharges, one the journey is owed (422 otherwise). With detail.regarding it "
            "discharges that occurrence; without, the oldest one still open."
        },
    )
    recorded_at = UTCAwareDateTime(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "For information you pass on (a court result your Witness Care Unit "
            "logged): when your agency received or recorded it. The Victims' Code's time limits "
            "run from this, or from occurred_at when you leave it out; never from when you sent "
            "it to the hub."
        },
    )
    detail = fields.Dict(load_default=None, allow_none=True)

    @validates("occurred_at")
    def _not_in_the_future(self, value: dt.datetime, **_kwargs) -> None:
        if value > dt.datetime.now(dt.UTC) + FUTURE_LEEWAY:
            raise ValidationError("More than a day in the future.")

    @validates_schema
    def _detail_fits_the_type(self, data: dict, **_kwargs) -> None:
        # Cleaned in place (trimmed, dates as ISO strings): the JSON column stores what is
        # returned, and the timeline reads it back without checking again.
        try:
            data["detail"] = clean_detail(data["type"], data.get("detail"))
        except ValidationError as exc:
            raise ValidationError(exc.messages, "detail") from exc


class BatchEventSchema(EventSchema):
    case = fields.String(required=True, validate=REFERENCE)


class BatchSchema(Schema):
    events = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=500))


class SenderSchema(Schema):
    id = fields.String(attribute="public_id", metadata={"description": "The agency's hub id."})
    name = fields.String()
    kinds = fields.List(fields.String())


class MilestoneSchema(Schema):
    id = fields.String(
        attribute="agency_event_id", metadata={"description": "The sending agency's event id."}
    )
    # Filled in by the view: the journey has one reference per agency, and this is yours.
    case = fields.String(
        dump_only=True, metadata={"description": "Your reference for the journey."}
    )
    type = fields.String()
    detail = fields.Dict(allow_none=True)
    occurred_at = UTCDateTime()
    recorded_at = UTCDateTime(allow_none=True)
    received_at = UTCDateTime()
    duty = fields.String(allow_none=True)
    sent_by = fields.Nested(
        SenderSchema, attribute="agency", metadata={"description": "The agency that sent it."}
    )


class ParticipantSchema(Schema):
    agency = fields.Nested(SenderSchema)
    reference = fields.String(metadata={"description": "That agency's reference."})
    joined_at = UTCDateTime()


class ErrorSchema(Schema):
    error = fields.String(required=True)
    detail = fields.Raw(required=True)


class VictimSchema(Schema):
    reference = fields.String(
        required=True,
        validate=REFERENCE,
        metadata={"description": "Your own id for this victim on the case."},
    )
    date_of_birth = fields.Date(
        required=True, metadata={"description": "Asked again when the victim links the case."}
    )
    email = fields.Email(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    preferred_language = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=8)
    )
    deliver = fields.String(
        load_default="agency",
        validate=validate.OneOf(["agency", "hub"]),
        metadata={"description": "agency: you give the victim the code; hub: we e-mail it."},
    )

    @validates_schema
    def _hub_needs_an_email(self, data: dict, **_kwargs) -> None:
        if data.get("deliver") == "hub" and not data.get("email"):
            raise ValidationError("Needed when the hub delivers the invitation.", "email")


class CaseWithTimelineSchema(CaseSchema):
    participants = fields.List(fields.Nested(ParticipantSchema), dump_only=True)
    timeline = fields.List(fields.Nested(MilestoneSchema), dump_only=True)


class InvitationSchema(Schema):
    reference = fields.String(required=True)
    expires_at = fields.String(required=True, metadata={"format": "date-time"})
    code = fields.String(
        allow_none=True,
        metadata={
            "description": "Shown once, when you deliver it; null when we e-mail it "
            "or when the request is repeated."
        },
    )
    code_shown_once = fields.Boolean()


class VictimCreatedSchema(Schema):
    reference = fields.String(required=True)
    linked = fields.Boolean(required=True)
    invitation = fields.Nested(InvitationSchema, required=True)


class BatchResultSchema(Schema):
    index = fields.Integer(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["created", "duplicate", "invalid"])
    )
    id = fields.String()
    detail = fields.Raw()


class BatchResultsSchema(Schema):
    results = fields.List(fields.Nested(BatchResultSchema), required=True)


WEBHOOK_EVENTS = {
    "victim.linked": "A victim linked your case to their hub account.",
    "update.confirmed": "A victim confirmed they have seen a critical update you sent.",
    "update.unconfirmed": "A victim has not confirmed a critical update in time: a hub "
    "navigator is contacting them.",
    "ping": "A test you asked for.",
    "request.submitted": "A victim sent you a request (a Victim Personal Statement or a Right to "
    "Review): read it with GET /api/v1/requests/{id}.",
    "request.updated": "A request sent to you moved on without you (the victim withdrew it, say).",
    "request.chase": "A hub navigator asks about a request sent to you that has waited.",
}


class WebhookSchema(Schema):
    url = fields.Url(
        required=True,
        schemes={"https", "http"},
        require_tld=False,
        validate=validate.Length(max=500),
        metadata={"description": "https only (http to loopback outside production)."},
    )


class WebhookStateSchema(Schema):
    url = fields.String(allow_none=True, required=True)
    secret = fields.String(
        allow_none=True,
        metadata={
            "description": "The HMAC key for Hub-Signature. Shown once, when you register; "
            "null when the request is repeated or read back."
        },
    )
    events = fields.Dict(keys=fields.String(), values=fields.String(), dump_default=WEBHOOK_EVENTS)


class PingSchema(Schema):
    queued = fields.Boolean(required=True)


class EntitlementSchema(Schema):
    case = fields.String(required=True, metadata={"description": "Your case reference."})
    duty = fields.String(required=True, metadata={"description": "The rule id (rules.yaml)."})
    right = fields.Integer(required=True, metadata={"description": "Victims' Code right, 1-12."})
    kind = fields.String(required=True, validate=validate.OneOf(["duty", "window"]))
    duty_holder = fields.String(required=True)
    status = fields.String(required=True)
    due_at = UTCDateTime(allow_none=True)
    met_at = UTCDateTime(allow_none=True)
    victim_says_not_told = fields.Boolean(required=True)


class EntitlementsPageSchema(Schema):
    items = fields.List(fields.Nested(EntitlementSchema), required=True)
    next = fields.String(
        allow_none=True, metadata={"description": "Pass as `after` for the next page."}
    )


ENTITLEMENT_STATUSES = ("due", "overdue", "met", "met_late", "cannot_tell")
MAX_ID = 2**63 - 1


class EntitlementsQuerySchema(Schema):
    """The query string of GET /api/v1/entitlements: every value checked, none guessed at."""

    status = fields.String(load_default="due,overdue")
    case = fields.String(load_default=None, validate=REFERENCE)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))

    @validates("status")
    def _known_statuses(self, value: str, **_kwargs) -> None:
        wanted = [s for s in value.split(",") if s]
        if not wanted or any(s not in ENTITLEMENT_STATUSES for s in wanted):
            raise ValidationError(f"Use one or more of {', '.join(ENTITLEMENT_STATUSES)}.")


# --- Victims' requests routed to the agency (request_views.py) ---------------------------------

REQUEST_KINDS = (VPS.name, VRR.name)
REQUEST_STATUSES = tuple(dict.fromkeys(VPS.statuses + VRR.statuses))
# A draft is the victim's own until they send it: no agency ever sees one.
VISIBLE_REQUEST_STATUSES = tuple(s for s in REQUEST_STATUSES if s != "draft")
MAX_NOTE = 2000


class RequestCaseSchema(Schema):
    id = fields.String(required=True, metadata={"description": "The case's id in the hub."})
    reference = fields.String(required=True, metadata={"description": "Your case reference."})


class RequestSchema(Schema):
    """A request as listed: what it is and where it stands, never who sent it or what it says."""

    id = fields.String(required=True)
    reference = fields.String(
        required=True, metadata={"description": "VPS-… or VRR-…: the reference the victim sees."}
    )
    kind = fields.String(required=True, validate=validate.OneOf(REQUEST_KINDS))
    scheme = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "For a Right to Review: police or cps."},
    )
    status = fields.String(required=True, validate=validate.OneOf(VISIBLE_REQUEST_STATUSES))
    case = fields.Nested(RequestCaseSchema, required=True)
    victim_reference = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "Your reference for the victim who asked (as you sent it with their "
            "invitation); null when another agency on the journey invited them."
        },
    )
    submitted_at = UTCDateTime(required=True, allow_none=True)
    updated_at = UTCDateTime(required=True)
    next_statuses = fields.List(
        fields.String(validate=validate.OneOf(VISIBLE_REQUEST_STATUSES)),
        required=True,
        metadata={"description": "The statuses you may set next (empty: nothing for you to do)."},
    )
    document = fields.String(
        required=True,
        metadata={"format": "uri", "description": "The PDF as the victim sent it."},
    )


class RequestHistorySchema(Schema):
    from_status = fields.String(data_key="from", required=True, allow_none=True)
    to_status = fields.String(data_key="to", required=True)
    actor = fields.String(
        required=True, validate=validate.OneOf(["victim", "navigator", "agency", "hub"])
    )
    at = UTCDateTime(required=True)
    note = fields.String(required=True, allow_none=True)


class RequestDetailSchema(RequestSchema):
    answers = fields.Dict(
        required=True, metadata={"description": "The victim's answers, as in the document."}
    )
    history = fields.List(fields.Nested(RequestHistorySchema), required=True)


class RequestsPageSchema(Schema):
    items = fields.List(fields.Nested(RequestSchema), required=True)
    next = fields.String(
        allow_none=True, metadata={"description": "Pass as `after` for the next page."}
    )


class RequestsQuerySchema(Schema):
    """The query string of GET /api/v1/requests: every value checked, none guessed at."""

    status = fields.String(load_default=",".join(VISIBLE_REQUEST_STATUSES))
    kind = fields.String(load_default=None, validate=validate.OneOf(REQUEST_KINDS))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))

    @validates("status")
    def _known_statuses(self, value: str, **_kwargs) -> None:
        wanted = [s for s in value.split(",") if s]
        if not wanted or any(s not in VISIBLE_REQUEST_STATUSES for s in wanted):
            raise ValidationError(f"Use one or more of {', '.join(VISIBLE_REQUEST_STATUSES)}.")


class RequestStatusSchema(Schema):
    """The body of POST /api/v1/requests/{id}/status."""

    status = fields.String(required=True, validate=validate.OneOf(VISIBLE_REQUEST_STATUSES))
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_NOTE),
        metadata={"description": "Why, for the request's history (the victim sees it)."},
    )


class ConflictSchema(ErrorSchema):
    current = fields.String(required=True, metadata={"description": "The request's status now."})
    allowed = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "What you may set from here (empty: nothing)."},
    )


class RequestEventDataSchema(Schema):
    request = fields.String(required=True, metadata={"description": "The request's id."})
    reference = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REQUEST_KINDS))
    status = fields.String(required=True, validate=validate.OneOf(VISIBLE_REQUEST_STATUSES))
    case = fields.String(required=True, metadata={"description": "The case's id in the hub."})
    case_reference = fields.String(required=True, metadata={"description": "Your reference."})


class AlertSchema(Schema):
    """What the hub POSTs to your webhook URL, signed (Hub-Signature) and numbered
    (Hub-Delivery)."""

    id = fields.String(required=True, metadata={"description": "The same on every retry."})
    type = fields.String(required=True, validate=validate.OneOf(list(WEBHOOK_EVENTS)))
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    data: fields.Field = fields.Dict(required=True)  # a kind of alert may say what it holds


class RequestAlertSchema(AlertSchema):
    type = fields.String(
        required=True, validate=validate.OneOf(["request.submitted", "request.updated"])
    )
    data = fields.Nested(RequestEventDataSchema, required=True)
