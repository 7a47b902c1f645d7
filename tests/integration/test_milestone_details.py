"""Milestone details through the partner API and onto the victim's timeline: refused with the
field named, stored cleaned, read back, shown in the victim's language; times with an offset kept
as the same instant on every database."""

from __future__ import annotations

import datetime as dt
import uuid

import pyotp
import pytest
from flask import g
from sqlalchemy import func, select

from app.accounts.models import Role
from app.cases.details import EXAMPLES
from app.cases.models import Milestone
from app.core.time import as_utc
from app.core.vocabulary import MILESTONE_TYPES
from app.extensions import db
from tests.factories import create_linked_case, create_user, sign_in
from tests.integration.test_partner_api import CASE, agency_client, event  # noqa: F401
from tests.pages import check_page

pytestmark = pytest.mark.usefixtures("app_context")

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
BAD_VERDICT = {"charges": [{"charge": "Assault", "outcome": "acquitted-ish"}]}
TRIAL = {"date": "2027-03-09", "time": "10:00", "court": "Snaresbrook Crown Court"}


def new_reference() -> str:
    return f"D-{uuid.uuid4().hex[:8]}"


def stored(event_id: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Milestone).where(Milestone.agency_event_id == event_id)
    )


def test_a_bad_detail_is_refused_naming_the_field_and_nothing_is_stored(agency_client):  # noqa: F811
    ref = new_reference()
    agency_client("PUT", f"/api/v1/cases/{ref}", CASE)
    event_id = f"bad-{uuid.uuid4().hex[:6]}"
    response = agency_client(
        "POST", f"/api/v1/cases/{ref}/events", event(event_id, "verdict", detail=BAD_VERDICT)
    )
    assert response.status_code == 422, response.json
    assert response.json["error"] == "invalid"
    [message] = response.json["detail"]["detail"]["charges"]["0"]["outcome"]
    assert message.startswith("Must be one of: guilty, not_guilty")
    assert stored(event_id) == 0

    unknown = agency_client(
        "POST",
        f"/api/v1/cases/{ref}/events",
        event(event_id, "sentence", detail={"type": "fine", "judge": "Smith"}),
    )
    assert unknown.status_code == 422
    assert unknown.json["detail"] == {"detail": {"judge": ["Unknown field."]}}
    assert stored(event_id) == 0


def test_a_batch_reports_each_bad_detail_and_keeps_the_rest(agency_client):  # noqa: F811
    ref = new_reference()
    agency_client("PUT", f"/api/v1/cases/{ref}", CASE)
    prefix = uuid.uuid4().hex[:6]
    events = [
        {**event(f"{prefix}-1", "trial_date_set", detail=TRIAL), "case": ref},
        {**event(f"{prefix}-2", "verdict", detail=BAD_VERDICT), "case": ref},
        {**event(f"{prefix}-3", "trial_date_moved", detail={"court": "Bow"}), "case": ref},
        {**event(f"{prefix}-4", "plea", detail={"plea": "guilty"}), "case": ref},
    ]
    response = agency_client("POST", "/api/v1/events/batch", {"events": events})
    results = response.json["results"]
    assert [r["status"] for r in results] == ["created", "invalid", "invalid", "created"]
    assert "outcome" in results[1]["detail"]["detail"]["charges"]["0"]
    assert results[2]["detail"] == {"detail": {"new_date": ["Missing data for required field."]}}


def test_every_types_example_is_stored_cleaned_and_read_back(agency_client):  # noqa: F811
    ref = new_reference()
    agency_client("PUT", f"/api/v1/cases/{ref}", CASE)
    prefix = uuid.uuid4().hex[:6]
    sent = {}
    for number, kind in enumerate(sorted(MILESTONE_TYPES)):
        detail = dict(EXAMPLES.get(kind, {}))
        if "court" in detail:  # trimmed on the way in
            detail["court"] = f"  {detail['court']}  "
        body = event(f"{prefix}-{number}", kind, NOW - dt.timedelta(minutes=number), detail=detail)
        if kind == "information_delivered":
            body["duty"] = "r6-charged"  # a duty the "charged" event before it started
        response = agency_client("POST", f"/api/v1/cases/{ref}/events", body)
        assert response.status_code == 201, (kind, response.json)
        expected = dict(EXAMPLES[kind]) if kind in EXAMPLES else None
        assert response.json["detail"] == expected
        sent[body["id"]] = expected
    timeline = agency_client("GET", f"/api/v1/cases/{ref}").json["timeline"]
    assert {item["id"]: item["detail"] for item in timeline} == sent


