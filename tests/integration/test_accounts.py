"""Accounts end to end through the test client: sign-up, confirmation, sign-in, two-step
verification, password reset, sessions."""

from __future__ import annotations

import datetime as dt
import re
import time

import pyotp
import pytest
from sqlalchemy import select, text

from app.accounts.models import AuditEvent, Role, User, UserSession
from app.extensions import db
from tests.factories import PASSWORD, create_user, csrf_token, current_code, post_form, sign_in
from tests.pages import check_page

pytestmark = pytest.mark.usefixtures("app_context")


def link_in(message) -> str:
    body = message.get_content()
    return re.search(r"https?://\S+", body).group(0).split("5000", 1)[1]


def test_sign_up_confirm_and_sign_in(client, mail_sink):
    email = "new.person@example.org"
    response = post_form(client, "/account/sign-up", {"email": email, "password": PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/account/check-your-email")
    [message] = mail_sink()
    assert message["To"] == email
    assert "victim" not in message["Subject"].lower() and "crime" not in message["Subject"].lower()

    # Not confirmed yet: sign-in is refused with a clear message.
    response = post_form(client, "/account/sign-in", {"email": email, "password": PASSWORD})
    assert "Confirm your e-mail address first" in response.get_data(as_text=True)

    page = client.get(link_in(message))
    assert "Your e-mail address is confirmed" in page.get_data(as_text=True)
    response = post_form(client, "/account/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/account")
    dashboard = client.get("/account")
    assert dashboard.status_code == 200
    assert dashboard.headers["Cache-Control"] == "no-store"
    check_page(dashboard.data)


def test_sign_up_with_a_taken_address_looks_the_same_and_tells_the_owner(client, mail_sink):
    owner = create_user()
    # "Already has an account" waits for the holder's safe times: any time is safe here.
    owner.safe_days = "mon,tue,wed,thu,fri,sat,sun"
    owner.safe_from, owner.safe_to = "00:00", "24:00"
    db.session.commit()
    response = post_form(
        client, "/account/sign-up", {"email": owner.email.upper(), "password": PASSWORD}
    )
    assert response.location.endswith("/account/check-your-email")
    [message] = mail_sink()
    assert "already has one" in message.get_content()
    assert (
        db.session.scalar(
            select(db.func.count()).select_from(User).where(User.email == owner.email)
        )
        == 1
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 12 characters"),
        ("password1234", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
        ("new.person.two-xyz-123", "must not contain your e-mail address"),
    ],
)
def test_weak_passwords_are_refused_and_the_email_is_kept(client, password, message):
    response = post_form(
        client, "/account/sign-up", {"email": "new.person.two@example.org", "password": password}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'value="new.person.two@example.org"' in html
    assert password not in html  # never echo a password
    assert html.count("govuk-error-summary") >= 1
    assert "<title>Error:" in html


def test_sign_in_messages_do_not_reveal_whether_an_account_exists(client):
    user = create_user()
    wrong_password = post_form(
        client, "/account/sign-in", {"email": user.email, "password": "not my password"}
    )
    no_account = post_form(
        client, "/account/sign-in", {"email": "nobody@example.org", "password": "whatever it is"}
    )
    for response in (wrong_password, no_account):
        assert "The e-mail address or password is not right" in response.get_data(as_text=True)


def test_forgot_password_answer_is_the_same_for_unknown_addresses(client, mail_sink):
    user = create_user()
    known = post_form(client, "/account/forgot-password", {"email": user.email})
    unknown = post_form(client, "/account/forgot-password", {"email": "nobody@example.org"})
    assert known.location == unknown.location
    assert len(mail_sink()) == 1


def test_reset_link_works_once_and_ends_other_sessions(client, app, mail_sink):
    user = create_user()
    other_device = app.test_client()
    sign_in(other_device, user)
    assert other_device.get("/account").status_code == 200

    post_form(client, "/account/forgot-password", {"email": user.email})
    link = link_in(mail_sink()[-1])
    new_password = "a brand new long passphrase"
    response = post_form(client, link, {"password": new_password})
    assert response.status_code == 302
    assert other_device.get("/account").status_code == 302  # signed out everywhere

    again = client.get(link)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    assert sign_in(client, user, new_password).location.endswith("/account")


def test_expired_and_tampered_links_say_so(client, app, mail_sink, monkeypatch):
    user = create_user()
    post_form(client, "/account/forgot-password", {"email": user.email})
    link = link_in(mail_sink()[-1])
    tampered = client.get(link[:-3] + "xyz")
    assert tampered.status_code == 400 and "does not work" in tampered.get_data(as_text=True)
    from app.accounts import tokens

    monkeypatch.setattr(tokens, "RESET_MAX_AGE", -1)
    expired = client.get(link)
    assert expired.status_code == 400 and "has expired" in expired.get_data(as_text=True)
    assert "Get a new link" in expired.get_data(as_text=True)


def test_lockout_grows_after_repeated_failures(client):
    user = create_user()
    for _ in range(5):
        post_form(
            client, "/account/sign-in", {"email": user.email, "password": "wrong wrong wrong"}
        )
    db.session.refresh(user)
    assert user.failed_sign_ins == 5 and user.locked_until is not None
    # Even the right password is refused while locked.
    response = sign_in(client, user)
    assert "Too many tries" in response.get_data(as_text=True)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == user.id)
    ).all()
    assert actions.count("sign_in_failed") == 5 and "sign_in_locked" in actions


def test_session_is_rotated_at_sign_in(client):
    user = create_user()
    client.get("/account/sign-in")
    before = client.get_cookie("hub_session").value
    sign_in(client, user)
    after = client.get_cookie("hub_session").value
    assert before != after
    sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert len(sessions) == 1


def test_idle_and_absolute_timeouts(client, app):
    user = create_user()
    sign_in(client, user)
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    record.last_seen_at = record.last_seen_at - dt.timedelta(minutes=16)
    db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302 and "/account/sign-in" in response.location
    db.session.refresh(record)
    assert record.end_reason == "timeout"

    sign_in(client, user)
    record = db.session.scalar(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    )
    record.created_at = record.created_at - dt.timedelta(hours=13)
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_sign_out_and_sign_out_everywhere(client, app):
    user = create_user()
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, user)
    sign_in(laptop, user)
    page = phone.get("/account").get_data(as_text=True)
    phone.post("/account/sign-out-everywhere", data={"csrf_token": csrf_token(page)})
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302

    sign_in(phone, user)
    page = phone.get("/account").get_data(as_text=True)
    response = phone.post("/account/sign-out", data={"csrf_token": csrf_token(page)})
    assert response.location.endswith("/account/signed-out")
    assert phone.get_cookie("hub_session") is None


