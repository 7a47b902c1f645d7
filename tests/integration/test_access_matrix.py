"""The access-control matrix: every route × every role, generated from the URL map.

A route missing from EXPECTED fails the test, so a new page cannot ship without someone deciding
who may see it. Another person's object answers 404 (never 403): it does not confirm it exists.
"""

from __future__ import annotations

import json

import pyotp
import pytest

from app.accounts.models import Role
from tests.factories import create_user, post_form, sign_in

pytestmark = pytest.mark.usefixtures("app_context")

ROLES = ["anonymous", "victim_a", "victim_b", "navigator", "editor", "partner_admin", "admin"]
SIGNED_IN = ROLES[1:]
STAFF = ["navigator", "editor", "partner_admin", "admin"]

# Sample values for URL parameters.
PARAMS = {
    "slug": "your-rights",
    "token": "not-a-real-token-value",
    "public_id": "nobodys-id-123",
    "content_lang": "en",
    "section": "rights",
    "revision_id": 999999,
    "reference": "NO-SUCH-CASE",
    "milestone_id": "nobodys-id-456",
    "entitlement_id": 987654,
    "step": "physical",
}

OK, SIGN_IN, NOT_FOUND, CONFIRM, NOT_ALLOWED = 200, "sign-in", 404, "confirm-it-is-you", 405
EDITORS = {"editor": OK, "admin": OK}


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def signed_in_only(outcome=OK, *, anonymous=SIGN_IN):
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, outcome)}


EXPECTED: dict[str, dict[str, object]] = {
    "guidance.home": everyone(OK),
    "guidance.journey": everyone(OK),
    "guidance.contents": everyone(OK),
    "guidance.glossary": everyone(OK),
    "guidance.page": everyone(OK),
    "guidance.page_pdf": everyone(OK),
    "guidance.search_page": everyone(OK),
    "site.healthz": everyone(OK),
    "site.exit_page": everyone(303),
    "accounts.sign_up": everyone(OK),
    "accounts.check_email": everyone(OK),
    "accounts.confirm_email": everyone(OK),  # explains that the link does not work
    "accounts.sign_in": everyone(OK),
    "accounts.sign_in_code": everyone(SIGN_IN),  # no password step in progress
    "accounts.forgot_password": everyone(OK),
    "accounts.reset_password": everyone(400),  # the sample token is not valid
    "accounts.signed_out": everyone(OK),
    "accounts.dashboard": signed_in_only(),
    "accounts.two_step_setup": {**signed_in_only(), **dict.fromkeys(STAFF, 302)},
    "accounts.profile": signed_in_only(),
    "accounts.change_password": signed_in_only(),
    "accounts.confirm_identity": signed_in_only(),
    "mydata.my_data": signed_in_only(CONFIRM),
    "mydata.my_data_json": signed_in_only(CONFIRM),
    "mydata.my_data_pdf": signed_in_only(CONFIRM),
    "accounts.delete_account": signed_in_only(CONFIRM),
    "accounts.audit_log": {**signed_in_only(NOT_FOUND), "admin": OK},
    "accounts.trusted_people": {**signed_in_only(), **dict.fromkeys(STAFF, NOT_FOUND)},
    "accounts.accept_trusted": signed_in_only(400),  # the sample invitation does not exist
    # POST only: a GET is not allowed, whoever asks.
    "accounts.sign_out": everyone(NOT_ALLOWED),
    "accounts.sign_out_everywhere": everyone(NOT_ALLOWED),
    "accounts.keep_alive": everyone(NOT_ALLOWED),
    "accounts.cancel_deletion": everyone(NOT_ALLOWED),
    "accounts.revoke_trusted": everyone(NOT_ALLOWED),
    "accounts.oidc_start": everyone(NOT_ALLOWED),
    "accounts.oidc_callback": everyone(NOT_FOUND),  # OpenID sign-in is off in these tests
    "accounts.oidc_problem": everyone(OK),
    "accounts.oidc_unlink": everyone(NOT_ALLOWED),
    "accounts.oidc_signed_out": everyone(303),
    "navigator.content_list": {**signed_in_only(NOT_FOUND), **EDITORS},
    "navigator.edit_page": {**signed_in_only(NOT_FOUND), **EDITORS},
    "navigator.page_history": {**signed_in_only(NOT_FOUND), **EDITORS},
    "navigator.preview": everyone(NOT_ALLOWED),
    "navigator.restore": everyone(NOT_ALLOWED),
    # The partner API takes bearer tokens, never a browser session: 401 for every person.
    "partners.issue_token": everyone(NOT_ALLOWED),
    "partners.put_case": everyone(401),  # its URL answers GET too (get_case)
    "partners.get_case": everyone(401),
    "partners.post_event": everyone(NOT_ALLOWED),
    "partners.post_batch": everyone(NOT_ALLOWED),
    "partners.openapi": everyone(OK),
    "partners.post_victim": everyone(NOT_ALLOWED),
    "cases.my_cases": {**signed_in_only(), **dict.fromkeys(STAFF, NOT_FOUND)},
    "cases.link_case": {**signed_in_only(), **dict.fromkeys(STAFF, NOT_FOUND)},
    "cases.timeline": {**signed_in_only(NOT_FOUND)},  # nobody's case: not found for everyone
    "cases.confirm_seen": everyone(NOT_ALLOWED),
    "rights.case_rights": {**signed_in_only(NOT_FOUND)},
    "rights.not_told": everyone(NOT_ALLOWED),
    "navigator.task_list": {**signed_in_only(NOT_FOUND), "navigator": OK, "admin": OK},
    "navigator.task_done": everyone(NOT_ALLOWED),
    "navigator.compliance_report": {**signed_in_only(NOT_FOUND), "navigator": OK, "admin": OK},
    "navigator.compliance_csv": {**signed_in_only(NOT_FOUND), "navigator": OK, "admin": OK},
    "guidance.rights_checker": everyone(OK),
    "guidance.rights_checker_pdf": everyone(NOT_ALLOWED),
    "partners.get_webhook": everyone(401),
    "partners.put_webhook": everyone(401),  # one URL for GET, PUT and DELETE
    "partners.delete_webhook": everyone(401),
    "partners.ping_webhook": everyone(NOT_ALLOWED),
    "partners.get_entitlements": everyone(401),
    "guidance.support_directory": everyone(OK),
    # A victim's requests, referrals and messages: their own only; staff use the console.
    "requests.my_requests": {**signed_in_only(), **dict.fromkeys(STAFF, NOT_FOUND)},
    "requests.start_statement": everyone(NOT_ALLOWED),
    "requests.statement_step": signed_in_only(NOT_FOUND),
    "requests.review_start": signed_in_only(NOT_FOUND),
    "requests.review_step": signed_in_only(NOT_FOUND),
    "requests.request_page": signed_in_only(NOT_FOUND),
    "requests.request_document": signed_in_only(NOT_FOUND),
    "requests.withdraw_request": everyone(NOT_ALLOWED),
    "requests.new_referral": {**signed_in_only(), **dict.fromkeys(STAFF, NOT_FOUND)},
    "requests.referral_page": signed_in_only(NOT_FOUND),
    "requests.withdraw_referral": everyone(NOT_ALLOWED),
    "requests.message_thread": {**signed_in_only(), **dict.fromkeys(STAFF, NOT_FOUND)},
    # Requests routed to an agency, for its case system (bearer tokens only).
    "partners.list_requests": everyone(401),
    "partners.get_request": everyone(401),
    "partners.get_request_document": everyone(401),
    "partners.post_request_status": everyone(NOT_ALLOWED),
    # The navigator console: navigators and admins; another's id is not found for anyone.
    "navigator.console": {**signed_in_only(NOT_FOUND), "navigator": OK, "admin": OK},
    "navigator.victim": signed_in_only(NOT_FOUND),
    "navigator.request_document": signed_in_only(NOT_FOUND),
    "navigator.assign": everyone(NOT_ALLOWED),
    "navigator.request_status": everyone(NOT_ALLOWED),
    "navigator.chase": everyone(NOT_ALLOWED),
    "navigator.referral_status": everyone(NOT_ALLOWED),
    "navigator.reply": everyone(NOT_ALLOWED),
    "navigator.record_call": everyone(NOT_ALLOWED),
}


