"""Cases from the victim's side: an agency adds a victim, the victim links the case with the
reference, code and date of birth, and follows its timeline."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import select

from app.cases.models import CaseVictim
from app.extensions import db
from tests.factories import create_agency, create_partner_client, create_user, post_form, sign_in

pytestmark = pytest.mark.usefixtures("app_context")
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture()
def agency_api(client):
    agency = create_agency()
    partner, secret = create_partner_client(agency=agency)
    token = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner.client_id, secret)
    ).json["access_token"]

    def call(method, url, json=None, key=None):
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key or str(uuid.uuid4())}
        return client.open(url, method=method, json=json, headers=headers)

    return call


def new_case(agency_api, reference, events=0):
    agency_api("PUT", f"/api/v1/cases/{reference}", {"crime_type": "robbery"})
    for n in range(events):
        when = (NOW - dt.timedelta(days=n)).isoformat()
        agency_api(
            "POST",
            f"/api/v1/cases/{reference}/events",
            {"id": f"{reference}-{n}", "type": "charged", "occurred_at": when},
        )


def invite(agency_api, reference, **extra):
    body = {"reference": "V1", "date_of_birth": "1985-03-27", **extra}
    return agency_api("POST", f"/api/v1/cases/{reference}/victims", body, key=f"inv-{reference}")


def link(client, reference, code, dob=("27", "3", "1985")):
    # The GOV.UK date input sends day, month and year under one name, in that order.
    return post_form(
        client,
        "/account/cases/link",
        {"reference": reference, "code": code, "date_of_birth": list(dob)},
    )


def test_invitation_is_shown_once_and_links_the_case(client, app, agency_api):
    new_case(agency_api, "C-1", events=1)
    first = invite(agency_api, "C-1")
    assert first.status_code == 201
    invitation = first.json["invitation"]
    assert invitation["reference"].startswith("HUB-") and len(invitation["code"]) == 10
    replay = invite(agency_api, "C-1")
    assert (
        replay.json["invitation"]["code"] is None and replay.json["invitation"]["code_shown_once"]
    )

    victim = app.test_client()
    sign_in(victim, create_user())
    response = link(victim, invitation["reference"].lower(), invitation["code"])
    assert response.status_code == 302 and "/account/cases/" in response.location
    page = victim.get(response.location).get_data(as_text=True)
    assert "Someone was charged" in page and 'href="/guidance/charging-decisions"' in page
    assert victim.get("/account/cases").status_code == 200
    again = link(victim, invitation["reference"], invitation["code"])
    assert "already been used" in again.get_data(as_text=True)


def test_hub_delivery_needs_an_email_and_sends_a_neutral_one(agency_api, mail_sink):
    new_case(agency_api, "C-2")
    refused = invite(agency_api, "C-2", deliver="hub")
    assert refused.status_code == 422 and "email" in refused.json["detail"]
    sent = agency_api(
        "POST",
        "/api/v1/cases/C-2/victims",
        {
            "reference": "V2",
            "date_of_birth": "1990-01-01",
            "deliver": "hub",
            "email": "victim@example.org",
        },
    )
    assert sent.status_code == 201 and sent.json["invitation"]["code"] is None
    [message] = mail_sink()
    assert message["Subject"] == "You have a new update"
    assert sent.json["invitation"]["reference"] in message.get_content()
    assert "robbery" not in message.get_content()


def test_wrong_answers_are_the_same_answer_then_lock(client, agency_api):
    new_case(agency_api, "C-3")
    invitation = invite(agency_api, "C-3").json["invitation"]
    sign_in(client, create_user())
    for attempt in (
        {"code": "WRONGCODE1"},
        {"dob": ("1", "1", "2000")},
        {"reference": "HUB-NOPE00"},
    ):
        response = link(
            client,
            attempt.get("reference", invitation["reference"]),
            attempt.get("code", invitation["code"]),
            attempt.get("dob", ("27", "3", "1985")),
        )
        assert "The reference, code or date of birth is not right" in response.get_data(
            as_text=True
        )
    for _ in range(4):
        link(client, invitation["reference"], "WRONGCODE1")
    locked = link(client, invitation["reference"], invitation["code"])
    assert "Too many tries" in locked.get_data(as_text=True)


def test_expired_invitations_say_so(client, agency_api):
    new_case(agency_api, "C-4")
    invitation = invite(agency_api, "C-4").json["invitation"]
    record = db.session.scalar(
        select(CaseVictim).where(CaseVictim.invitation_reference == invitation["reference"])
    )
    record.invitation_expires_at = NOW - dt.timedelta(days=1)
    db.session.commit()
    sign_in(client, create_user())
    assert "has expired" in link(client, invitation["reference"], invitation["code"]).get_data(
        as_text=True
    )


def test_another_victims_case_is_not_found(client, app, agency_api):
    new_case(agency_api, "C-5")
    invitation = invite(agency_api, "C-5").json["invitation"]
    owner = app.test_client()
    sign_in(owner, create_user())
    url = link(owner, invitation["reference"], invitation["code"]).location
    stranger = app.test_client()
    sign_in(stranger, create_user())
    assert stranger.get(url).status_code == 404
    assert owner.get(url).status_code == 200


def test_timeline_pages_with_show_earlier(client, app, agency_api):
    new_case(agency_api, "C-6", events=15)
    invitation = invite(agency_api, "C-6").json["invitation"]
    sign_in(client, create_user())
    url = link(client, invitation["reference"], invitation["code"]).location
    page = client.get(url).get_data(as_text=True)
    assert page.count('class="app-timeline__item"') == 10
    more = re.search(r'hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    rest = client.get(more, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert rest.count('class="app-timeline__item"') == 5 and "<html" not in rest
    assert "Show earlier updates" not in rest


def test_a_new_case_has_an_empty_state(client, agency_api):
    new_case(agency_api, "C-7")
    invitation = invite(agency_api, "C-7").json["invitation"]
    sign_in(client, create_user())
    page = client.get(link(client, invitation["reference"], invitation["code"]).location)
    assert "Nothing has been added yet" in page.get_data(as_text=True)


@pytest.mark.parametrize("dob", [("31", "2", "1985"), ("27", "", "1985"), ("27",), ("x", "y", "z")])
def test_impossible_or_partial_dates_get_a_clear_message(client, dob):
    sign_in(client, create_user())
    response = link(client, "HUB-AAAAAA", "CODE123456", dob)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter a real date, like 27 3 1985" in html
    assert 'value="HUB-AAAAAA"' in html  # nothing already typed is lost


def test_each_update_says_who_sent_it_and_where_to_ask(client, agency_api):
    new_case(agency_api, "C-8", events=1)
    invitation = invite(agency_api, "C-8").json["invitation"]
    sign_in(client, create_user())
    page = client.get(link(client, invitation["reference"], invitation["code"]).location)
    html = page.get_data(as_text=True)
    assert "From: <bdi>Metropolitan Police Service" in html  # isolated for right-to-left pages


def test_a_link_without_the_date_boxes_is_asked_for_again_not_an_error(client):
    """No browser sends the form without the date's three boxes, but a hand-made request must
    get the form back with its error, not a server error."""
    sign_in(client, create_user())
    response = post_form(client, "/account/cases/link", {"reference": "HUB-AAAAAA", "code": "X"})
    assert response.status_code == 200
    assert "Enter your date of birth" in response.get_data(as_text=True)
    assert 'value="HUB-AAAAAA"' in response.get_data(as_text=True)  # nothing typed is lost
