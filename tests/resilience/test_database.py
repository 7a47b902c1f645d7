"""The database goes away in the middle of a batch of events: the agency's system gets a
retryable answer (503 with Retry-After), nothing of the batch is half-written, and the same
batch sent again is stored, once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text

from app.cases.models import Milestone
from app.entitlements import service as entitlements
from app.extensions import db
from app.notify.models import Notification
from tests.conftest import POSTGRES_URL
from tests.factories import create_agency, create_partner_client

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture()
def app(postgres_app):
    return postgres_app


@pytest.fixture()
def client(postgres_app):
    return postgres_app.test_client()


@pytest.fixture()
def agency_token(app, client):
    with app.app_context():
        agency = create_agency()
        partner, secret = create_partner_client(agency=agency)
        token = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                            auth=(partner.client_id, secret)).json["access_token"]  # fmt: skip
        return agency.id, token


def test_the_database_dropping_mid_batch_loses_nothing_and_doubles_nothing(
    app, client, agency_token, monkeypatch
):
    agency, token = agency_token
    headers = {"Authorization": f"Bearer {token}"}
    reference = f"R-{uuid.uuid4().hex[:6]}"
    assert client.put(f"/api/v1/cases/{reference}", json={"crime_type": "robbery"},
                      headers=headers | {"Idempotency-Key": str(uuid.uuid4())}).status_code in (
        200, 201)  # fmt: skip
    batch = {"events": [{"case": reference, "id": f"ev-{i}", "type": kind,
                         "occurred_at": (NOW - dt.timedelta(hours=5 - i)).isoformat()}
                        for i, kind in enumerate(["reported", "suspect_arrested",
                                                  "suspect_interviewed", "charged"])]}  # fmt: skip
    admin = create_engine(POSTGRES_URL)
    original = entitlements.evaluate_cases
    dropped = []

    def drop_the_connection_then_go_on(*args, **kwargs):
        # Half-way through the batch's transaction (the events and messages are written, the
        # entitlements not yet), the server ends this connection, as a restart would.
        if not dropped:
            pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with admin.begin() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            dropped.append(pid)
        return original(*args, **kwargs)

    monkeypatch.setattr("app.cases.service.evaluate_cases", drop_the_connection_then_go_on)
    key = str(uuid.uuid4())
    first = client.post(
        "/api/v1/events/batch", json=batch, headers=headers | {"Idempotency-Key": key}
    )
    assert dropped, "the fault was not injected"
    assert first.status_code == 503, first.get_data(as_text=True)
    assert first.headers["Retry-After"] == "2"
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Milestone).where(
            Milestone.agency_id == agency))  # fmt: skip
        assert stored == 0  # nothing half-written
        assert not db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.dedupe_key.like(f"%{reference}%")))  # fmt: skip
    # The agency's system tries again, with the same key: everything is stored, once.
    again = client.post(
        "/api/v1/events/batch", json=batch, headers=headers | {"Idempotency-Key": key}
    )
    assert again.status_code in (200, 207), again.get_data(as_text=True)
    repeat = client.post("/api/v1/events/batch", json=batch,
                         headers=headers | {"Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
    assert repeat.status_code in (200, 207)
    with app.app_context():
        ids = db.session.scalars(select(Milestone.agency_event_id).where(
            Milestone.agency_id == agency)).all()  # fmt: skip
        assert sorted(ids) == ["ev-0", "ev-1", "ev-2", "ev-3"]
    admin.dispose()