@pytest.fixture(scope="module")
def clients(app):
    with app.app_context():
        made = {"anonymous": app.test_client()}
        for name in SIGNED_IN:
            role = Role.VICTIM if name.startswith("victim") else Role(name.replace("_", "-"))
            secret = pyotp.random_base32() if name in STAFF else None
            user = create_user(role=role, totp_secret=secret)
            client = app.test_client()
            response = sign_in(client, user, totp_secret=secret)
            assert response.status_code == 302, name
            client.email = user.email
            made[name] = client
        return made


def routes(app):
    """One rule per endpoint: the English (unprefixed) one where there are several."""
    rules = {
        rule.endpoint: rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not rule.rule.startswith("/<lang:")
    }
    return sorted(rules.values(), key=lambda r: r.endpoint)


def test_every_route_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in routes(app)}
    assert endpoints == set(app.view_functions) - {"static"}  # every endpoint, none filtered out
    missing = sorted(endpoints - set(EXPECTED))
    assert not missing, f"decide who may use these routes, in EXPECTED: {missing}"
    stale = sorted(set(EXPECTED) - endpoints)
    assert not stale, f"routes in EXPECTED that no longer exist: {stale}"


def test_every_view_declares_its_access(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access")
    ]
    assert not undeclared, f"views without @public or @login_required: {undeclared}"


def outcome(response) -> object:
    if response.status_code in (301, 302, 303) and response.status_code != EXPECTED_REDIRECT:
        location = response.location or ""
        if "/account/sign-in" in location and "/account/sign-in/code" not in location:
            return SIGN_IN
        if "/account/confirm-it-is-you" in location:
            return CONFIRM
    return response.status_code


EXPECTED_REDIRECT = 303  # /exit's own redirect is the expected outcome, not a sign-in


@pytest.mark.parametrize("role", ROLES)
def test_matrix(app, clients, role):
    client = clients[role]
    adapter = app.url_map.bind("localhost")
    wrong = {}
    for rule in routes(app):
        defaults = rule.defaults or {}  # lang="en": the unprefixed English URL
        values = {name: PARAMS[name] for name in rule.arguments if name not in defaults}
        values.update(defaults)
        url = adapter.build(rule.endpoint, values)
        if rule.endpoint == "site.exit_page":
            continue  # it ends the session: checked last, below
        got = outcome(client.get(url))
        if got != EXPECTED[rule.endpoint][role]:
            wrong[rule.endpoint] = (url, got, EXPECTED[rule.endpoint][role])
    assert not wrong, wrong


def test_exit_answers_everyone_the_same(app):
    for role in ROLES:
        assert app.test_client().get("/exit").status_code == EXPECTED["site.exit_page"][role]


def test_one_victims_export_never_holds_anothers_data(clients):
    a, b = clients["victim_a"], clients["victim_b"]
    for client in (a, b):
        post_form(client, "/account/confirm-it-is-you", {"secret": "correct horse battery staple"})
    exported = json.loads(b.get("/account/my-data/download.json").get_data(as_text=True))
    assert exported["account"]["email"] == b.email
    assert a.email not in json.dumps(exported)
