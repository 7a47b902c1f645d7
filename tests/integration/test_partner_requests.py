"""The partner API for victims' requests: an agency reads the requests sent to it (never another
agency's, never a draft), fetches the PDF, and moves them on by the state machine's rules."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.cases.models import Case
from app.extensions import db
from app.notify.models import Notification
from app.victim_requests import service
from app.victim_requests.models import StatusChange, VictimRequest
from tests.factories import create_agency, create_linked_case, create_partner_client, create_user

pytestmark = pytest.mark.usefixtures("app_context")

PDF = b"%PDF-1.4\n% a test statement\n%%EOF\n"
ANSWERS = {"statement": "I could not sleep for months.", "read_aloud": "yes"}
BOTH = "requests:read requests:write"
LISTED = {
    "id",
    "reference",
    "kind",
    "scheme",
    "status",
    "case",
    "victim_reference",
    "submitted_at",
    "updated_at",
    "next_statuses",
    "document",
}


def partner(client, agency, scope=BOTH):
    """A call to the API as one of `agency`'s clients with `scope`."""
    api_client, secret = create_partner_client(agency=agency, scope=scope)
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(api_client.client_id, secret),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    token = response.json["access_token"]

    def call(method, url, json=None, key=None, **kwargs):
        headers = {"Authorization": f"Bearer {token}"}
        if method != "GET":
            headers["Idempotency-Key"] = key or str(uuid.uuid4())
        return client.open(url, method=method, json=json, headers=headers, **kwargs)

    call.agency = agency
    call.authorization = f"Bearer {token}"
    return call


@pytest.fixture()
def police(client):
    return partner(client, create_agency())


@pytest.fixture()
def other_police(client):
    return partner(client, create_agency(name="City of London Police"))


def sent_request(agency, kind="vps", *, scheme=None, user=None, send=True):
    """A request the victim filled in and (unless send=False) sent to `agency`."""
    user = user or create_user()
    _case, link = create_linked_case(user=user, agency=agency)
    item = service.start_draft(user, link, kind, scheme=scheme)
    service.save_answers(item, ANSWERS)
    if send:
        service.submit(item, user, PDF)
    db.session.commit()
    return item


def changes(item):
    return db.session.scalars(
        select(StatusChange)
        .where(StatusChange.subject == "request", StatusChange.subject_id == item.id)
        .order_by(StatusChange.id)
    ).all()


def updates_for(user_id):
    return db.session.scalars(
        select(Notification).where(
            Notification.user_id == user_id, Notification.kind == "case_update"
        )
    ).all()


def set_status(call, item, status, note=None, key=None):
    body = {"status": status} | ({"note": note} if note is not None else {})
    return call("POST", f"/api/v1/requests/{item.public_id}/status", body, key=key)


# --- Reading ---------------------------------------------------------------------------------


def test_the_list_shows_the_agencys_requests_without_personal_details(police):
    first = sent_request(police.agency)
    review = sent_request(police.agency, "vrr", scheme="police")
    response = police("GET", "/api/v1/requests")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    items = response.json["items"]
    assert [i["id"] for i in items] == [first.public_id, review.public_id]  # oldest first
    assert response.json["next"] is None
    for listed in items:
        assert set(listed) == LISTED  # no name, contact details or answers
    statement = items[0]
    assert statement["reference"] == first.reference and statement["reference"].startswith("VPS-")
    assert statement["kind"] == "vps" and statement["status"] == "submitted"
    assert statement["submitted_at"].endswith("+00:00")
    assert statement["next_statuses"] == ["received"]
    assert items[1]["scheme"] == "police"
    assert items[1]["next_statuses"] == ["acknowledged", "not_eligible"]
    assert statement["document"].endswith(f"/api/v1/requests/{first.public_id}/document")
    assert police("GET", statement["document"]).data == PDF


def test_the_case_is_named_by_its_id_and_the_agencys_reference(police):
    item = sent_request(police.agency)
    case = db.session.get(Case, item.case_id)
    listed = police("GET", "/api/v1/requests").json["items"][0]
    assert listed["case"] == {"id": case.public_id, "reference": case.reference}


