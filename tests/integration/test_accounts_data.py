"""Profile validation, my data, deletion with cooling-off, and the purge command."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from app.accounts import mydata
from app.accounts.models import AuditEvent, Role, User
from app.extensions import db
from tests.factories import PASSWORD, create_user, post_form, sign_in

pytestmark = pytest.mark.usefixtures("app_context")

PROFILE = {
    "preferred_name": "Sam",
    "language": "cy",
    "contact_channel": "sms",
    "phone": "07700 900 982",
    "safe_days": ["mon", "wed"],
    "safe_from": "10:00",
    "safe_to": "15:00",
    "may_name_hub": "no",
}


def test_profile_is_saved(client):
    user = create_user()
    sign_in(client, user)
    response = post_form(client, "/account/profile", PROFILE)
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.preferred_name, user.language, user.contact_channel) == ("Sam", "cy", "sms")
    assert user.safe_days == "mon,wed" and (user.safe_from, user.safe_to) == ("10:00", "15:00")
    assert user.may_name_hub is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phone": ""}, "Enter a mobile phone number for text messages"),
        ({"phone": "020 7946 0000"}, "Enter a UK mobile phone number"),
        ({"safe_to": "09:00"}, "The end of the safe time must be after its start"),
        ({"safe_days": []}, "Choose at least one day"),
        ({"contact_channel": "pigeon"}, "Not a valid choice"),
    ],
)
def test_profile_errors_keep_what_was_typed(client, change, message):
    user = create_user()
    sign_in(client, user)
    response = post_form(client, "/account/profile", {**PROFILE, **change})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert 'value="Sam"' in html  # nothing already entered is lost


def test_my_data_asks_for_the_password_again_then_exports(client):
    user = create_user()
    sign_in(client, user)
    assert "/account/confirm-it-is-you" in client.get("/account/my-data").location
    wrong = post_form(
        client, "/account/confirm-it-is-you?next=/account/my-data", {"secret": "nope"}
    )
    assert "That is not right" in wrong.get_data(as_text=True)
    ok = post_form(client, "/account/confirm-it-is-you?next=/account/my-data", {"secret": PASSWORD})
    assert ok.location.endswith("/account/my-data")
    data = json.loads(client.get("/account/my-data/download.json").get_data(as_text=True))
    assert data["account"]["email"] == user.email
    text = json.dumps(data)
    assert "argon2" not in text and user.password_hash not in text
    pdf = client.get("/account/my-data/download.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_confirm_identity_never_redirects_off_site(client):
    user = create_user()
    sign_in(client, user)
    response = post_form(
        client, "/account/confirm-it-is-you?next=//evil.example/", {"secret": PASSWORD}
    )
    assert response.location.endswith("/account/my-data")


def test_staff_reads_appear_in_the_victims_access_log(client):
    victim = create_user()
    navigator = create_user(role=Role.NAVIGATOR)
    from app.accounts import audit

    audit.record("record_viewed", actor=navigator, subject=victim)
    db.session.commit()
    assert [e.action for e in mydata.staff_access_log(victim)] == ["record_viewed"]


def test_deletion_has_a_cooling_off_period_and_can_be_cancelled(client, app):
    user = create_user()
    sign_in(client, user)
    post_form(client, "/account/confirm-it-is-you", {"secret": PASSWORD})
    page = client.get("/account/delete").get_data(as_text=True)
    assert "agencies keep their own records" in page
    post_form(client, "/account/delete", {"confirm": "yes"})
    db.session.refresh(user)
    assert user.deletion_requested_at is not None
    assert mydata.purge_due() == 0  # still cooling off

    post_form(client, "/account/delete/cancel", {}, get_url="/account/my-data")
    db.session.refresh(user)
    assert user.deletion_requested_at is None


def test_purge_deletes_after_the_cooling_off_period_and_keeps_an_audit_record(app):
    user = create_user()
    user_id = user.id
    mydata.request_deletion(user)
    later = dt.datetime.now(dt.UTC) + mydata.COOLING_OFF + dt.timedelta(minutes=1)
    assert mydata.purge_due(now=later) == 1
    assert db.session.get(User, user_id) is None
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == user_id))
    assert "account_deleted" in list(events)
    result = app.test_cli_runner().invoke(args=["accounts", "purge"])
    assert result.exit_code == 0 and "0 accounts deleted" in result.output


def test_admin_sees_the_audit_log_and_others_do_not(client, app):
    import pyotp

    secret = pyotp.random_base32()
    admin = create_user(role=Role.ADMIN, totp_secret=secret)
    sign_in(client, admin, totp_secret=secret)
    html = client.get("/admin/audit?action=sign_in").get_data(as_text=True)
    assert "sign_in" in html and "Audit log" in html
