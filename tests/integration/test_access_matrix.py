"""The access-control matrix: every route × every method it takes × every role, generated from the
URL map.

A route missing from EXPECTED fails the test, so a new page cannot ship without someone deciding
who may use it. Another person's object answers 404 (never 403): it does not confirm it exists.
Requests carry the session's CSRF token: CSRF is on, as in production, and is tested on its own
(test_accounts.py); here each request gets past it to the view's own access check, so a row shows
who may use the route, not that a token was missing.
"""

from __future__ import annotations

import json
import shutil

import pyotp
import pytest

from app.accounts.models import Role, utcnow
from app.cases.models import Milestone
from app.config import ROOT
from app.extensions import db
from tests.conftest import make_app
from tests.factories import (
    PASSWORD,
    create_linked_case,
    create_user,
    csrf_token,
    post_form,
    sign_in,
)

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

OK, SIGN_IN, NOT_FOUND, CONFIRM = 200, "sign-in", 404, "confirm-it-is-you"
EDITORS = {"editor": OK, "admin": OK}
NAVIGATORS = {"navigator": OK, "admin": OK}


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def signed_in_only(outcome=OK, *, anonymous=SIGN_IN):
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, outcome)}


def victims_only(outcome=OK):
    return {**signed_in_only(outcome), **dict.fromkeys(STAFF, NOT_FOUND)}


def owner_only(outcome=OK):
    """A row naming victim_a's own case or request: anyone else is told it does not exist."""
    return {**signed_in_only(NOT_FOUND), "victim_a": outcome}