def test_totp_setup_and_sign_in_with_code_and_recovery_code(client):
    user = create_user()
    sign_in(client, user)
    page = client.get("/account/two-step").get_data(as_text=True)
    assert "<svg" in page  # inline QR code
    secret = re.search(r'<code class="app-secret"><bdi>([A-Z2-7]+)</bdi></code>', page).group(1)
    wrong = post_form(client, "/account/two-step", {"code": "000000"})
    assert "The code is not right" in wrong.get_data(as_text=True)
    set_up_at = time.time()
    set_up_code = pyotp.TOTP(secret).at(set_up_at)
    done = post_form(client, "/account/two-step", {"code": set_up_code})
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10

    fresh = client.application.test_client()
    response = sign_in(fresh, user)
    assert response.location.endswith("/account/sign-in/code")
    assert fresh.get("/account").status_code == 302  # not signed in before the code
    # The code used at set-up cannot be replayed; the phone's clock may run a step ahead...
    replayed = post_form(fresh, "/account/sign-in/code", {"code": set_up_code})
    assert "The code is not right" in replayed.get_data(as_text=True)
    next_step = pyotp.TOTP(secret).at(set_up_at + 30)
    response = post_form(fresh, "/account/sign-in/code", {"code": next_step})
    assert response.location.endswith("/account")

    # ...a recovery code works once.
    other = client.application.test_client()
    sign_in(other, user)
    assert post_form(other, "/account/sign-in/code", {"code": codes[0]}).location.endswith(
        "/account"
    )
    third = client.application.test_client()
    sign_in(third, user)
    reused = post_form(third, "/account/sign-in/code", {"code": codes[0]})
    assert "The code is not right" in reused.get_data(as_text=True)


def test_totp_drift_window_is_one_step_each_way(client, app):
    secret = pyotp.random_base32()
    user = create_user(totp_secret=secret)
    sign_in(client, user)
    late = post_form(client, "/account/sign-in/code", {"code": current_code(secret, -3)})
    assert "not right" in late.get_data(as_text=True)
    behind = post_form(client, "/account/sign-in/code", {"code": current_code(secret, -1)})
    assert behind.location.endswith("/account")


def test_staff_must_set_up_two_step_verification(client):
    navigator = create_user(role=Role.NAVIGATOR)
    response = sign_in(client, navigator)
    assert response.location.endswith("/account/two-step")
    assert client.get("/account").location.endswith("/account/two-step")


# The anonymous rights checker stores and changes nothing and sets no cookie (there is no token
# to check without one): a forged post only shows someone their own answers. Its own tests show
# it keeps nothing (tests/integration/test_rights_checker.py).
NO_STATE = {"/check-your-rights", "/check-your-rights/pdf"}


