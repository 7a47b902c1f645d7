"""Rate limits on sign-in, sign-up, password reset and codes: they trigger, and they reset."""

from __future__ import annotations

import time

import pytest
from flask_migrate import upgrade

from tests.conftest import make_app
from tests.factories import csrf_token


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