# endpoint -> {role: outcome} for every method the route takes, or {method: {role: outcome}}.
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
    "accounts.sign_up": everyone(OK),  # POST: the empty form, with its errors
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
    "accounts.delete_account": signed_in_only(CONFIRM),  # GET and POST: only just after a check
    "accounts.audit_log": {**signed_in_only(NOT_FOUND), "admin": OK},
    "accounts.trusted_people": victims_only(),
    "accounts.accept_trusted": signed_in_only(400),  # the sample invitation does not exist
    "accounts.sign_out": everyone(302),  # each with a session of its own (SESSION_ENDING)
    "accounts.sign_out_everywhere": signed_in_only(302),
    "accounts.keep_alive": signed_in_only(204),
    "accounts.cancel_deletion": signed_in_only(302),
    "accounts.revoke_trusted": signed_in_only(NOT_FOUND),  # nobody's invitation
    "accounts.passkey_list": signed_in_only(),
    "accounts.passkey_add_options": signed_in_only(),
    "accounts.passkey_add": signed_in_only(400),  # no credential in the request
    "accounts.passkey_remove": signed_in_only(NOT_FOUND),  # nobody's passkey
    "accounts.passkey_sign_in_options": everyone(OK),
    "accounts.passkey_sign_in": everyone(400),  # no credential in the request
    "accounts.passkey_code_options": everyone(409),  # no password step in progress
    "accounts.passkey_code": everyone(409),
    "accounts.oidc_start": everyone(NOT_FOUND),  # OpenID sign-in is off in these tests
    "accounts.oidc_callback": everyone(NOT_FOUND),
    "accounts.oidc_problem": everyone(OK),
    "accounts.oidc_unlink": signed_in_only(302),
    "accounts.oidc_signed_out": everyone(303),
    "navigator.content_list": {**signed_in_only(NOT_FOUND), **EDITORS},
    "navigator.edit_page": {**signed_in_only(NOT_FOUND), **EDITORS},  # POST: the form's errors
    "navigator.page_history": {**signed_in_only(NOT_FOUND), **EDITORS},
    "navigator.preview": {**signed_in_only(NOT_FOUND), **EDITORS},
    "navigator.restore": signed_in_only(NOT_FOUND),  # nobody's revision
    # The partner API takes bearer tokens, never a browser session: 401 for every person.
    "partners.issue_token": everyone(400),  # no client credentials
    "partners.revoke_token": everyone(401),  # no client credentials
    "partners.put_case": everyone(401),
    "partners.get_case": everyone(401),
    "partners.post_event": everyone(401),
    "partners.post_batch": everyone(401),
    "partners.openapi": everyone(OK),
    "partners.post_victim": everyone(401),
    "cases.my_cases": victims_only(),
    "cases.link_case": victims_only(),  # POST without the date boxes: the form and its errors
    "cases.timeline": owner_only(),
    "cases.confirm_seen": owner_only(302),
    "rights.case_rights": owner_only(),
    "rights.not_told": signed_in_only(NOT_FOUND),  # nobody's entitlement
    "navigator.task_list": {**signed_in_only(NOT_FOUND), **NAVIGATORS},
    "navigator.task_done": signed_in_only(NOT_FOUND),  # nobody's task
    "navigator.compliance_report": {**signed_in_only(NOT_FOUND), **NAVIGATORS},
    "navigator.compliance_csv": {**signed_in_only(NOT_FOUND), **NAVIGATORS},
    "guidance.rights_checker": everyone(OK),
    "guidance.rights_checker_pdf": everyone(400),  # no answers
    "partners.get_webhook": everyone(401),
    "partners.put_webhook": everyone(401),
    "partners.delete_webhook": everyone(401),
    "partners.ping_webhook": everyone(401),
    "partners.get_entitlements": everyone(401),
    "guidance.support_directory": everyone(OK),
    # A victim's requests, referrals and messages: their own only; staff use the console.
    "requests.my_requests": victims_only(),
    "requests.start_statement": owner_only(302),
    "requests.statement_step": {"GET": owner_only(), "POST": owner_only(302)},
    "requests.review_start": {"GET": owner_only(), "POST": owner_only(400)},
    "requests.review_step": signed_in_only(NOT_FOUND),  # a statement is not a review
    "requests.request_page": owner_only(),
    "requests.request_document": signed_in_only(NOT_FOUND),  # a draft has no document yet
    "requests.withdraw_request": owner_only(302),
    "requests.new_referral": victims_only(),
    "requests.referral_page": signed_in_only(NOT_FOUND),
    "requests.withdraw_referral": signed_in_only(NOT_FOUND),
    "requests.message_thread": victims_only(),
    # Requests routed to an agency, for its case system (bearer tokens only).
    "partners.list_requests": everyone(401),
    "partners.get_request": everyone(401),
    "partners.get_request_document": everyone(401),
    "partners.post_request_status": everyone(401),
    # The navigator console: navigators and admins. victim_a's draft is theirs alone: staff
    # see a request once it is sent.
    "navigator.console": {**signed_in_only(NOT_FOUND), **NAVIGATORS},
    "navigator.victim": {**signed_in_only(NOT_FOUND), **NAVIGATORS},  # victim_a's record
    "navigator.request_document": signed_in_only(NOT_FOUND),
    "navigator.assign": signed_in_only(NOT_FOUND),  # nothing named to assign
    "navigator.request_status": signed_in_only(NOT_FOUND),
    "navigator.chase": signed_in_only(NOT_FOUND),
    "navigator.referral_status": signed_in_only(NOT_FOUND),
    "navigator.reply": {**signed_in_only(NOT_FOUND), **NAVIGATORS},  # POST: the form's errors
    "navigator.record_call": {**signed_in_only(NOT_FOUND), **NAVIGATORS},
    "navigator.journey": signed_in_only(NOT_FOUND),  # nobody's journey: 404 for staff too
}


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
    for rule in routes(app):
        row = EXPECTED[rule.endpoint]
        if set(row) <= METHODS:  # one entry per method: exactly the methods the route takes
            assert set(row) == rule.methods & METHODS, (rule.endpoint, sorted(rule.methods))


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


METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH"})
# Rows that end the session they are sent with: each is sent with a session of its own.
SESSION_ENDING = {"accounts.sign_out", "accounts.sign_out_everywhere"}
# Rows whose URL names victim_a's own objects (see `world`), not nobody's.
OWN_CASE = {
    "cases.timeline",
    "rights.case_rights",
    "cases.confirm_seen",
    "rights.not_told",
    "requests.start_statement",
    "requests.review_start",
}
OWN_REQUEST = {
    "requests.statement_step",
    "requests.request_page",
    "requests.request_document",
    "requests.withdraw_request",
    "navigator.request_status",
    "navigator.chase",
    "navigator.request_document",
}
OWN_ACCOUNT = {"navigator.victim", "navigator.reply", "navigator.record_call"}


def expected(endpoint: str, method: str, role: str) -> object:
    """EXPECTED[endpoint] is one outcome per role for every method the route takes, or, where
    they differ, {method: {role: outcome}}."""
    row = EXPECTED[endpoint]
    if set(row) <= METHODS:
        row = row[method]
    return row[role]


