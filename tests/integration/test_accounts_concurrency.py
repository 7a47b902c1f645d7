"""Accounts under concurrent requests: one TOTP code signs in once, every wrong password counts,
and two sign-ups racing for one address both get the ordinary answer. Each race is made certain,
not left to luck: a barrier holds every request at the point where, before the fix, all of them
had read the row and none had written it yet."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

import pyotp
import pytest
from sqlalchemy import func, select

from app.accounts import passwords, service, totp
from app.accounts.models import User, UserSession
from app.accounts.service import ACCOUNT_EXISTS, CONFIRM_EMAIL
from app.core.time import as_utc, utcnow
from app.extensions import db
from app.notify.models import Notification
from tests.factories import PASSWORD, create_user, csrf_token, current_code, sign_in

pytestmark = pytest.mark.usefixtures("app_context")


def held_at(monkeypatch, module, name: str, parties: int) -> None:
    """Each call of module.name runs, then waits until `parties` calls have run."""
    real = getattr(module, name)
    barrier = threading.Barrier(parties, timeout=30)

    def wrapper(*args, **kwargs):
        result = real(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(module, name, wrapper)


def at_once(app, requests: list[Callable]) -> list:
    """Run each request in its own thread, with its own app context (and database session)."""
    results: list = [None] * len(requests)

    def run(index, request):
        with app.app_context():
            try:
                results[index] = request()
            except Exception as exc:  # the test client re-raises what the app did not handle
                results[index] = exc

    threads = [threading.Thread(target=run, args=item) for item in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def poster(client, url: str, data: dict, token_from: str | None = None) -> Callable:
    token = csrf_token(client.get(token_from or url).get_data(as_text=True))
    return lambda: client.post(url, data={**data, "csrf_token": token})


def test_one_totp_code_submitted_twice_at_once_signs_in_once(app, monkeypatch):
    secret = pyotp.random_base32()
    user = create_user(totp_secret=secret)
    browsers = [app.test_client(), app.test_client()]
    for browser in browsers:
        assert sign_in(browser, user).location.endswith("/account/sign-in/code")
    code = current_code(secret)
    posts = [poster(b, "/account/sign-in/code", {"code": code}) for b in browsers]
    held_at(monkeypatch, totp, "verify", parties=2)

    responses = at_once(app, posts)

    assert sorted(r.location.rsplit("/", 1)[-1] for r in responses if r.status_code == 302) == [
        "account"
    ]
    assert [r.status_code for r in responses].count(200) == 1  # "The code is not right"
    sessions = select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    assert db.session.scalar(sessions) == 1


def test_a_recovery_code_submitted_twice_at_once_signs_in_once(app, monkeypatch):
    secret = pyotp.random_base32()
    user = create_user(totp_secret=secret)
    recovery = totp.new_recovery_codes()[0]
    from app.accounts.models import RecoveryCode

    user.recovery_codes = [
        RecoveryCode(code_hash=passwords.hash_password(totp.normalise_recovery_code(recovery)))
    ]
    db.session.commit()
    browsers = [app.test_client(), app.test_client()]
    for browser in browsers:
        sign_in(browser, user)
    posts = [poster(b, "/account/sign-in/code", {"code": recovery}) for b in browsers]
    held_at(monkeypatch, passwords, "verify_password", parties=2)

    responses = at_once(app, posts)

    assert [r.status_code for r in responses].count(302) == 1
    sessions = select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    assert db.session.scalar(sessions) == 1


def test_concurrent_wrong_passwords_all_count_and_lock(app, monkeypatch):
    user = create_user()
    tries = 8
    browsers = [app.test_client() for _ in range(tries)]
    posts = [
        poster(b, "/account/sign-in", {"email": user.email, "password": "not the password!"})
        for b in browsers
    ]
    held_at(monkeypatch, passwords, "verify_password", parties=tries)
    started = utcnow()

    responses = at_once(app, posts)

    assert [r.status_code for r in responses] == [200] * tries
    db.session.expire_all()
    user = db.session.get_one(User, user.id)
    assert user.failed_sign_ins == tries
    # The lock is the one the 8th failure earns (8 minutes), whichever request wrote last.
    assert as_utc(user.locked_until) >= started + service.lock_for(tries)
    assert as_utc(user.locked_until) <= utcnow() + dt.timedelta(minutes=8)


def test_concurrent_wrong_codes_all_count(app, monkeypatch):
    secret = pyotp.random_base32()
    user = create_user(totp_secret=secret)
    tries = 4
    browsers = [app.test_client() for _ in range(tries)]
    for browser in browsers:
        sign_in(browser, user)
    valid = {current_code(secret, offset) for offset in (-1, 0, 1)}
    wrong = next(c for c in ("000000", "111111", "222222") if c not in valid)
    posts = [poster(b, "/account/sign-in/code", {"code": wrong}) for b in browsers]
    held_at(monkeypatch, totp, "verify", parties=tries)

    at_once(app, posts)

    db.session.expire_all()
    assert db.session.get_one(User, user.id).failed_second_factors == tries


def test_a_double_submitted_sign_up_is_answered_as_an_existing_address(app, monkeypatch, caplog):
    email = "double.click@example.org"
    browsers = [app.test_client(), app.test_client()]
    posts = [
        poster(b, "/account/sign-up", {"email": email, "password": PASSWORD}) for b in browsers
    ]
    held_at(monkeypatch, passwords, "hash_password", parties=2)

    with caplog.at_level(logging.WARNING):
        responses = at_once(app, posts)

    assert [getattr(r, "location", r) for r in responses] == ["/account/check-your-email"] * 2
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == email)) == 1
    user = db.session.scalar(select(User).where(User.email == email))
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == user.id)
    ).all()
    assert sorted(kinds) == sorted([CONFIRM_EMAIL, ACCOUNT_EXISTS])
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert email not in logged and "argon2" not in logged
