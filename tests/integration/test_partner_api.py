"""The partner API: tokens, scopes, agency isolation, idempotency, validation, ordering, batches
and concurrent duplicates."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from sqlalchemy import func, select

from app.cases.models import Milestone
from app.extensions import db
from tests.factories import DEFAULT_PARTNER_SCOPE, create_agency, create_partner_client

pytestmark = pytest.mark.usefixtures("app_context")

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
CASE = {
    "crime_type": "burglary",
    "offence_category": "other",
    "enhanced": False,
    "incident_date": "2026-11-01",
}


def token_for(client, partner, secret, scope=None):
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    response = client.post("/oauth/token", data=data, auth=(partner.client_id, secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["access_token"]


@pytest.fixture()
def agency_client(client):
    agency = create_agency()
    partner, secret = create_partner_client(agency=agency)
    token = token_for(client, partner, secret)

    def call(method, url, json=None, key=None, token_override=None):
        headers = {"Authorization": f"Bearer {token_override or token}"}
        if method != "GET":
            headers["Idempotency-Key"] = key or str(uuid.uuid4())
        return client.open(url, method=method, json=json, headers=headers)

    call.agency = agency
    call.authorization = f"Bearer {token}"
    return call


def event(event_id, kind="charged", when=NOW, **extra):
    return {"id": event_id, "type": kind, "occurred_at": when.isoformat(), **extra}


def test_token_flow(client):
    partner, secret = create_partner_client(agency=create_agency())
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner.client_id, secret)
    )
    body = response.json
    assert body["token_type"].lower() == "bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == set(DEFAULT_PARTNER_SCOPE.split())
    wrong = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner.client_id, "no")
    )
    assert wrong.status_code == 401 and wrong.json["error"] == "invalid_client"
    other = client.post(
        "/oauth/token", data={"grant_type": "password"}, auth=(partner.client_id, secret)
    )
    assert other.status_code == 400


def test_without_a_token_or_with_a_bad_one(client):
    assert client.get("/api/v1/cases/ABC").status_code == 401
    bad = client.get("/api/v1/cases/ABC", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json["error"]


def test_create_case_send_events_out_of_order_and_read_the_timeline(agency_client):
    assert agency_client("PUT", "/api/v1/cases/MET-001", CASE).status_code == 201
    assert (
        agency_client("PUT", "/api/v1/cases/MET-001", CASE | {"enhanced": True}).status_code == 200
    )
    later = event("e2", "charged", NOW - dt.timedelta(days=1))
    earlier = event("e1", "suspect_arrested", NOW - dt.timedelta(days=5))
    assert agency_client("POST", "/api/v1/cases/MET-001/events", later).status_code == 201
    assert agency_client("POST", "/api/v1/cases/MET-001/events", earlier).status_code == 201
    body = agency_client("GET", "/api/v1/cases/MET-001").json
    assert body["enhanced"] is True
    assert [m["id"] for m in body["timeline"]] == ["e2", "e1"]  # newest first, by when it happened


def test_scopes_are_enforced(client):
    agency = create_agency()
    partner, secret = create_partner_client(agency=agency, scope="cases:write")
    token = token_for(client, partner, secret)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k1"}
    client.put("/api/v1/cases/S-1", json=CASE, headers=headers)
    response = client.post(
        "/api/v1/cases/S-1/events", json=event("x"), headers=headers | {"Idempotency-Key": "k2"}
    )
    assert response.status_code == 403 and response.json["error"] == "insufficient_scope"


def test_an_agency_sees_only_its_own_cases(client, agency_client):
    agency_client("PUT", "/api/v1/cases/MINE-1", CASE)
    other = create_agency(name="City of London Police")
    partner, secret = create_partner_client(agency=other)
    token = token_for(client, partner, secret)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "other-1"}
    assert client.get("/api/v1/cases/MINE-1", headers=headers).status_code == 404
    posted = client.post("/api/v1/cases/MINE-1/events", json=event("o1"), headers=headers)
    assert posted.status_code == 404 and posted.json["error"] == "not_found"


def test_idempotent_repeats(agency_client):
    agency_client("PUT", "/api/v1/cases/IDEM-1", CASE)
    first = agency_client("POST", "/api/v1/cases/IDEM-1/events", event("i1"), key="same")
    again = agency_client("POST", "/api/v1/cases/IDEM-1/events", event("i1"), key="same")
    assert first.status_code == again.status_code == 201 and first.json == again.json
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = agency_client("POST", "/api/v1/cases/IDEM-1/events", event("i2"), key="same")
    assert changed.status_code == 422 and changed.json["error"] == "idempotency_key_reused"
    # The same event under a new key is still stored once.
    other_key = agency_client("POST", "/api/v1/cases/IDEM-1/events", event("i1"))
    assert other_key.status_code == 200
    count = db.session.scalar(
        select(func.count()).select_from(Milestone).where(Milestone.agency_event_id == "i1")
    )
    assert count == 1


def test_writes_need_an_idempotency_key(client, agency_client):
    response = client.put(
        "/api/v1/cases/K-1", json=CASE, headers={"Authorization": agency_client.authorization}
    )
    assert response.status_code == 400 and response.json["error"] == "idempotency_key_required"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (event("v1", kind="teleported"), "type"),
        (event("v2", when=NOW + dt.timedelta(days=3)), "occurred_at"),
        ({"id": "v3", "type": "charged", "occurred_at": "2026-11-20T10:00:00"}, "occurred_at"),
        ({"type": "charged", "occurred_at": NOW.isoformat()}, "id"),
    ],
)
def test_bad_events_are_refused_with_the_field_named_and_nothing_written(
    agency_client, payload, field
):
    agency_client("PUT", "/api/v1/cases/BAD-1", CASE)
    response = agency_client("POST", "/api/v1/cases/BAD-1/events", payload)
    assert response.status_code == 422 and field in response.json["detail"]
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Milestone)
            .where(Milestone.agency_event_id == payload.get("id", ""))
        )
        == 0
    )


def test_not_json_and_oversized_bodies(client, agency_client):
    auth = {"Authorization": agency_client.authorization}
    not_json = client.put(
        "/api/v1/cases/J-1", data="hello", headers=auth | {"Idempotency-Key": "j"}
    )
    assert not_json.status_code == 422 and "_body" in not_json.json["detail"]
    huge = client.put(
        "/api/v1/cases/J-1",
        data="x" * (2 * 1024 * 1024),
        headers=auth | {"Idempotency-Key": "h", "Content-Type": "application/json"},
    )
    assert huge.status_code == 413 and huge.json["error"]


def test_a_batch_with_one_bad_event_stores_the_rest(agency_client):
    agency_client("PUT", "/api/v1/cases/B-1", CASE)
    events = [
        {**event("b1"), "case": "B-1"},
        {**event("b2", kind="nonsense"), "case": "B-1"},
        {**event("b3"), "case": "NO-SUCH-CASE"},
        {**event("b1"), "case": "B-1"},
    ]
    response = agency_client("POST", "/api/v1/events/batch", {"events": events})
    statuses = [r["status"] for r in response.json["results"]]
    assert statuses == ["created", "invalid", "invalid", "duplicate"]
    assert "type" in response.json["results"][1]["detail"]


def test_openapi_document_is_generated(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert {
        "/api/v1/cases/{reference}",
        "/api/v1/cases/{reference}/events",
        "/api/v1/events/batch",
    } <= set(document["paths"])
    assert "charged" in document["components"]["schemas"]["Event"]["properties"]["type"]["enum"]


def test_concurrent_duplicates_and_reordering_are_stored_once(app, agency_client):
    agency_client("PUT", "/api/v1/cases/RACE-1", CASE)
    auth = agency_client.authorization
    events = [event(f"r{n}", when=NOW - dt.timedelta(minutes=n)) for n in range(100)]
    work = [events[i % 100] for i in range(200)]  # every event twice
    errors = []

    def post(chunk):
        with app.app_context():
            client = app.test_client()
            for item in chunk:
                response = client.post(
                    "/api/v1/cases/RACE-1/events",
                    json=item,
                    headers={"Authorization": auth, "Idempotency-Key": str(uuid.uuid4())},
                )
                if response.status_code not in (200, 201):
                    errors.append(response.status_code)

    threads = [threading.Thread(target=post, args=(work[i::20],)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = db.session.scalars(
        select(Milestone.agency_event_id)
        .join(Milestone.case)
        .where(Milestone.case.has(reference="RACE-1"))
    ).all()
    assert sorted(stored) == sorted(e["id"] for e in events)