def test_filters_and_pages(police):
    statements = [sent_request(police.agency) for _ in range(3)]
    review = sent_request(police.agency, "vrr", scheme="police")
    assert set_status(police, statements[1], "received").status_code == 200

    def ids(query):
        response = police("GET", f"/api/v1/requests?{query}")
        assert response.status_code == 200, response.json
        return [i["id"] for i in response.json["items"]]

    assert ids("kind=vrr") == [review.public_id]
    assert ids("status=received") == [statements[1].public_id]
    assert ids("status=submitted,received&kind=vps") == [s.public_id for s in statements]
    assert ids("status=acknowledged") == []

    page = police("GET", "/api/v1/requests?limit=3").json
    assert [i["id"] for i in page["items"]] == [s.public_id for s in statements]
    assert page["next"]
    rest = police("GET", f"/api/v1/requests?limit=3&after={page['next']}").json
    assert [i["id"] for i in rest["items"]] == [review.public_id] and rest["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=draft", "status"),
        ("status=lost", "status"),
        ("status=", "status"),
        ("kind=referral", "kind"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("after=-1", "after"),
        ("colour=red", "colour"),
    ],
)
def test_bad_query_values_are_refused_with_the_field_named(police, query, field):
    response = police("GET", f"/api/v1/requests?{query}")
    assert response.status_code == 422 and field in response.json["detail"]
    assert response.json["error"] == "invalid"


def test_one_request_with_its_answers_and_history_and_the_pdf(police):
    item = sent_request(police.agency)
    response = police("GET", f"/api/v1/requests/{item.public_id}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert set(body) == LISTED | {"answers", "history"}
    assert body["answers"]["statement"] == ANSWERS["statement"]
    assert [(h["from"], h["to"], h["actor"]) for h in body["history"]] == [
        (None, "draft", "victim"),
        ("draft", "submitted", "victim"),
    ]
    assert all(h["at"].endswith("+00:00") and h["note"] is None for h in body["history"])

    document = police("GET", f"/api/v1/requests/{item.public_id}/document")
    assert document.status_code == 200 and document.data == PDF
    assert document.mimetype == "application/pdf"
    assert document.headers["Cache-Control"] == "no-store"
    assert f'filename="{item.reference}.pdf"' in document.headers["Content-Disposition"]


def test_another_agency_finds_nothing_and_changes_nothing(police, other_police):
    item = sent_request(police.agency)
    assert other_police("GET", "/api/v1/requests").json["items"] == []
    for url in (
        f"/api/v1/requests/{item.public_id}",
        f"/api/v1/requests/{item.public_id}/document",
    ):
        response = other_police("GET", url)
        assert response.status_code == 404 and response.json["error"] == "not_found"
        assert response.headers["Cache-Control"] == "no-store"
    refused = set_status(other_police, item, "received")
    assert refused.status_code == 404 and refused.json["error"] == "not_found"
    # The same answer as for an id that does not exist at all: nothing confirms it is there.
    unknown = other_police("GET", "/api/v1/requests/no-such-request")
    assert (
        unknown.status_code == 404
        and unknown.json == other_police("GET", f"/api/v1/requests/{item.public_id}").json
    )
    db.session.expire_all()
    assert db.session.get(VictimRequest, item.id).status == "submitted"
    assert len(changes(item)) == 2


def test_a_draft_is_invisible_even_to_its_agency(police):
    draft = sent_request(police.agency, send=False)
    draft.agency_id = police.agency.id  # as if routed: the status alone must hide it
    db.session.commit()
    assert police("GET", "/api/v1/requests").json["items"] == []
    assert police("GET", f"/api/v1/requests/{draft.public_id}").status_code == 404
    assert police("GET", f"/api/v1/requests/{draft.public_id}/document").status_code == 404
    assert set_status(police, draft, "submitted").status_code == 404
    db.session.expire_all()
    assert db.session.get(VictimRequest, draft.id).status == "draft"


def test_scopes_are_enforced(client):
    agency = create_agency()
    item = sent_request(agency)
    reader = partner(client, agency, scope="requests:read")
    assert reader("GET", f"/api/v1/requests/{item.public_id}").status_code == 200
    refused = set_status(reader, item, "received")
    assert refused.status_code == 403 and refused.json["error"] == "insufficient_scope"
    cases_only = partner(client, agency, scope="cases:write events:write")
    for url in (
        "/api/v1/requests",
        f"/api/v1/requests/{item.public_id}",
        f"/api/v1/requests/{item.public_id}/document",
    ):
        response = cases_only("GET", url)
        assert response.status_code == 403 and response.json["error"] == "insufficient_scope"
    assert client.get("/api/v1/requests").status_code == 401
    db.session.expire_all()
    assert db.session.get(VictimRequest, item.id).status == "submitted"


# --- Moving a request on ---------------------------------------------------------------------


def test_received_then_taken_is_recorded_and_the_victim_told(police):
    item = sent_request(police.agency)
    received = set_status(police, item, "received")
    assert received.status_code == 200, received.json
    assert received.headers["Cache-Control"] == "no-store"
    assert received.json["status"] == "received" and received.json["next_statuses"] == ["taken"]
    assert set(received.json) == LISTED  # the answer is kept for repeats: no answers in it
    taken = set_status(police, item, "taken", note="We will read it to the court.")
    assert taken.status_code == 200 and taken.json["status"] == "taken"
    assert taken.json["next_statuses"] == ["used_in_court", "closed"]

    steps = changes(item)[2:]
    assert [(s.from_status, s.to_status, s.actor) for s in steps] == [
        ("submitted", "received", "agency"),
        ("received", "taken", "agency"),
    ]
    assert all(s.actor_agency_id == police.agency.id for s in steps)
    assert steps[1].note == "We will read it to the court."
    told = updates_for(item.user_id)
    assert {n.dedupe_key for n in told} == {
        f"request:{item.public_id}:received",
        f"request:{item.public_id}:taken",
    }
    assert all(n.payload == {} for n in told)  # neutral: nothing about the request
    history = police("GET", f"/api/v1/requests/{item.public_id}").json["history"]
    assert history[-1] == {
        "from": "received",
        "to": "taken",
        "actor": "agency",
        "at": history[-1]["at"],
        "note": "We will read it to the court.",
    }


def test_a_victim_who_chose_no_messages_gets_none(police):
    user = create_user()
    user.contact_channel = "none"
    db.session.commit()
    item = sent_request(police.agency, user=user)
    assert set_status(police, item, "received").status_code == 200
    assert updates_for(user.id) == []
    assert changes(item)[-1].to_status == "received"


@pytest.mark.parametrize(
    ("kind", "scheme", "path", "target", "allowed"),
    [
        ("vps", None, [], "taken", ["received"]),  # a step skipped
        ("vps", None, [], "withdrawn", ["received"]),  # only the victim or a navigator
        ("vps", None, ["received", "taken", "closed"], "taken", []),  # final
        ("vrr", "police", [], "decision_upheld", ["acknowledged", "not_eligible"]),
    ],
)
def test_a_move_the_machine_refuses_is_a_conflict(police, kind, scheme, path, target, allowed):
    item = sent_request(police.agency, kind, scheme=scheme)
    for step in path:
        assert set_status(police, item, step).status_code == 200
    before = len(changes(item))
    current = path[-1] if path else "submitted"
    response = set_status(police, item, target)
    assert response.status_code == 409 and response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["error"] == "illegal_transition"
    assert body["current"] == current and body["allowed"] == allowed
    assert current in body["detail"] and all(status in body["detail"] for status in allowed)
    db.session.expire_all()
    assert db.session.get(VictimRequest, item.id).status == current
    assert len(changes(item)) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "teleported"}, "status"),
        ({"status": "draft"}, "status"),
        ({"status": "acknowledged"}, "status"),  # a Right to Review's status, not a statement's
        ({}, "status"),
        ({"status": "received", "note": "x" * 2001}, "note"),
        ({"status": "received", "colour": "red"}, "colour"),
        ([], "_body"),
    ],
)
def test_an_unknown_status_or_a_bad_body_is_refused(police, body, field):
    item = sent_request(police.agency)
    response = police("POST", f"/api/v1/requests/{item.public_id}/status", body)
    assert response.status_code == 422 and field in response.json["detail"]
    assert len(changes(item)) == 2


