"""Abuse of the account pages: rate limits on sign-in, sign-up, password reset and codes (they
trigger, and they reset); wrong second-factor codes counted and locked; and sign-up and
forgot-password that do the same work, and send the same neutral e-mails, whether or not an
address has an account."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter

import pyotp
import pytest
from flask_migrate import upgrade
from sqlalchemy import event, func, select

from app.accounts import service
from app.accounts.models import AuditEvent, Role
from app.accounts.service import LOCK_AFTER
from app.core.time import as_utc, utcnow
from app.extensions import db
from app.notify.models import CANCELLED, Notification
from tests.conftest import make_app
from tests.factories import PASSWORD, create_user, csrf_token, current_code, post_form, sign_in


@pytest.fixture()
def limited_app(database_url):
    app = make_app(database_url, RATELIMIT_ENABLED=True)
    with app.app_context():
        upgrade()
    return app


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/account/sign-in", {"email": "someone@example.org", "password": "not the password"}),
        ("/account/sign-up", {"email": "someone@example.org", "password": "short"}),
        ("/account/forgot-password", {"email": "not an address"}),
        ("/cy/account/sign-in", {"email": "someone@example.org", "password": "x"}),
    ],
)
def test_limit_triggers_and_resets(limited_app, monkeypatch, url, data):
    client = limited_app.test_client()
    token = csrf_token(client.get(url).get_data(as_text=True))
    statuses = [client.post(url, data={**data, "csrf_token": token}).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    page = client.post(url, data={**data, "csrf_token": token})
    assert "Too many attempts" in page.get_data(as_text=True) or url.startswith("/cy")
    assert page.headers.get("Retry-After")

    # A minute later the window has passed (the limiter's storage reads time.time()).
    real_time = time.time
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: real_time() + 61)
    assert client.post(url, data={**data, "csrf_token": token}).status_code == 200


def test_reading_is_never_rate_limited(limited_app):
    client = limited_app.test_client()
    assert all(client.get("/guidance/your-rights").status_code == 200 for _ in range(100))


def test_behind_a_proxy_each_visitor_has_their_own_limit(database_url):
    app = make_app(database_url, RATELIMIT_ENABLED=True, PROXY_COUNT=1)
    with app.app_context():
        upgrade()
    url, data = "/account/forgot-password", {"email": "not an address"}

    def post_from(client, address):
        token = csrf_token(
            client.get(url, headers={"X-Forwarded-For": address}).get_data(as_text=True)
        )
        return client.post(
            url, data={**data, "csrf_token": token}, headers={"X-Forwarded-For": address}
        )

    first, second = app.test_client(), app.test_client()
    assert [post_from(first, "203.0.113.1").status_code for _ in range(11)][-1] == 429
    assert post_from(second, "203.0.113.2").status_code == 200


def test_rate_limit_breaches_do_not_log_ip_addresses(limited_app, caplog):
    client = limited_app.test_client()
    url = "/account/forgot-password"
    token = csrf_token(client.get(url).get_data(as_text=True))
    with caplog.at_level("DEBUG"):
        for _ in range(12):
            client.post(url, data={"email": "x", "csrf_token": token})
    assert not [r for r in caplog.records if "127.0.0.1" in r.getMessage()]


# Second-factor codes: counted, locked, the pending sign-in dropped ---------------------------

CODE_PAGE = "/account/sign-in/code"
ALL_WEEK = {"safe_days": "mon,tue,wed,thu,fri,sat,sun", "safe_from": "00:00", "safe_to": "24:00"}


def wrong_code(secret: str) -> str:
    valid = {current_code(secret, offset) for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def post_code(client, code: str):
    # The token from the sign-in page: the code page sends a dropped sign-in there.
    return post_form(client, CODE_PAGE, {"code": code}, get_url="/account/sign-in")


def signed_in_to(client) -> bool:
    return client.get("/account").status_code == 200


def test_wrong_codes_lock_the_second_factor_and_end_the_pending_sign_in(client, app_context):
    secret = pyotp.random_base32()
    user = create_user(role=Role.NAVIGATOR, totp_secret=secret)
    # The finding: 18 wrong codes over two pending sign-ins, then the right one, signed in.
    for _ in range(2):
        sign_in(client, user)
        for _ in range(9):
            post_code(client, wrong_code(secret))
    sign_in(client, user)
    post_code(client, current_code(secret))
    assert not signed_in_to(client)
    db.session.refresh(user)
    assert user.failed_second_factors == LOCK_AFTER
    assert user.second_factor_locked_until is not None


def test_the_fifth_wrong_code_sends_the_person_back_to_the_password(client, app_context):
    secret = pyotp.random_base32()
    user = create_user(totp_secret=secret)
    assert sign_in(client, user).location.endswith(CODE_PAGE)
    for _ in range(LOCK_AFTER - 1):
        page = post_form(client, CODE_PAGE, {"code": wrong_code(secret)})
        assert "The code is not right" in page.get_data(as_text=True)
    fifth = post_form(client, CODE_PAGE, {"code": wrong_code(secret)})
    assert fifth.location.endswith("/account/sign-in?reason=codes-locked")
    assert "Too many wrong codes" in client.get(fifth.location).get_data(as_text=True)
    # The pending sign-in is gone, and the right password does not start another while locked.
    assert "reason=expired" in client.get(CODE_PAGE).location
    again = sign_in(client, user)
    assert again.status_code == 200 and "Too many wrong codes" in again.get_data(as_text=True)
    # A password reset proves the e-mail address, not the second factor: the lock stays.
    service.reset_password(user, "a completely new passphrase")
    db.session.refresh(user)
    assert service.is_locked(user.second_factor_locked_until, utcnow())
    assert [
        json.loads(detail)["failures"]
        for detail in db.session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.subject_id == user.id, AuditEvent.action == "mfa_failed"
            )
        )
    ] == [1, 2, 3, 4, 5]

    # Once the lock has passed, each wrong code locks again, for twice as long.
    user.second_factor_locked_until = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    sign_in(client, user, "a completely new passphrase")
    sixth = post_form(client, CODE_PAGE, {"code": wrong_code(secret)})
    assert sixth.location.endswith("reason=codes-locked")
    db.session.refresh(user)
    left = as_utc(user.second_factor_locked_until) - utcnow()
    assert dt.timedelta(minutes=1, seconds=50) < left <= dt.timedelta(minutes=2)

    # And the right code, once allowed, signs in and clears the count.
    user.second_factor_locked_until = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    sign_in(client, user, "a completely new passphrase")
    post_form(client, CODE_PAGE, {"code": current_code(secret)})
    assert signed_in_to(client)
    db.session.refresh(user)
    assert user.failed_second_factors == 0 and user.second_factor_locked_until is None


@pytest.mark.parametrize("with_totp", [True, False])
def test_confirm_it_is_you_counts_wrong_answers_and_ends_the_session(
    client, app_context, with_totp
):
    secret = pyotp.random_base32() if with_totp else None
    user = create_user(totp_secret=secret)
    sign_in(client, user, totp_secret=secret)
    assert signed_in_to(client)
    url = "/account/confirm-it-is-you"
    wrong = wrong_code(secret) if secret else "not my password at all"
    for _ in range(LOCK_AFTER - 1):
        page = post_form(client, url, {"secret": wrong})
        assert "That is not right" in page.get_data(as_text=True)
    fifth = post_form(client, url, {"secret": wrong})
    assert fifth.status_code == 302 and "/account/sign-in?reason=" in fifth.location
    assert not signed_in_to(client)  # whoever held the session starts again from the password
    db.session.refresh(user)
    if with_totp:
        assert user.failed_second_factors == LOCK_AFTER and user.second_factor_locked_until
    else:
        assert user.failed_sign_ins == LOCK_AFTER and user.locked_until
    assert db.session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.subject_id == user.id, AuditEvent.action == "reauth_locked"
        )
    )


# No account oracle: the same work, the same messages, whether or not an address has one -------


@pytest.fixture()
def work(monkeypatch, app):
    """Counts what a request does: Argon2 hashes and checks, rows queued in the outbox, audit
    rows, SQL statements, and e-mails sent while the request runs (there should be none)."""
    from app.accounts import contact, passwords
    from app.notify import email

    counts: Counter = Counter()

    def counting(name, real):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)

        return wrapper

    for name in ("hash_password", "verify_password", "burn_time"):
        monkeypatch.setattr(passwords, name, counting(name, getattr(passwords, name)))
    for module in (email, contact):
        monkeypatch.setattr(module, "send_email", counting("send_email", email.send_email))

    def statement(*_args):
        counts["statements"] += 1

    def measure(request) -> tuple[Counter, str]:
        counts.clear()
        before = (_count(Notification), _count(AuditEvent))
        event.listen(db.engine, "before_cursor_execute", statement)
        try:
            response = request()
        finally:
            event.remove(db.engine, "before_cursor_execute", statement)
        counts["outbox"] = _count(Notification) - before[0]
        counts["audit"] = _count(AuditEvent) - before[1]
        return Counter(counts), response.location

    return measure


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_forgot_password_does_the_same_work_for_known_and_unknown_addresses(
    client, app_context, work, mail_sink
):
    user = create_user()
    url = "/account/forgot-password"
    token = csrf_token(client.get(url).get_data(as_text=True))

    def ask(address):
        return lambda: client.post(url, data={"email": address, "csrf_token": token})

    known, known_to = work(ask(user.email))
    unknown, unknown_to = work(ask("nobody-at-all@example.org"))
    assert known == unknown and known_to == unknown_to
    assert known["outbox"] == 1 and known["audit"] == 1 and known["send_email"] == 0
    # The worker sends the known address its link, and nothing to the unknown one.
    assert [m["To"] for m in mail_sink()] == [user.email]


def test_sign_up_does_the_same_work_for_taken_and_new_addresses(
    client, app_context, work, mail_sink
):
    owner = create_user()
    url = "/account/sign-up"
    token = csrf_token(client.get(url).get_data(as_text=True))

    def ask(address):
        return lambda: client.post(
            url, data={"email": address, "password": PASSWORD, "csrf_token": token}
        )

    taken, taken_to = work(ask(owner.email))
    new, new_to = work(ask("brand.new.person@example.org"))
    assert taken_to == new_to
    for counted in ("hash_password", "verify_password", "burn_time", "outbox", "audit"):
        assert taken[counted] == new[counted], counted
    assert taken["hash_password"] == 1 and taken["send_email"] == new["send_email"] == 0


@pytest.mark.parametrize("may_name_hub", [False, True])
def test_account_emails_follow_the_naming_choice(client, app, app_context, mail_sink, may_name_hub):
    user = create_user()
    for key, value in {**ALL_WEEK, "may_name_hub": may_name_hub}.items():
        setattr(user, key, value)
    db.session.commit()
    post_form(client, "/account/forgot-password", {"email": user.email})
    post_form(client, "/account/sign-up", {"email": user.email, "password": PASSWORD})
    messages = mail_sink()
    assert len(messages) == 2
    subjects = {m["Subject"] for m in messages}
    senders = {m["From"] for m in messages}
    if may_name_hub:
        assert subjects == {"Reset your Victim Care Hub password", "Your Victim Care Hub account"}
        assert senders == {app.config["MAIL_FROM"]}
    else:
        assert subjects == {"Reset your password", "Your account"}
        assert senders == {app.config["MAIL_FROM_NEUTRAL"]}
        for message in messages:
            assert "Victim Care Hub" not in message.as_string()


def test_already_has_an_account_is_sent_at_most_once_a_day(
    client, app_context, mail_sink, monkeypatch
):
    owner = create_user()
    for key, value in ALL_WEEK.items():
        setattr(owner, key, value)
    db.session.commit()
    yesterday = utcnow() - dt.timedelta(days=1)
    with monkeypatch.context() as patched:
        patched.setattr(service, "utcnow", lambda: yesterday)
        for _ in range(3):
            post_form(client, "/account/sign-up", {"email": owner.email, "password": PASSWORD})
    assert len(mail_sink()) == 1
    for _ in range(2):
        post_form(client, "/account/sign-up", {"email": owner.email, "password": PASSWORD})
    assert len(mail_sink()) == 2
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == owner.id)
    ).all()
    assert actions.count("sign_up_existing") == 5  # every attempt is still audited


def test_already_has_an_account_waits_for_safe_times_and_respects_no_messages(
    client, app_context, mail_sink
):
    owner = create_user()
    owner.contact_channel = "none"
    db.session.commit()
    post_form(client, "/account/sign-up", {"email": owner.email, "password": PASSWORD})
    assert mail_sink() == []
    [status] = db.session.scalars(
        select(Notification.status).where(Notification.user_id == owner.id)
    ).all()
    assert status == CANCELLED
