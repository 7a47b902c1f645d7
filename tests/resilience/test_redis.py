"""Redis (rate-limit counters and the worker's queue) is down: guidance and sign-in are still
served, limits fall back to each process's memory and say so in the log, and an agency's event is
still stored, its messages waiting in the outbox for the sweep."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from app.extensions import db
from app.notify.models import Notification
from tests.conftest import make_app
from tests.factories import (
    create_agency,
    create_linked_case,
    create_partner_client,
    create_user,
    post_form,
    sign_in,
)

NOWHERE = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


@pytest.fixture()
def app_without_redis(database_url, monkeypatch):
    from huey import RedisHuey

    from app.extensions import limiter
    from app.notify import worker

    # One app per process in production; here the limiter and the queue are shared by every
    # test's app, so point them at the dead Redis for this test only.
    monkeypatch.setattr(limiter, "_storage_dead", False)
    monkeypatch.setattr(worker.huey, "storage", RedisHuey("down", url=NOWHERE).storage)
    app = make_app(
        database_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=NOWHERE,
        REDIS_URL=NOWHERE,
        NOTIFY_ENQUEUE=True,
    )
    with app.app_context():
        upgrade()
    return app


def test_guidance_and_sign_in_are_served_and_the_fallback_is_logged(app_without_redis, caplog):
    client = app_without_redis.test_client()
    caplog.set_level(logging.WARNING)
    assert client.get("/guidance/your-rights").status_code == 200
    assert client.get("/ar/guidance/your-rights").status_code == 200
    page = client.get("/account/sign-in")
    assert page.status_code == 200
    with app_without_redis.app_context():
        user = create_user()
        email = user.email
        db.session.expunge(user)
    wrong = post_form(client, "/account/sign-in", {"email": email, "password": "not it"})
    assert wrong.status_code in (200, 400, 401)  # the form again, with its error: not a 500
    signed_in = sign_in(client, user)
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[-3000:]
    assert any(
        "storage" in r.getMessage().lower() or "redis" in r.getMessage().lower()
        for r in caplog.records
    ), [r.getMessage() for r in caplog.records]


def test_an_event_is_stored_and_its_message_waits_for_the_sweep(app_without_redis, caplog):
    client = app_without_redis.test_client()
    caplog.set_level(logging.WARNING)
    with app_without_redis.app_context():
        agency = create_agency()
        partner, secret = create_partner_client(agency=agency)
        victim = create_user()
        case, _link = create_linked_case(user=victim, agency=agency)
        reference, victim_id = case.reference, victim.id
        client_id = partner.client_id
    token = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    ).json["access_token"]
    when = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    response = client.post(
        f"/api/v1/cases/{reference}/events",
        json={"id": f"r-{uuid.uuid4().hex[:6]}", "type": "charged", "occurred_at": when},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert any("worker" in r.getMessage() for r in caplog.records)
    with app_without_redis.app_context():
        waiting = db.session.scalars(
            select(Notification.status).where(Notification.user_id == victim_id)
        ).all()
        assert waiting == ["pending"]  # the minute sweep sends it once Redis is back