def test_a_repeat_with_the_same_key_gets_the_first_answer(client, police):
    item = sent_request(police.agency)
    first = set_status(police, item, "received", note="Thank you.", key="recv-1")
    again = set_status(police, item, "received", note="Thank you.", key="recv-1")
    assert first.status_code == again.status_code == 200 and first.json == again.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Cache-Control"] == "no-store"
    assert [s.to_status for s in changes(item)].count("received") == 1
    assert len(updates_for(item.user_id)) == 1
    reused = set_status(police, item, "taken", key="recv-1")
    assert reused.status_code == 422 and reused.json["error"] == "idempotency_key_reused"
    # The same change under a new key is a new request: the machine says it is done already.
    assert set_status(police, item, "received", note="Thank you.").status_code == 409
    without_key = client.post(
        f"/api/v1/requests/{item.public_id}/status",
        json={"status": "taken"},
        headers={"Authorization": police.authorization},
    )
    assert without_key.status_code == 400
    assert without_key.json["error"] == "idempotency_key_required"
    count = db.session.scalar(
        select(func.count()).select_from(StatusChange).where(StatusChange.subject_id == item.id)
    )
    assert count == 3


def test_the_openapi_document_describes_requests_and_their_alerts(client):
    document = client.get("/api/v1/openapi.json").json
    assert {
        "/api/v1/requests",
        "/api/v1/requests/{id}",
        "/api/v1/requests/{id}/document",
        "/api/v1/requests/{id}/status",
    } <= set(document["paths"])
    status = document["paths"]["/api/v1/requests/{id}/status"]["post"]
    assert status["security"] == [{"oauth2": ["requests:write"]}] and "409" in status["responses"]
    assert {"request.submitted", "request.updated"} <= set(document["webhooks"])
    data = document["components"]["schemas"]["RequestEventData"]["properties"]
    assert set(data) == {"request", "reference", "kind", "status", "case", "case_reference"}
