"""The partner API's tokens (issue 19): every route needs its own scope, a grant that comes to
nothing is refused, tokens end when the secret is rotated, the client is switched off or the
token is revoked (RFC 7009); agencies' reads of a victim's request are audited and shown to the
victim."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import func, select

from app.accounts import audit
from app.accounts.models import AuditEvent
from app.extensions import db
from app.partners.models import SCOPES, PartnerToken, secret_hash
from tests.factories import (
    PASSWORD,
    create_agency,
    create_partner_client,
    create_user,
    post_form,
    sign_in,
)
from tests.integration.test_partner_requests import sent_request

pytestmark = pytest.mark.usefixtures("app_context")

# Each partner route and the one scope it needs. Not listed: the token and revocation endpoints
# (client credentials, not a token) and the OpenAPI document (public).
ROUTE_SCOPES = {
    ("partners.put_case", "PUT"): "cases:write",
    ("partners.get_case", "GET"): "cases:read",
    ("partners.post_event", "POST"): "events:write",
    ("partners.post_victim", "POST"): "cases:write",
    ("partners.post_batch", "POST"): "events:write",
    ("partners.get_webhook", "GET"): "webhooks:manage",
    ("partners.put_webhook", "PUT"): "webhooks:manage",
    ("partners.delete_webhook", "DELETE"): "webhooks:manage",
    ("partners.ping_webhook", "POST"): "webhooks:manage",
    ("partners.get_entitlements", "GET"): "entitlements:read",
    ("partners.list_requests", "GET"): "requests:read",
    ("partners.get_request", "GET"): "requests:read",
    ("partners.get_request_document", "GET"): "requests:read",
    ("partners.post_request_status", "POST"): "requests:write",
}
WITHOUT_A_TOKEN = {"partners.issue_token", "partners.revoke_token", "partners.openapi"}


def ask_token(client, partner, secret, scope=None, auth=True):
    data = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
    if auth:
        return client.post("/oauth/token", data=data, auth=(partner.client_id, secret))
    return client.post(
        "/oauth/token", data=data | {"client_id": partner.client_id, "client_secret": secret}
    )


def token(client, partner, secret, scope=None) -> str:
    response = ask_token(client, partner, secret, scope)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["access_token"]


def call(client, token_string, method, url, json_body=None):
    headers = {"Authorization": f"Bearer {token_string}"}
    if method != "GET":
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return client.open(url, method=method, json=json_body, headers=headers)


def partner_routes(app) -> dict:
    methods = {"GET", "POST", "PUT", "DELETE", "PATCH"}
    return {
        (rule.endpoint, method): rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("partners.") and rule.endpoint not in WITHOUT_A_TOKEN
        for method in rule.methods & methods
    }


# --- Scopes ----------------------------------------------------------------------------------


def test_every_partner_route_needs_its_own_scope(app, client):
    routes = partner_routes(app)
    assert set(routes) == set(ROUTE_SCOPES), "give every partner route its scope"
    assert set(ROUTE_SCOPES.values()) <= set(SCOPES)
    partner, secret = create_partner_client(agency=create_agency(), scope=" ".join(SCOPES))
    only = {scope: token(client, partner, secret, scope) for scope in SCOPES}
    all_but = {
        scope: token(client, partner, secret, " ".join(s for s in SCOPES if s != scope))
        for scope in SCOPES
    }
    adapter = app.url_map.bind("localhost")
    wrong = {}
    for (endpoint, method), rule in routes.items():
        scope = ROUTE_SCOPES[(endpoint, method)]
        values = {"reference": "SCOPE-1", "public_id": "AAAAAAAAAAAA"}
        url = adapter.build(endpoint, {k: v for k, v in values.items() if k in rule.arguments})
        refused = call(client, all_but[scope], method, url, {})
        if refused.status_code != 403 or refused.json["error"] != "insufficient_scope":
            wrong[f"{method} {endpoint} without {scope}"] = refused.status_code
        allowed = call(client, only[scope], method, url, {})
        if allowed.status_code in (401, 403):
            wrong[f"{method} {endpoint} with {scope}"] = allowed.status_code
    assert not wrong, wrong


def test_a_requests_token_can_neither_read_cases_nor_touch_the_webhook(client):
    """The finding: a `requests:read` token read cases and replaced the agency's alert URL."""
    agency = create_agency()
    writer, writer_secret = create_partner_client(agency=agency, scope=" ".join(SCOPES))
    full = token(client, writer, writer_secret)
    case = call(client, full, "PUT", "/api/v1/cases/R-1", {"crime_type": "fraud"})
    assert case.status_code == 201
    hook = {"url": "http://127.0.0.1:9/hook"}
    assert call(client, full, "PUT", "/api/v1/webhook", hook).status_code == 200
    reader, reader_secret = create_partner_client(agency=agency, scope="requests:read")
    narrow = token(client, reader, reader_secret)
    for method, url, body in (
        ("GET", "/api/v1/cases/R-1", None),
        ("GET", "/api/v1/entitlements", None),
        ("GET", "/api/v1/webhook", None),
        ("PUT", "/api/v1/webhook", {"url": "http://127.0.0.1:9/attacker"}),
        ("DELETE", "/api/v1/webhook", None),
        ("POST", "/api/v1/webhook/ping", None),
    ):
        response = call(client, narrow, method, url, body)
        assert response.status_code == 403, (method, url, response.status_code)
        assert response.json["error"] == "insufficient_scope"
    db.session.refresh(agency)
    assert agency.webhook_url == hook["url"] and agency.webhook_secret


