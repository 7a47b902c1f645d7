"""The question-page flow (app.questions) without the hub: the order of the pages with a
next-step function, back links, a date typed in three parts, what a page saves."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask_babel import Babel
from werkzeug.datastructures import MultiDict

from app.questions.fields import DateParts, PastDate, checkboxes, radios
from app.questions.flow import CHECK, Flow, Step
from app.questions.forms import QuestionForm

TODAY = dt.date(2026, 3, 27)


class Crime(QuestionForm):
    crime = radios("What happened?", [("theft", "Theft"), ("other", "Other")], "Choose one")


class Reported(QuestionForm):
    reported = radios("Told the police?", [("yes", "Yes"), ("no", "No")], "Choose yes or no")


class Stage(QuestionForm):
    stage = radios("What next?", [("charged", "Charged")], "Choose one")


class When(QuestionForm):
    happened = DateParts("When?", [PastDate(lambda: TODAY, "In the past")], message="A date")
    help = checkboxes("Help", [("a", "A"), ("b", "B")])


def _after_reported(answers) -> str:
    return "stage" if answers.get("reported") == "yes" else "when"


FLOW = Flow(
    "questions",
    "page.html",
    [
        Step("crime", Crime),
        Step("reported", Reported, next=_after_reported),
        Step("stage", Stage),
        Step("when", When),
    ],
)


@pytest.fixture()
def context():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    Babel(app)
    with app.test_request_context(method="POST"):
        yield


def test_the_pages_in_order_with_a_next_step_function():
    assert FLOW.first == "crime" and "when" in FLOW and "check" not in FLOW
    assert FLOW.next("crime", {}) == "reported"
    assert FLOW.next("reported", {"reported": "no"}) == "when"
    assert FLOW.next("when", {}) == CHECK
    assert FLOW.path({"reported": "no"}) == ["crime", "reported", "when", CHECK]
    assert FLOW.path({"reported": "yes"}) == ["crime", "reported", "stage", "when", CHECK]


def test_back_follows_the_answers():
    assert FLOW.back("crime", {}) is None
    assert FLOW.back("when", {"reported": "no"}) == "reported"
    assert FLOW.back("when", {"reported": "yes"}) == "stage"
    assert FLOW.back(CHECK, {}) == "when"
    assert FLOW.back("stage", {"reported": "no"}) == "reported"  # off the path: the one before


def test_the_page_asking_a_field():
    assert FLOW.step_of("reported") == "reported" and FLOW.step_of("happened") == "when"


def test_a_choice_must_be_one_offered(context):
    form = Crime(formdata=MultiDict({"crime": "arson"}))
    assert not form.validate() and form.errors == {"crime": ["Choose one"]}
    form = Crime(formdata=MultiDict({"crime": "theft"}))
    assert form.validate() and form.values() == {"crime": "theft"}


def test_a_date_in_three_parts_kept_as_typed_when_wrong(context):
    form = When(
        formdata=MultiDict({"happened-day": "31", "happened-month": "2", "happened-year": "2026"})
    )
    assert not form.validate() and form.errors == {"happened": ["A date"]}
    assert form.happened.parts == ("31", "2", "2026")
    form = When(
        formdata=MultiDict({"happened-day": "1", "happened-month": "4", "happened-year": "2026"})
    )
    assert not form.validate() and form.errors == {"happened": ["In the past"]}
    form = When(
        formdata=MultiDict(
            {"happened-day": "1", "happened-month": "3", "happened-year": "2026", "help": ["b"]}
        )
    )
    assert form.validate()
    assert form.values() == {"happened": "2026-03-01", "help": ["b"]}
    shown = When(formdata=None, data={"happened": "2026-03-01"})
    assert shown.happened.parts == ("1", "3", "2026") and shown.happened.data == dt.date(2026, 3, 1)
    assert When(formdata=MultiDict({})).validate()  # a date may be left empty


def test_saved_answers_checked_again_before_sending(context):
    assert FLOW.problems({"crime": "theft", "reported": "no"}) == []
    assert FLOW.problems({"crime": "theft", "reported": "yes"}) == [("stage", "Choose one")]
