"""What agencies send and receive, as marshmallow schemas: they validate requests and generate
the OpenAPI document, so the documentation cannot drift from the code."""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from ..entitlements.vocabulary import INFORMATION_DELIVERED, MILESTONE_TYPES

REFERENCE = validate.Regexp(r"^[A-Za-z0-9._-]{1,64}$", error="Use 1 to 64 letters, digits, . _ -")
OFFENCE_CATEGORIES = ("violent", "sexual", "other")
FUTURE_LEEWAY = dt.timedelta(days=1)


class CaseSchema(Schema):
    reference = fields.String(dump_only=True)
    crime_type = fields.String(required=True, validate=validate.Length(min=1, max=60))
    offence_category = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(OFFENCE_CATEGORIES)
    )
    enhanced = fields.Boolean(
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
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


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
    occurred_at = fields.AwareDateTime(
        required=True, metadata={"description": "When it happened, with a time zone offset."}
    )
    duty = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=60),
        metadata={"description": "For information_delivered: the duty (rule id) it discharges."},
    )
    detail = fields.Dict(load_default=None, allow_none=True)

    @validates("occurred_at")
    def _not_in_the_future(self, value: dt.datetime, **_kwargs) -> None:
        if value > dt.datetime.now(dt.UTC) + FUTURE_LEEWAY:
            raise ValidationError("More than a day in the future.")

    @validates_schema
    def _duty_goes_with_information_delivered(self, data: dict, **_kwargs) -> None:
        if data.get("type") == INFORMATION_DELIVERED and not data.get("duty"):
            raise ValidationError("Say which duty was discharged.", "duty")


class BatchEventSchema(EventSchema):
    case = fields.String(required=True, validate=REFERENCE)


class BatchSchema(Schema):
    events = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=500))


class MilestoneSchema(Schema):
    id = fields.String(attribute="agency_event_id")
    case = fields.Function(lambda m: m.case.reference)
    type = fields.String()
    occurred_at = fields.DateTime()
    received_at = fields.DateTime()
    duty = fields.String(allow_none=True)


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
