"""What an agency may say about a milestone: one schema per milestone type for the event's
`detail`. Pure (marshmallow only): the partner API validates with it, the OpenAPI document is
built from it and the victim's timeline reads what it stored.

`detail` is optional (absent, null or {}): an agency that knows only that something happened
still sends the event. When it is sent it must match its type's schema: unknown keys are refused,
free text is trimmed and limited, closed lists are closed. Stored as JSON, so dates are kept as
ISO strings.

Keys others read: the entitlements engine reads a sentence's `months` (int) and `uls_eligible`
(bool) and an acknowledgement's `regarding`; victims' updates read a moved trial's `new_date`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from app.core import vocabulary as v

MAX_TEXT: Final = 120
MAX_ITEMS: Final = 20

HEARING_TYPES: Final = (
    "first_hearing",
    "plea",
    "trial",
    "sentencing",
    "bail",
    "mention",
    "appeal",
    "other",
)
TRIAL_MOVE_REASONS: Final = (
    "court_availability",
    "defence_request",
    "prosecution_request",
    "witness_unavailable",
    "defendant_unavailable",
    "other",
)
# Bail and licence conditions that protect the victim: the ones a victim needs to know about.
CONDITIONS: Final = (
    "no_contact",
    "not_to_enter_area",
    "curfew",
    "residence",
    "electronic_tag",
    "other",
)
BAIL_OUTCOMES: Final = ("bail", "remanded_in_custody", "warrant_issued", "warrant_executed")
PLEAS: Final = ("guilty", "not_guilty", "mixed")
VERDICT_OUTCOMES: Final = (
    "guilty",
    "not_guilty",
    "guilty_plea",
    "no_verdict",
    "discontinued",
    "left_on_file",
)
SENTENCE_TYPES: Final = (
    "custodial",
    "suspended",
    "community",
    "fine",
    "discharge",
    "hospital_order",
    "other",
)
# Only these carry a term in months: the engine reads `months` as the custodial term (the Victim
# Contact Scheme turns on it), so a community order's length must not be sent as `months`.
SENTENCES_WITH_TERM: Final = ("custodial", "suspended")
RELEASE_TYPES: Final = ("licence", "end_of_sentence", "temporary", "other")
APPEAL_AGAINST: Final = ("conviction", "sentence")
APPEAL_OUTCOMES: Final = (
    "allowed",
    "dismissed",
    "withdrawn",
    "sentence_increased",
    "sentence_reduced",
)
DISPOSALS: Final = (
    "caution",
    "conditional_caution",
    "community_resolution",
    "penalty_notice",
    "other",
)
NO_ACTION_REASONS: Final = (
    "insufficient_evidence",
    "not_in_public_interest",
    "suspect_not_identified",
    "other",
)
CONTACT_METHODS: Final = ("phone", "letter", "email", "in_person", "portal")

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Text(fields.String):
    """Free text from an agency's system: trimmed, 1 to `MAX_TEXT` characters after trimming,
    no control characters (they would garble the victim's page)."""

    def __init__(self, *, max_length: int = MAX_TEXT, **kwargs: Any) -> None:
        super().__init__(
            validate=[
                validate.Length(min=1, max=max_length),
                validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="No control characters."),
            ],
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        return text.strip() if isinstance(text, str) else text


class StrictBoolean(fields.Boolean):
    """JSON true or false only: 0, 1, "yes" and "true" are refused, not guessed at."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def _one_of(choices: tuple[str, ...], **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(choices), **kwargs)


def _time(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(_TIME, error="Use HH:MM, 24-hour clock (e.g. 09:30)."),
        metadata={"description": "Local time in England and Wales, HH:MM.", "example": "10:00"},
        **kwargs,
    )


def _court(**kwargs: Any) -> Text:
    return Text(
        metadata={"description": "The court's name.", "example": "Snaresbrook Crown Court"},
        **kwargs,
    )


def _conditions(**kwargs: Any) -> fields.List:
    return fields.List(
        _one_of(CONDITIONS),
        validate=validate.Length(max=len(CONDITIONS)),
        metadata={"description": "The conditions that protect the victim (empty: none)."},
        **kwargs,
    )


class DetailSchema(Schema):
    """The base of every detail schema: an unknown key is an error, never silently dropped."""

    class Meta:
        unknown = RAISE


class EmptyDetail(DetailSchema):
    """Nothing to add for this type: send no detail (or an empty object)."""


class HearingDetail(DetailSchema):
    date = fields.Date(required=True, metadata={"example": "2027-03-09"})
    time = _time()
    court = _court()
    hearing_type = _one_of(HEARING_TYPES)


class WitnessDetail(DetailSchema):
    """Where and when the victim may be needed, if known yet."""

    date = fields.Date(metadata={"example": "2027-03-09"})
    time = _time()
    court = _court()


class TrialMovedDetail(DetailSchema):
    new_date = fields.Date(
        required=True,
        metadata={
            "description": "The new trial date (within 14 days: the victim must confirm).",
            "example": "2027-04-12",
        },
    )
    time = _time()
    court = _court()
    reason = _one_of(TRIAL_MOVE_REASONS)


class BailDetail(DetailSchema):
    conditions = _conditions()
    until = fields.Date(metadata={"description": "The conditions last until this date."})
    answer_date = fields.Date(
        metadata={"description": "When the suspect must next answer bail (station or court)."}
    )


class BailOutcomeDetail(BailDetail):
    outcome = _one_of(BAIL_OUTCOMES)


class ChargesDetail(DetailSchema):
    charges = fields.List(
        Text(metadata={"example": "Assault occasioning actual bodily harm"}),
        required=True,
        validate=validate.Length(min=1, max=MAX_ITEMS),
        metadata={"description": "The offences as charged, in plain words."},
    )


class DroppedDetail(DetailSchema):
    charges = fields.List(
        Text(), validate=validate.Length(min=1, max=MAX_ITEMS), metadata={"description": "Which."}
    )


class PleaDetail(DetailSchema):
    plea = _one_of(PLEAS, required=True)


class ChargeOutcome(DetailSchema):
    charge = Text(required=True, metadata={"description": "The offence as charged."})
    outcome = _one_of(VERDICT_OUTCOMES, required=True)


class VerdictDetail(DetailSchema):
    charges = fields.List(
        fields.Nested(ChargeOutcome),
        required=True,
        validate=validate.Length(min=1, max=MAX_ITEMS),
    )


class SentenceDetail(DetailSchema):
    type = _one_of(SENTENCE_TYPES, required=True)
    months = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=1200),
        metadata={"description": "The custodial or suspended term, in months (life: omit)."},
    )
    uls_eligible = StrictBoolean(
        metadata={"description": "Whether the Unduly Lenient Sentence scheme applies."}
    )
    court = _court()

    @validates_schema
    def _term_only_for_prison(self, data: Mapping[str, Any], **_kwargs: Any) -> None:
        if "months" in data and data.get("type") not in SENTENCES_WITH_TERM:
            raise ValidationError("Only for a custodial or suspended sentence.", "months")


class AppealDetail(DetailSchema):
    against = _one_of(APPEAL_AGAINST, required=True)
    outcome = _one_of(APPEAL_OUTCOMES, metadata={"description": "Omit while it is pending."})
    court = _court()


class ReleaseDetail(DetailSchema):
    release_type = _one_of(RELEASE_TYPES, required=True)
    licence_conditions = _conditions()


class DisposalDetail(DetailSchema):
    disposal = _one_of(DISPOSALS, required=True)


class NoActionDetail(DetailSchema):
    reason = _one_of(NO_ACTION_REASONS)


class ReferralDetail(DetailSchema):
    service = Text(metadata={"description": "The support service.", "example": "Victim Support"})


class ContactDetail(DetailSchema):
    method = _one_of(CONTACT_METHODS)


class DeliveredDetail(ContactDetail):
    regarding = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "Your event id (`id`) of the event the victim was told about: the "
            "duty it discharges is the one that event started."
        },
    )


DETAIL_SCHEMAS: Final[Mapping[str, type[DetailSchema]]] = MappingProxyType(
    {
        v.REPORTED: EmptyDetail,
        v.CRIME_REFERENCE_ISSUED: EmptyDetail,
        v.OFFICER_ASSIGNED: EmptyDetail,
        v.NEEDS_ASSESSMENT_DONE: EmptyDetail,
        v.REFERRAL_OFFERED: ReferralDetail,
        v.SUSPECT_ARRESTED: EmptyDetail,
        v.SUSPECT_INTERVIEWED: EmptyDetail,
        v.RELEASED_ON_BAIL: BailDetail,
        v.RELEASED_UNDER_INVESTIGATION: EmptyDetail,
        v.BAIL_CONDITIONS_CHANGED: BailDetail,
        v.DECISION_NOT_TO_INVESTIGATE: NoActionDetail,
        v.NO_FURTHER_ACTION: NoActionDetail,
        v.CHARGED: ChargesDetail,
        v.OUT_OF_COURT_DISPOSAL: DisposalDetail,
        v.CHARGES_ALTERED: ChargesDetail,
        v.CHARGES_DROPPED: DroppedDetail,
        v.HEARING_DETAILS_RECEIVED: HearingDetail,
        v.FIRST_HEARING: HearingDetail,
        v.PLEA: PleaDetail,
        v.TRIAL_DATE_SET: HearingDetail,
        v.TRIAL_DATE_MOVED: TrialMovedDetail,
        v.WITNESS_REQUIRED: WitnessDetail,
        v.BAIL_OR_WARRANT_OUTCOME: BailOutcomeDetail,
        v.VERDICT: VerdictDetail,
        v.SENTENCE: SentenceDetail,
        v.APPEAL: AppealDetail,
        v.OFFENDER_RELEASED: ReleaseDetail,
        v.OFFENDER_ESCAPED: EmptyDetail,
        v.CASE_CLOSED: EmptyDetail,
        v.COMPLAINT_RECEIVED: EmptyDetail,
        v.VPS_OFFERED: EmptyDetail,
        v.VCS_REFERRAL_MADE: EmptyDetail,
        v.VLO_CONTACT_MADE: ContactDetail,
        v.INFORMATION_DELIVERED: DeliveredDetail,
    }
)

# One valid detail per type that has one: the API documentation's examples and the tests' cases.
EXAMPLES: Final[Mapping[str, Mapping[str, Any]]] = MappingProxyType(
    {
        v.REFERRAL_OFFERED: {"service": "Victim Support"},
        v.RELEASED_ON_BAIL: {
            "conditions": ["no_contact", "not_to_enter_area"],
            "answer_date": "2027-02-01",
        },
        v.BAIL_CONDITIONS_CHANGED: {"conditions": ["no_contact"], "until": "2027-06-30"},
        v.DECISION_NOT_TO_INVESTIGATE: {"reason": "suspect_not_identified"},
        v.NO_FURTHER_ACTION: {"reason": "insufficient_evidence"},
        v.CHARGED: {"charges": ["Assault occasioning actual bodily harm"]},
        v.OUT_OF_COURT_DISPOSAL: {"disposal": "conditional_caution"},
        v.CHARGES_ALTERED: {"charges": ["Common assault"]},
        v.CHARGES_DROPPED: {"charges": ["Criminal damage"]},
        v.HEARING_DETAILS_RECEIVED: {
            "date": "2027-01-18",
            "time": "10:00",
            "court": "Thames Magistrates' Court",
            "hearing_type": "first_hearing",
        },
        v.FIRST_HEARING: {"date": "2027-01-18", "court": "Thames Magistrates' Court"},
        v.PLEA: {"plea": "not_guilty"},
        v.TRIAL_DATE_SET: {
            "date": "2027-03-09",
            "time": "10:00",
            "court": "Snaresbrook Crown Court",
            "hearing_type": "trial",
        },
        v.TRIAL_DATE_MOVED: {
            "new_date": "2027-04-12",
            "time": "14:00",
            "court": "Snaresbrook Crown Court",
            "reason": "court_availability",
        },
        v.WITNESS_REQUIRED: {"date": "2027-03-09", "court": "Snaresbrook Crown Court"},
        v.BAIL_OR_WARRANT_OUTCOME: {
            "outcome": "bail",
            "conditions": ["no_contact", "curfew"],
            "answer_date": "2027-03-09",
        },
        v.VERDICT: {
            "charges": [
                {"charge": "Assault occasioning actual bodily harm", "outcome": "guilty"},
                {"charge": "Criminal damage", "outcome": "not_guilty"},
            ]
        },
        v.SENTENCE: {
            "type": "custodial",
            "months": 30,
            "uls_eligible": True,
            "court": "Snaresbrook Crown Court",
        },
        v.APPEAL: {"against": "sentence", "outcome": "dismissed"},
        v.OFFENDER_RELEASED: {
            "release_type": "licence",
            "licence_conditions": ["no_contact", "not_to_enter_area", "electronic_tag"],
        },
        v.VLO_CONTACT_MADE: {"method": "phone"},
        v.INFORMATION_DELIVERED: {"regarding": "EV-1001", "method": "phone"},
    }
)


def schema_for(milestone_type: str) -> DetailSchema:
    """The detail schema of a milestone type (an unknown type: the empty one)."""
    return DETAIL_SCHEMAS.get(milestone_type, EmptyDetail)()


def clean(milestone_type: str, detail: object) -> dict[str, Any] | None:
    """`detail` checked against its type's schema and as it is stored (dates as ISO strings,
    text trimmed); None when there is nothing to store. Raises ValidationError naming the
    field."""
    if not isinstance(detail, Mapping | None):
        raise ValidationError("Send an object.")
    if not detail:  # none sent, or an empty object: the event says only that it happened
        return None
    schema = schema_for(milestone_type)
    loaded = schema.load(detail)
    dumped: dict[str, Any] = schema.dump(loaded)
    return dumped or None
