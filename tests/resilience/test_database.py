"""The database goes away in the middle of a batch of events: the agency's system gets a
retryable answer (503 with Retry-After), nothing of the batch is half-written, and the same
batch sent again is stored, once."""

from __future__ import annotations

import datetime as dt
import os
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
        token = client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(partner.client_id, secret),
        ).json["access_token"]
        return agency.id, token


def _new_case(client, token: str, prefix: str, crime_type: str) -> tuple[dict, str]:
    """A new case through the API: the agency's headers and the case's reference."""
    headers = {"Authorization": f"Bearer {token}"}
    reference = f"{prefix}-{uuid.uuid4().hex[:6]}"
    assert client.put(
        f"/api/v1/cases/{reference}",
        json={"crime_type": crime_type},
        headers=headers | {"Idempotency-Key": str(uuid.uuid4())},
    ).status_code in (200, 201)
    return headers, reference


def _stored_ids(app, agency: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Milestone.agency_event_id).where(Milestone.agency_id == agency)
            )
        )


def test_the_database_dropping_mid_batch_loses_nothing_and_doubles_nothing(
    app, client, agency_token, monkeypatch
):
    agency, token = agency_token
    headers, reference = _new_case(client, token, "R", "robbery")
    batch = {
        "events": [
            {
                "case": reference,
                "id": f"ev-{i}",
                "type": kind,
                "occurred_at": (NOW - dt.timedelta(hours=5 - i)).isoformat(),
            }
            for i, kind in enumerate(
                ["reported", "suspect_arrested", "suspect_interviewed", "charged"]
            )
        ]
    }
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

    # The engine hears of the batch's cases as a listener of theirs (app.cases.changes).
    listeners = [
        drop_the_connection_then_go_on if listener is original else listener
        for listener in app.extensions["case_listeners"]
    ]
    assert original in app.extensions["case_listeners"]
    monkeypatch.setitem(app.extensions, "case_listeners", listeners)
    key = str(uuid.uuid4())
    first = client.post(
        "/api/v1/events/batch", json=batch, headers=headers | {"Idempotency-Key": key}
    )
    assert dropped, "the fault was not injected"
    assert first.status_code == 503, first.get_data(as_text=True)
    assert first.headers["Retry-After"] == "2"
    with app.app_context():
        stored = db.session.scalar(
            select(func.count()).select_from(Milestone).where(Milestone.agency_id == agency)
        )
        assert stored == 0  # nothing half-written
        assert not db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.dedupe_key.like(f"%{reference}%"))
        )
    # The agency's system tries again, with the same key: everything is stored, once.
    again = client.post(
        "/api/v1/events/batch", json=batch, headers=headers | {"Idempotency-Key": key}
    )
    assert again.status_code in (200, 207), again.get_data(as_text=True)
    repeat = client.post(
        "/api/v1/events/batch", json=batch, headers=headers | {"Idempotency-Key": str(uuid.uuid4())}
    )
    assert repeat.status_code in (200, 207)
    assert sorted(_stored_ids(app, agency)) == ["ev-0", "ev-1", "ev-2", "ev-3"]
    admin.dispose()


def _cluster_on_5432() -> list[str] | None:
    """`pg_ctlcluster` arguments (version, name) of the local cluster on port 5432, if this user
    may restart it (root on Debian); None otherwise."""
    import shutil
    import subprocess

    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster") or not shutil.which("pg_lsclusters"):
        return None
    for line in subprocess.run(
        ["pg_lsclusters", "-h"], capture_output=True, text=True
    ).stdout.splitlines():
        version, name, port, status, *_rest = line.split()
        if port == "5432" and status == "online":
            return [version, name]
    return None


def test_a_real_restart_during_batches_loses_nothing_and_doubles_nothing(app, client, agency_token):
    """PostgreSQL itself restarted (pg_ctlcluster) while an agency sends batches; the agency's
    system retries what got a 503 with the same key, as the API documentation says to."""
    import subprocess
    import threading
    import time

    cluster = _cluster_on_5432()
    if cluster is None:
        pytest.skip("restarting PostgreSQL needs root and Debian's pg_ctlcluster on this machine")
    agency, token = agency_token
    headers, reference = _new_case(client, token, "RR", "burglary")
    # The charge whose duty the acknowledgements below discharge (one must name a duty the
    # journey is owed).
    assert client.post(
        f"/api/v1/cases/{reference}/events",
        json={"id": "rr-charged", "type": "charged", "occurred_at": NOW.isoformat()},
        headers=headers | {"Idempotency-Key": str(uuid.uuid4())},
    ).status_code in (200, 201)
    # The restart begins once batches are flowing, and batches keep coming until it is over
    # (at least 40 of them): the restart falls among them however long either takes.
    flowing = threading.Event()
    restart = threading.Thread(
        target=lambda: (
            flowing.wait(60),
            subprocess.run(["pg_ctlcluster", *cluster, "restart"], check=True, capture_output=True),
        )
    )
    restart.start()
    answers = []
    batches = 0
    give_up = time.monotonic() + 180
    while batches < 40 or restart.is_alive():
        assert time.monotonic() < give_up, "the batches did not end within three minutes"
        n = batches
        batch = {
            "events": [
                {
                    "case": reference,
                    "id": f"rr-{n}-{i}",
                    "occurred_at": NOW.isoformat(),
                    "type": "information_delivered",
                    "duty": "r6-charged",
                }
                for i in range(5)
            ]
        }
        key = str(uuid.uuid4())
        deadline = time.monotonic() + 60
        while True:
            response = client.post(
                "/api/v1/events/batch", json=batch, headers=headers | {"Idempotency-Key": key}
            )
            answers.append(response.status_code)
            if response.status_code in (200, 207):
                break
            assert response.status_code == 503, response.get_data(as_text=True)
            assert time.monotonic() < deadline, "PostgreSQL did not come back within a minute"
            time.sleep(0.5)
        batches += 1
        flowing.set()
    restart.join(timeout=60)
    assert 503 in answers, "the restart did not fall during the batches: nothing was tested"
    ids = [i for i in _stored_ids(app, agency) if i != "rr-charged"]
    assert len(ids) == len(set(ids)) == 5 * batches  # every event once, none twice