def test_every_post_without_a_valid_csrf_token_is_refused(client, app):
    user = create_user()
    for rule in app.url_map.iter_rules():
        if (
            "POST" not in rule.methods
            or "<" in rule.rule
            or rule.rule.startswith(("/api/", "/oauth/"))
            or rule.rule in NO_STATE
        ):
            continue  # the partner API authenticates with bearer tokens, not cookies
        assert client.post(rule.rule, data={"email": user.email}).status_code == 400, rule.rule
        bad = client.post(rule.rule, data={"csrf_token": "forged"})
        assert bad.status_code == 400, rule.rule


def test_audit_log_is_append_only(client):
    user = create_user()
    sign_in(client, user)
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE audit_event SET action = 'nothing'"))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM audit_event"))
        db.session.flush()
    db.session.rollback()


def test_the_audit_log_holds_no_secrets(client, mail_sink):
    user = create_user()
    sign_in(client, user, password="the wrong password here")
    post_form(client, "/account/forgot-password", {"email": user.email})
    link = link_in(mail_sink()[-1])
    details = " ".join(d or "" for d in db.session.scalars(select(AuditEvent.detail)))
    assert "the wrong password here" not in details
    assert link.rsplit("/", 1)[1] not in details  # the reset token
    assert '"password_hash"' not in details


@pytest.mark.parametrize(
    "next_url", ["/%09/evil.example", "//evil.example", "/%0a/evil", "/\\evil"]
)
def test_sign_in_never_redirects_off_the_site(client, next_url):
    user = create_user()
    response = post_form(
        client, f"/account/sign-in?next={next_url}", {"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.location.endswith("/account")


def test_change_password_needs_the_current_one_and_ends_other_sessions(client, app):
    user = create_user()
    other = app.test_client()
    sign_in(other, user)
    sign_in(client, user)
    new = "a completely different passphrase"
    wrong = post_form(
        client, "/account/change-password", {"current_password": "no", "password": new}
    )
    assert "Your current password is not right" in wrong.get_data(as_text=True)
    response = post_form(
        client, "/account/change-password", {"current_password": PASSWORD, "password": new}
    )
    assert response.location.endswith("/account?changed=1")
    assert client.get("/account").status_code == 200  # this session carries on
    assert other.get("/account").status_code == 302  # the other one has ended
    assert sign_in(app.test_client(), user, new).location.endswith("/account")


def test_a_background_request_after_timeout_leaves_the_ending_to_the_next_page_load(client):
    user = create_user()
    sign_in(client, user)
    page = client.get("/account").get_data(as_text=True)  # the page open when time runs out
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    record.last_seen_at = record.last_seen_at - dt.timedelta(minutes=16)
    db.session.commit()
    keep_alive = client.post("/account/keep-alive", data={"csrf_token": csrf_token(page)})
    assert keep_alive.status_code == 302 and "/account/sign-in" in keep_alive.location
    db.session.refresh(record)
    assert record.ended_at is None  # not yet: the page load that follows ends it
    client.get("/account/signed-out?reason=timeout")
    db.session.refresh(record)
    assert record.end_reason == "timeout"


def test_long_passphrases_are_welcome(client):
    passphrase = "correct horse battery staple " * 4  # 116 characters
    response = post_form(
        client, "/account/sign-up", {"email": "long.phrase@example.org", "password": passphrase}
    )
    assert response.location.endswith("/account/check-your-email")


def test_extra_posted_fields_are_ignored(client):
    user = create_user()
    sign_in(client, user)
    post_form(
        client,
        "/account/profile",
        {
            "preferred_name": "Sam",
            "language": "en",
            "contact_channel": "email",
            "safe_days": ["mon"],
            "safe_from": "09:00",
            "safe_to": "17:00",
            "may_name_hub": "no",
            "role": "admin",
            "email": "taken@example.org",
        },
    )
    db.session.refresh(user)
    assert user.role == Role.VICTIM and user.email != "taken@example.org"


def test_create_staff_prints_a_one_time_password_and_audits(app):
    result = app.test_cli_runner().invoke(
        args=["accounts", "create-staff", "new.staff@example.org", "--role", "navigator"]
    )
    assert result.exit_code == 0 and "One-time password:" in result.output
    staff = db.session.scalar(select(User).where(User.email == "new.staff@example.org"))
    assert staff.role == "navigator" and staff.email_confirmed_at is not None
    again = app.test_cli_runner().invoke(
        args=["accounts", "create-staff", "new.staff@example.org", "--role", "navigator"]
    )
    assert again.exit_code != 0


def test_password_reset_keeps_two_step_verification(client, app, mail_sink):
    secret = pyotp.random_base32()
    user = create_user(totp_secret=secret)
    post_form(client, "/account/forgot-password", {"email": user.email})
    post_form(client, link_in(mail_sink()[-1]), {"password": "a new and long passphrase"})
    response = sign_in(client, user, "a new and long passphrase")
    assert response.location.endswith("/account/sign-in/code")  # still asks for the code
