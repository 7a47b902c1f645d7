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
