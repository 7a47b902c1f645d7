"""Trusted people: invite with chosen rights, accept only as the invited address, revoke; and
one victim can never see or stop another's trusted people."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.accounts.models import TrustedPerson
from app.extensions import db
from tests.factories import create_user, csrf_token, post_form, sign_in

pytestmark = pytest.mark.usefixtures("app_context")


def invite(client, email="helper@example.org", rights=("see_updates",)):
    return post_form(
        client,
        "/account/trusted-people",
        {"name": "Alex", "email": email, "rights": list(rights)},
    )


def test_invite_accept_and_revoke(client, app, mail_sink):
    victim = create_user()
    helper = create_user(email="helper@example.org")
    sign_in(client, victim)
    assert invite(client, rights=["see_updates", "make_requests"]).status_code == 302
    [message] = mail_sink()
    assert "Victim Care Hub" in message.get_content() and message["To"] == "helper@example.org"
    link = re.search(r"https?://\S+", message.get_content()).group(0).split("5000", 1)[1]

    helper_client = app.test_client()
    sign_in(helper_client, helper)
    page = helper_client.get(link).get_data(as_text=True)
    assert "See updates about my case" in page and "Make requests for me" in page
    response = helper_client.post(link, data={"csrf_token": csrf_token(page)})
    assert response.location.endswith("/account")
    assert helper_client.get(link).status_code == 400  # used: works once

    record = db.session.scalar(select(TrustedPerson).where(TrustedPerson.victim_id == victim.id))
    assert record.status == "active" and record.person_id == helper.id
    html = client.get("/account/trusted-people").get_data(as_text=True)
    client.post(
        f"/account/trusted-people/{record.public_id}/revoke", data={"csrf_token": csrf_token(html)}
    )
    db.session.refresh(record)
    assert record.status == "revoked"


def test_only_the_invited_address_can_accept(client, app, mail_sink):
    victim = create_user()
    stranger = create_user()
    sign_in(client, victim)
    invite(client, email="someone.else@example.org")
    link = re.search(r"https?://\S+", mail_sink()[-1].get_content()).group(0).split("5000", 1)[1]
    other = app.test_client()
    sign_in(other, stranger)
    page = other.get(link).get_data(as_text=True)
    response = other.post(link, data={"csrf_token": csrf_token(page)})
    assert "sent to a different e-mail address" in response.get_data(as_text=True)


def test_another_victims_trusted_person_is_not_found(client, app, mail_sink):
    victim_a, victim_b = create_user(), create_user()
    sign_in(client, victim_a)
    invite(client)
    record = db.session.scalar(select(TrustedPerson).where(TrustedPerson.victim_id == victim_a.id))

    b = app.test_client()
    sign_in(b, victim_b)
    html = b.get("/account/trusted-people").get_data(as_text=True)
    assert "Alex" not in html  # B does not see A's people
    response = b.post(
        f"/account/trusted-people/{record.public_id}/revoke", data={"csrf_token": csrf_token(html)}
    )
    assert response.status_code == 404
    db.session.refresh(record)
    assert record.status == "invited"


def test_invitation_form_errors_keep_the_answers(client):
    sign_in(client, create_user())
    response = post_form(client, "/account/trusted-people", {"name": "Alex", "email": "nope"})
    html = response.get_data(as_text=True)
    assert "Enter an e-mail address in the correct format" in html
    assert "Choose at least one thing they may do" in html
    assert 'value="Alex"' in html and 'value="nope"' in html