def test_a_grant_that_comes_to_nothing_is_refused(client):
    partner, secret = create_partner_client(agency=create_agency(), scope="cases:write")
    before = db.session.scalar(select(func.count()).select_from(PartnerToken))
    for auth in (True, False):
        response = ask_token(client, partner, secret, "requests:read webhooks:manage", auth=auth)
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.json["error"] == "invalid_scope"
        assert "access_token" not in response.json
    assert db.session.scalar(select(func.count()).select_from(PartnerToken)) == before
    # Asked for some it holds and some it does not: only those it holds.
    granted = ask_token(client, partner, secret, "cases:write requests:read")
    assert granted.status_code == 200 and granted.json["scope"] == "cases:write"
    # A client holding no scope at all gets no token either.
    empty, empty_secret = create_partner_client(agency=create_agency(), scope="")
    assert ask_token(client, empty, empty_secret).json["error"] == "invalid_scope"


def test_the_openapi_document_names_each_operations_scope(app, client):
    document = client.get("/api/v1/openapi.json").json
    scheme = document["components"]["securitySchemes"]["oauth2"]
    assert set(scheme["flows"]["clientCredentials"]["scopes"]) == set(SCOPES)
    for (endpoint, method), rule in partner_routes(app).items():
        path = re.sub(r"<ref:reference>", "{reference}", rule.rule)
        path = re.sub(r"<pid:public_id>", "{id}", path)
        operation = document["paths"][path][method.lower()]
        assert operation["security"] == [{"oauth2": [ROUTE_SCOPES[(endpoint, method)]]}], (
            endpoint,
            method,
        )


# --- Ending tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["set_secret", "hash"])
def test_rotating_the_secret_ends_the_tokens_issued_with_the_old_one(client, how):
    partner, old_secret = create_partner_client(agency=create_agency())
    old = token(client, partner, old_secret)
    assert call(client, old, "GET", "/api/v1/webhook").status_code == 200
    if how == "set_secret":
        partner.set_secret("a-new-secret-for-this-test")
    else:  # however the stored hash is changed
        partner.client_secret_hash = secret_hash("a-new-secret-for-this-test")
    db.session.commit()
    refused = call(client, old, "GET", "/api/v1/webhook")
    assert refused.status_code == 401 and refused.json["error"] == "invalid_token"
    assert ask_token(client, partner, old_secret).json["error"] == "invalid_client"
    new = token(client, partner, "a-new-secret-for-this-test")
    assert call(client, new, "GET", "/api/v1/webhook").status_code == 200
    partner.set_secret("a-new-secret-for-this-test")  # the same again: nothing changes
    db.session.commit()
    assert call(client, new, "GET", "/api/v1/webhook").status_code == 200


def test_switching_a_client_off_ends_its_tokens_at_once(client):
    partner, secret = create_partner_client(agency=create_agency())
    issued = token(client, partner, secret)
    other, other_secret = create_partner_client(agency=partner.agency)
    kept = token(client, other, other_secret)
    partner.revoke()
    db.session.commit()
    assert call(client, issued, "GET", "/api/v1/webhook").status_code == 401
    assert ask_token(client, partner, secret).json["error"] == "invalid_client"
    assert call(client, kept, "GET", "/api/v1/webhook").status_code == 200  # only that client's
    rows = db.session.scalars(select(PartnerToken).where(PartnerToken.client_pk == partner.id))
    assert all(row.revoked_at is not None for row in rows)


def test_the_demo_clients_new_secret_ends_the_last_runs_tokens_and_brings_every_scope(client):
    from app.demo import ensure_partner_client
    from app.partners.models import PartnerClient

    client_id, first = ensure_partner_client()
    partner = db.session.scalar(select(PartnerClient).where(PartnerClient.client_id == client_id))
    partner.scope = "cases:write"  # as a client made before the newer scopes
    db.session.commit()
    old = token(client, partner, first)
    _same, second = ensure_partner_client()
    assert call(client, old, "PUT", "/api/v1/cases/D-1", {"crime_type": "fraud"}).status_code == 401
    db.session.refresh(partner)
    assert set(partner.scope.split()) == set(SCOPES)
    assert set(ask_token(client, partner, second).json["scope"].split()) == set(SCOPES)


