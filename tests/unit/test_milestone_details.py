"""Milestone details: every type's schema accepts its example and refuses bad input with the field
named; the words a victim reads are built from what was stored, whatever it holds."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel
from marshmallow import ValidationError

from app.cases import detail_text
from app.cases.details import DETAIL_SCHEMAS, EXAMPLES, EmptyDetail, clean
from app.core.vocabulary import MILESTONE_TYPES

EMPTY_TYPES = sorted(t for t, s in DETAIL_SCHEMAS.items() if s is EmptyDetail)


def refused(kind: str, detail: object) -> dict:
    with pytest.raises(ValidationError) as caught:
        clean(kind, detail)
    return caught.value.messages  # type: ignore[return-value]


def test_every_milestone_type_has_a_schema_and_every_schema_an_example_or_nothing():
    assert set(DETAIL_SCHEMAS) == set(MILESTONE_TYPES)
    assert set(EXAMPLES) | set(EMPTY_TYPES) == set(MILESTONE_TYPES)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_example_is_accepted_and_stored_as_sent(kind):
    assert clean(kind, dict(EXAMPLES[kind])) == dict(EXAMPLES[kind])


@pytest.mark.parametrize("kind", sorted(MILESTONE_TYPES))
def test_no_detail_is_always_accepted(kind):
    """An agency that knows only that something happened still sends the event."""
    assert clean(kind, None) is None
    assert clean(kind, {}) is None


@pytest.mark.parametrize("kind", EMPTY_TYPES)
def test_types_with_nothing_to_add_refuse_any_key(kind):
    assert clean(kind, {}) is None
    assert refused(kind, {"note": "hello"}) == {"note": ["Unknown field."]}


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_unknown_keys_are_refused_on_every_type(kind):
    assert refused(kind, {**EXAMPLES[kind], "colour": "red"}) == {"colour": ["Unknown field."]}


def test_not_an_object():
    assert refused("verdict", ["guilty"]) == ["Send an object."]


@pytest.mark.parametrize(
    ("kind", "detail", "path"),
    [
        # Hearings: date required and real, time HH:MM, closed hearing types, court limited.
        ("trial_date_set", {"time": "10:00"}, ("date",)),
        ("trial_date_set", {"date": "2027-02-30"}, ("date",)),
        ("trial_date_set", {"date": "9 March 2027"}, ("date",)),
        ("hearing_details_received", {"date": "2027-03-09", "time": "25:00"}, ("time",)),
        ("hearing_details_received", {"date": "2027-03-09", "time": "10am"}, ("time",)),
        ("first_hearing", {"date": "2027-03-09", "hearing_type": "party"}, ("hearing_type",)),
        ("first_hearing", {"date": "2027-03-09", "court": "x" * 121}, ("court",)),
        ("first_hearing", {"date": "2027-03-09", "court": "   "}, ("court",)),
        ("first_hearing", {"date": "2027-03-09", "court": "Bow\x00"}, ("court",)),
        ("first_hearing", {"date": "2027-03-09", "court": 12}, ("court",)),
        ("witness_required", {"date": "soon"}, ("date",)),
        # A moved trial: the new date is what decides whether the victim must confirm.
        ("trial_date_moved", {"court": "Snaresbrook"}, ("new_date",)),
        ("trial_date_moved", {"new_date": "2027-04-12", "reason": "rain"}, ("reason",)),
        # Verdicts: at least one charge, each with a known outcome; the path names the item.
        ("verdict", {"charges": []}, ("charges",)),
        ("verdict", {"charges": None}, ("charges",)),
        ("verdict", {"charges": [{"charge": "Assault", "outcome": "maybe"}]}, ("charges", 0)),
        ("verdict", {"charges": [{"outcome": "guilty"}]}, ("charges", 0, "charge")),
        ("verdict", {"charges": [{"charge": "A", "outcome": "guilty", "x": 1}]}, ("charges", 0)),
        ("verdict", {"charges": ["Assault"]}, ("charges", 0)),
        # Sentences: the keys the entitlements engine reads keep their types.
        ("sentence", {"months": 18}, ("type",)),
        ("sentence", {"type": "custodial", "months": "18"}, ("months",)),
        ("sentence", {"type": "custodial", "months": 18.5}, ("months",)),
        ("sentence", {"type": "custodial", "months": -1}, ("months",)),
        ("sentence", {"type": "community", "months": 12}, ("months",)),
        ("sentence", {"type": "custodial", "uls_eligible": "yes"}, ("uls_eligible",)),
        ("sentence", {"type": "custodial", "uls_eligible": 1}, ("uls_eligible",)),
        ("sentence", {"type": "prison"}, ("type",)),
        # Bail: a closed list of conditions, real dates.
        ("released_on_bail", {"conditions": ["be_nice"]}, ("conditions", 0)),
        ("released_on_bail", {"conditions": "no_contact"}, ("conditions",)),
        ("bail_conditions_changed", {"until": "2027-13-01"}, ("until",)),
        ("bail_or_warrant_outcome", {"answer_date": "tomorrow"}, ("answer_date",)),
        ("bail_or_warrant_outcome", {"outcome": "escaped"}, ("outcome",)),
        ("plea", {"plea": None}, ("plea",)),
        ("plea", {"plea": "guilty-ish"}, ("plea",)),
        ("charged", {"charges": []}, ("charges",)),
        ("charged", {"charges": ["x" * 121]}, ("charges", 0)),
        ("charges_altered", {"charges": [""]}, ("charges", 0)),
        ("charges_dropped", {"charges": [1]}, ("charges", 0)),
        ("offender_released", {"licence_conditions": ["curfew"]}, ("release_type",)),
        (
            "offender_released",
            {"release_type": "licence", "licence_conditions": ["x"]},
            (
                "licence_conditions",
                0,
            ),
        ),
        ("appeal", {"outcome": "dismissed"}, ("against",)),
        ("appeal", {"against": "verdict"}, ("against",)),
        ("appeal", {"against": "sentence", "outcome": "won"}, ("outcome",)),
        ("out_of_court_disposal", {"disposal": "warning"}, ("disposal",)),
        ("no_further_action", {"reason": "lazy"}, ("reason",)),
        ("referral_offered", {"service": "x" * 121}, ("service",)),
        ("information_delivered", {"regarding": ""}, ("regarding",)),
        ("information_delivered", {"regarding": "EV-1", "method": "pigeon"}, ("method",)),
        ("vlo_contact_made", {"method": "fax"}, ("method",)),
    ],
)
def test_bad_details_are_refused_with_the_field_named(kind, detail, path):
    messages: object = refused(kind, detail)
    for key in path:
        assert isinstance(messages, dict) and key in messages, (path, messages)
        messages = messages[key]
    assert messages


def test_text_is_trimmed_and_dates_stored_as_iso_strings():
    stored = clean(
        "trial_date_set", {"date": "2027-03-09", "court": "  Snaresbrook Crown Court \n"}
    )
    assert stored == {"date": "2027-03-09", "court": "Snaresbrook Crown Court"}
    verdict = clean("verdict", {"charges": [{"charge": " Assault ", "outcome": "guilty"}]})
    assert verdict == {"charges": [{"charge": "Assault", "outcome": "guilty"}]}


def test_the_keys_others_read_keep_their_names_and_types():
    """The entitlements engine reads months and uls_eligible, updates read new_date and the
    engine reads regarding: a schema change must not rename them."""
    sentence = clean("sentence", {"type": "custodial", "months": 18, "uls_eligible": False})
    assert sentence == {"type": "custodial", "months": 18, "uls_eligible": False}
    assert clean("trial_date_moved", {"new_date": "2027-04-12"}) == {"new_date": "2027-04-12"}
    assert clean("information_delivered", {"regarding": "EV-1"}) == {"regarding": "EV-1"}


# --- The words a victim reads ------------------------------------------------------------------


@pytest.fixture()
def english():
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_LOCALE"] = "en_GB"
    Babel(app)
    with app.test_request_context():
        yield


class Event:
    def __init__(self, type_: str, detail: object) -> None:
        self.type, self.detail = type_, detail


def words(kind: str, detail: object) -> list[str]:
    return [str(line) for line in detail_text.describe(Event(kind, detail))]


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("kind", "detail", "expected"),
    [
        (
            "trial_date_set",
            {"date": "2027-03-09", "time": "10:00", "court": "Snaresbrook Crown Court"},
            ["Trial at <bdi>Snaresbrook Crown Court</bdi> on Tuesday, 9 March 2027 at 10am"],
        ),
        (
            "hearing_details_received",
            {"date": "2027-03-09", "time": "14:30", "hearing_type": "sentencing"},
            ["Sentencing hearing on Tuesday, 9 March 2027 at 2:30pm"],
        ),
        (
            "first_hearing",
            {"date": "2027-03-09", "time": "12:00"},
            ["First hearing on Tuesday, 9 March 2027 at midday"],
        ),
        ("witness_required", {"court": "Bow"}, ["Hearing at <bdi>Bow</bdi>"]),
        (
            "trial_date_moved",
            {"new_date": "2027-04-12", "reason": "court_availability"},
            ["Trial on Monday, 12 April 2027", "Why: the court was not available"],
        ),
        (
            "verdict",
            {
                "charges": [
                    {"charge": "Assault", "outcome": "guilty"},
                    {"charge": "Theft", "outcome": "not_guilty"},
                ]
            },
            ["Found guilty of <bdi>Assault</bdi>", "Found not guilty of <bdi>Theft</bdi>"],
        ),
        (
            "sentence",
            {"type": "custodial", "months": 30},
            ["Sentenced to 2 years 6 months in prison"],
        ),
        ("sentence", {"type": "custodial", "months": 12}, ["Sentenced to 1 year in prison"]),
        (
            "sentence",
            {"type": "suspended", "months": 1},
            ["Given a suspended prison sentence of 1 month"],
        ),
        ("sentence", {"type": "fine"}, ["Given a fine"]),
        (
            "released_on_bail",
            {"conditions": ["no_contact", "not_to_enter_area"]},
            ["Bail conditions: not to contact you and not to go to an area"],
        ),
        ("bail_conditions_changed", {"conditions": []}, ["No bail conditions"]),
        (
            "bail_or_warrant_outcome",
            {"outcome": "remanded_in_custody", "answer_date": "2027-03-09"},
            [
                "Kept in custody until the next hearing",
                "They must go back to court on Tuesday, 9 March 2027",
            ],
        ),
        ("plea", {"plea": "not_guilty"}, ["Pleaded not guilty"]),
        (
            "charged",
            {"charges": ["Assault", "Theft"]},
            ["Charged with <bdi>Assault</bdi> and <bdi>Theft</bdi>"],
        ),
        (
            "appeal",
            {"against": "sentence"},
            [
                "An appeal against the sentence",
                "The appeal has not been decided yet",
            ],
        ),
        (
            "offender_released",
            {"release_type": "licence", "licence_conditions": ["curfew"]},
            [
                "Released on licence",
                "Licence conditions: to stay at home at set times",
            ],
        ),
        ("information_delivered", {"regarding": "EV-1", "method": "phone"}, ["By phone"]),
        ("reported", None, []),
    ],
)
def test_details_in_words(kind, detail, expected):
    assert words(kind, detail) == expected


@pytest.mark.usefixtures("english")
def test_agency_text_is_escaped_and_isolated():
    [line] = words("charged", {"charges": ["<script>alert(1)</script>"]})
    assert line == "Charged with <bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    "detail",
    [
        {"date": "not a date", "time": "noon", "court": ["x"]},
        {"charges": "Assault"},
        {"charges": [{"charge": ["x"], "outcome": ["guilty"]}, "x", None]},
        {"type": ["custodial"], "months": "30", "conditions": {"a": 1}},
        {"plea": {"x": 1}, "reason": [], "method": 3, "new_date": 20270101},
    ],
)
@pytest.mark.parametrize("kind", sorted(MILESTONE_TYPES))
def test_whatever_was_stored_never_breaks_the_page(kind, detail):
    """Events stored before details were checked may hold anything: what cannot be read is left
    out."""
    assert isinstance(words(kind, detail), list)