def test_a_sentence_s_detail_still_reaches_the_entitlements(agency_client):  # noqa: F811
    """The Unduly Lenient Sentence window opens on a sentence whose detail says it applies."""
    ref = new_reference()
    agency_client("PUT", f"/api/v1/cases/{ref}", CASE)
    detail = {"type": "custodial", "months": 30, "uls_eligible": True}
    response = agency_client(
        "POST", f"/api/v1/cases/{ref}/events", event(f"s-{ref}", "sentence", detail=detail)
    )
    assert response.status_code == 201
    duties = agency_client("GET", f"/api/v1/entitlements?case={ref}&status=due").json["items"]
    assert "r9-uls-window" in {item["duty"] for item in duties}


@pytest.mark.parametrize(
    ("sent", "instant"),
    [
        ("2026-03-01T10:00:00+01:00", "2026-03-01T09:00:00+00:00"),
        ("2026-07-01T23:30:00-04:00", "2026-07-02T03:30:00+00:00"),
        ("2026-03-01T10:00:00Z", "2026-03-01T10:00:00+00:00"),
    ],
)
def test_a_time_with_an_offset_is_kept_as_the_same_instant(agency_client, sent, instant):  # noqa: F811
    ref = new_reference()
    agency_client("PUT", f"/api/v1/cases/{ref}", CASE)
    body = {"id": f"t-{ref}", "type": "charged", "occurred_at": sent}
    first = agency_client("POST", f"/api/v1/cases/{ref}/events", body)
    assert first.status_code == 201 and first.json["occurred_at"] == instant
    [item] = agency_client("GET", f"/api/v1/cases/{ref}").json["timeline"]
    assert item["occurred_at"] == instant
    again = agency_client("POST", f"/api/v1/cases/{ref}/events", body)  # the first, as stored
    assert again.status_code == 200 and again.json["occurred_at"] == instant
    db.session.expire_all()
    row = db.session.scalar(select(Milestone).where(Milestone.agency_event_id == f"t-{ref}"))
    assert as_utc(row.occurred_at) == dt.datetime.fromisoformat(instant)


def _victim_with_events(app, agency_client, events):  # noqa: F811
    user = create_user()
    case, victim = create_linked_case(user=user, agency=agency_client.agency)
    for number, (kind, detail) in enumerate(events):
        body = event(f"{case.reference}-{number}", kind, NOW - dt.timedelta(hours=number))
        response = agency_client(
            "POST", f"/api/v1/cases/{case.reference}/events", {**body, "detail": detail}
        )
        assert response.status_code == 201, response.json
    browser = app.test_client()
    sign_in(browser, user)
    return user, victim, browser


EVENTS = [
    ("sentence", {"type": "custodial", "months": 30}),
    ("verdict", {"charges": [{"charge": "Assault", "outcome": "guilty"}]}),
    ("trial_date_set", TRIAL),
    ("released_on_bail", {"conditions": ["no_contact", "not_to_enter_area"]}),
]


def test_the_timeline_says_which_court_verdict_and_sentence_in_english(app, agency_client):  # noqa: F811
    _user, victim, browser = _victim_with_events(app, agency_client, EVENTS)
    page = browser.get(f"/account/cases/{victim.public_id}").get_data(as_text=True)
    check_page(page)
    for words in [
        "Trial at <bdi>Snaresbrook Crown Court</bdi> on Tuesday, 9 March 2027 at 10am",
        "Found guilty of <bdi>Assault</bdi>",
        "Sentenced to 2 years 6 months in prison",
        "Bail conditions: not to contact you and not to go to an area",
    ]:
        assert words in page, words
    # Under the title it explains.
    assert page.index("A trial date was set") < page.index("Trial at <bdi>Snaresbrook")


def test_the_timeline_in_arabic_has_arabic_dates_and_the_court_isolated(app, agency_client):  # noqa: F811
    _user, victim, browser = _victim_with_events(app, agency_client, EVENTS)
    # flask-babel caches the locale in `g`, which this test's app context shares with the
    # requests before: a new request in production starts without it.
    g.pop("_flask_babel", None)
    response = browser.get(f"/ar/account/cases/{victim.public_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    check_page(page)
    assert 'dir="rtl"' in page
    # Babel's Arabic full date: the weekday and month named in Arabic.
    assert "الثلاثاء، 9 مارس 2027" in page
    assert "<bdi>Snaresbrook Crown Court</bdi>" in page and "<bdi>Assault</bdi>" in page
    assert "Tuesday" not in page and "March" not in page


def test_the_navigator_sees_the_details_on_the_victim_record(app, agency_client):  # noqa: F811
    user, _victim, _browser = _victim_with_events(app, agency_client, EVENTS)
    secret = pyotp.random_base32()
    navigator = create_user(role=Role.NAVIGATOR, totp_secret=secret)
    browser = app.test_client()
    assert sign_in(browser, navigator, totp_secret=secret).status_code == 302
    page = browser.get(f"/navigator/victims/{user.public_id}").get_data(as_text=True)
    check_page(page)
    assert "Found guilty of <bdi>Assault</bdi>" in page
    assert "Sentenced to 2 years 6 months in prison" in page