@pytest.fixture(scope="module")
def matrix_app(app, tmp_path_factory):
    """The session's database, with a copy of the content: an editor's POST may save a page."""
    content = tmp_path_factory.mktemp("matrix") / "content"
    shutil.copytree(ROOT / "content", content)
    made = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], CONTENT_DIR=content, CONTENT_RELOAD_SECONDS=0
    )
    with made.app_context():
        yield made


def signed_in(app, role: str):
    """A test client for `role`: a new person in that role, signed in (staff with a code), and
    the CSRF token of their session, as a browser would have it from any form."""
    client = app.test_client()
    if role != "anonymous":
        kind = Role.VICTIM if role.startswith("victim") else Role(role.replace("_", "-"))
        secret = pyotp.random_base32() if role in STAFF else None
        user = create_user(role=kind, totp_secret=secret)
        assert sign_in(client, user, totp_secret=secret).status_code == 302, role
        client.user = user
    client.csrf = csrf_token(client.get("/account/forgot-password").get_data(as_text=True))
    return client


@pytest.fixture()
def world(matrix_app):
    """victim_a with a case, an update on it and a draft statement; the URLs of OWN_* rows name
    these, so a row answers differently for their owner, another victim and staff."""
    owner = signed_in(matrix_app, "victim_a")
    case, link = create_linked_case(user=owner.user)
    milestone = Milestone(
        case_id=case.id,
        agency_id=case.agency_id,
        agency_event_id="matrix",
        type="charged",
        occurred_at=utcnow(),
    )
    db.session.add(milestone)
    db.session.commit()
    # A draft statement, started as the victim starts one (its URL names the new request).
    started = send(owner, "POST", f"/account/cases/{link.public_id}/statement")
    draft = started.location.split("/account/requests/", 1)[1].split("/", 1)[0]
    return {
        "victim_a": owner,
        "case": {"public_id": link.public_id, "milestone_id": milestone.public_id},
        "request": {"public_id": draft},
        "account": {"public_id": owner.user.public_id},
    }


def url_for_rule(adapter, rule, world) -> str:
    defaults = rule.defaults or {}  # lang="en": the unprefixed English URL
    values = {name: PARAMS[name] for name in rule.arguments if name not in defaults}
    for names, key in ((OWN_CASE, "case"), (OWN_REQUEST, "request"), (OWN_ACCOUNT, "account")):
        if rule.endpoint in names:
            values.update(world[key])
    values.update(defaults)
    return adapter.build(rule.endpoint, values)


def send(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    # With the session's CSRF token, in the form and the header (htmx sends it so): the request
    # reaches the view's own access check, as a real browser's would.
    return client.open(
        url, method=method, data={"csrf_token": client.csrf}, headers={"X-CSRFToken": client.csrf}
    )


@pytest.mark.parametrize("role", ROLES)
def test_matrix(matrix_app, world, role):
    """Every method of every route, for `role`; victim_a owns the objects of the OWN_* rows."""
    client = world["victim_a"] if role == "victim_a" else signed_in(matrix_app, role)
    adapter = matrix_app.url_map.bind("localhost")
    wrong = {}
    for rule in routes(matrix_app):
        if rule.endpoint == "site.exit_page":
            continue  # it ends the session: checked on its own, below
        url = url_for_rule(adapter, rule, world)
        for method in sorted(rule.methods & METHODS):
            sender = signed_in(matrix_app, role) if rule.endpoint in SESSION_ENDING else client
            got = outcome(send(sender, method, url))
            want = expected(rule.endpoint, method, role)
            if got != want:
                wrong[f"{method} {rule.endpoint}"] = (url, got, want)
    assert not wrong, wrong


def test_exit_answers_everyone_the_same(matrix_app):
    for role in ROLES:
        client = signed_in(matrix_app, role)
        assert outcome(client.get("/exit")) == EXPECTED["site.exit_page"][role]


def test_one_victims_export_never_holds_anothers_data(matrix_app):
    a, b = signed_in(matrix_app, "victim_a"), signed_in(matrix_app, "victim_b")
    for client in (a, b):
        post_form(client, "/account/confirm-it-is-you", {"secret": PASSWORD})
    exported = json.loads(b.get("/account/my-data/download.json").get_data(as_text=True))
    assert exported["account"]["email"] == b.user.email
    assert a.user.email not in json.dumps(exported)