def test_a_client_revokes_its_own_token_rfc_7009(client):
    partner, secret = create_partner_client(agency=create_agency())
    first, second = token(client, partner, secret), token(client, partner, secret)
    answer = client.post("/oauth/revoke", data={"token": first}, auth=(partner.client_id, secret))
    assert answer.status_code == 200
    refused = call(client, first, "GET", "/api/v1/webhook")
    assert refused.status_code == 401 and refused.json["error"] == "invalid_token"
    assert call(client, second, "GET", "/api/v1/webhook").status_code == 200  # that one only
    # Again, with a hint, or an unknown token: still 200 (RFC 7009 section 2.2), nothing else.
    for data in (
        {"token": first, "token_type_hint": "access_token"},
        {"token": "never-issued"},
    ):
        again = client.post("/oauth/revoke", data=data, auth=(partner.client_id, secret))
        assert again.status_code == 200
    # The client's credentials in the body work as they do for a token.
    posted = client.post(
        "/oauth/revoke",
        data={"token": second, "client_id": partner.client_id, "client_secret": secret},
    )
    assert posted.status_code == 200
    assert call(client, second, "GET", "/api/v1/webhook").status_code == 401


def test_revocation_needs_the_clients_own_credentials_and_its_own_token(client):
    partner, secret = create_partner_client(agency=create_agency())
    mine = token(client, partner, secret)
    other, other_secret = create_partner_client(agency=create_agency())
    theirs = token(client, other, other_secret)
    anonymous = client.post("/oauth/revoke", data={"token": mine})
    assert anonymous.status_code == 401 and anonymous.json["error"] == "invalid_client"
    wrong = client.post("/oauth/revoke", data={"token": mine}, auth=(partner.client_id, "no"))
    assert wrong.status_code == 401
    bearer = client.post(
        "/oauth/revoke", data={"token": mine}, headers={"Authorization": f"Bearer {mine}"}
    )
    assert bearer.status_code == 401
    stolen = client.post("/oauth/revoke", data={"token": theirs}, auth=(partner.client_id, secret))
    assert stolen.status_code == 400 and stolen.json["error"] == "invalid_grant"
    missing = client.post("/oauth/revoke", data={}, auth=(partner.client_id, secret))
    assert missing.status_code == 400 and missing.json["error"] == "invalid_request"
    assert call(client, mine, "GET", "/api/v1/webhook").status_code == 200
    assert call(client, theirs, "GET", "/api/v1/webhook").status_code == 200


# --- Agencies' reads, audited and shown to the victim -----------------------------------------


def agency_reads(user):
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_id == user.id, AuditEvent.action == audit.AGENCY_READ)
        .order_by(AuditEvent.id)
    ).all()


def test_an_agency_reading_a_request_or_its_pdf_is_audited_and_shown_to_the_victim(app, client):
    agency = create_agency(name="Crown Prosecution Service, London South")
    partner, secret = create_partner_client(agency=agency, scope="requests:read")
    bearer = token(client, partner, secret)
    victim = create_user()
    statement = sent_request(agency, user=victim)
    review = sent_request(agency, "vrr", scheme="police", user=victim)

    assert call(client, bearer, "GET", "/api/v1/requests").status_code == 200
    assert agency_reads(victim) == []  # the list holds no answers: not a read of them
    assert call(client, bearer, "GET", f"/api/v1/requests/{statement.public_id}").status_code == 200
    pdf = call(client, bearer, "GET", f"/api/v1/requests/{review.public_id}/document")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"

    details = [(e.actor_id, json.loads(e.detail)) for e in agency_reads(victim)]
    assert [(actor, d["reference"], d["part"]) for actor, d in details] == [
        (None, statement.reference, "request"),
        (None, review.reference, "document"),
    ]
    assert {d["agency"] for _a, d in details} == {agency.name}
    assert {d["agency_id"] for _a, d in details} == {agency.id}

    browser = app.test_client()
    sign_in(browser, victim)
    post_form(browser, "/account/confirm-it-is-you", {"secret": PASSWORD})
    page = browser.get("/account/my-data").get_data(as_text=True)
    assert "Crown Prosecution Service, London South" in page
    assert f"Read your Victim Personal Statement {statement.reference}" in page
    assert f"Downloaded your Right to Review request {review.reference}" in page
    assert "Nobody at the hub has looked at your record" not in page


def test_reads_refused_or_of_another_victim_leave_nothing_in_a_victims_log(client):
    agency = create_agency()
    partner, secret = create_partner_client(agency=agency, scope="requests:read")
    bearer = token(client, partner, secret)
    victim, other = create_user(), create_user()
    mine = sent_request(agency, user=victim)
    elsewhere = sent_request(create_agency(name="Kent Police"), user=victim)
    draft = sent_request(agency, user=victim, send=False)
    theirs = sent_request(agency, user=other)
    for item in (elsewhere, draft):
        assert call(client, bearer, "GET", f"/api/v1/requests/{item.public_id}").status_code == 404
    no_scope, no_scope_secret = create_partner_client(agency=agency, scope="cases:read")
    narrow = token(client, no_scope, no_scope_secret)
    assert call(client, narrow, "GET", f"/api/v1/requests/{mine.public_id}").status_code == 403
    assert agency_reads(victim) == []
    assert call(client, bearer, "GET", f"/api/v1/requests/{theirs.public_id}").status_code == 200
    assert agency_reads(victim) == [] and len(agency_reads(other)) == 1
