"""OpenID Connect sign-in through the test client, with the provider faked at the HTTP level
(requests' transport), so Authlib's real discovery, private_key_jwt, PKCE and userinfo calls run:
the account rules, state and replay checks, provider errors, and RP-initiated logout."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import flask
import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from app.accounts import oidc
from app.accounts.models import AuditEvent, OidcIdentity, User, UserSession
from app.accounts.oidc_views import PROBLEMS
from app.extensions import db
from tests.factories import create_user, csrf_token, sign_in
from tests.pages import check_page

pytestmark = pytest.mark.usefixtures("app_context")

ISSUER = "https://provider.test"
CLIENT_ID = "hub-test-client"
CALLBACK = "http://127.0.0.1:5000/account/sign-in/provider/callback"
POST_LOGOUT = "http://127.0.0.1:5000/account/signed-out/provider"
PROVIDER_KEY = RSAKey.generate_key(2048, parameters={"kid": "provider-1", "alg": "RS256"})
CLIENT_KEY = RSAKey.generate_key(2048, parameters={"kid": "client-1", "alg": "RS256"})


class FakeProvider:
    """Answers the requests Authlib makes, and checks them as a strict provider would."""

    def __init__(self) -> None:
        self.authorizations: dict[str, dict] = {}  # code -> what was asked and who signed in
        self.calls: list[str] = []
        self.down = False

    def metadata(self) -> dict:
        return {
            "issuer": ISSUER,
            "authorization_endpoint": ISSUER + "/authorize",
            "token_endpoint": ISSUER + "/token",
            "userinfo_endpoint": ISSUER + "/userinfo",
            "jwks_uri": ISSUER + "/jwks",
            "end_session_endpoint": ISSUER + "/logout",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def authorize(self, url: str, *, sub: str, email: str, verified: bool = True, **token) -> str:
        """The person signs in at the provider: returns the code for the callback."""
        params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert url.startswith(ISSUER + "/authorize?")
        assert params["response_type"] == "code" and params["client_id"] == CLIENT_ID
        assert params["redirect_uri"] == CALLBACK
        assert params["code_challenge_method"] == "S256" and params["vtr"] == '["Cl.Cm"]'
        assert "openid" in params["scope"].split() and params["nonce"] and params["state"]
        code = f"code-{len(self.authorizations)}-{sub}"
        self.authorizations[code] = {
            "params": params,
            "sub": sub,
            "userinfo": {"sub": sub, "email": email, "email_verified": verified},
            "token": token,
            "used": False,
        }
        return code

    def _token(self, form: dict) -> tuple[int, dict]:
        auth = self.authorizations.get(form.get("code", ""))
        if auth is None or auth["used"]:
            return 400, {"error": "invalid_grant"}
        auth["used"] = True
        params = auth["params"]
        verifier = form["code_verifier"].encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        assert challenge.decode() == params["code_challenge"], "PKCE verifier does not match"
        assert form["redirect_uri"] == CALLBACK and form["grant_type"] == "authorization_code"
        # private_key_jwt: a fresh assertion signed with the client's key, for this endpoint.
        assert form["client_assertion_type"].endswith(":jwt-bearer")
        assertion = jwt.decode(form["client_assertion"], CLIENT_KEY, algorithms=["RS256"]).claims
        assert assertion["iss"] == assertion["sub"] == CLIENT_ID
        assert assertion["aud"] == ISSUER + "/token" and assertion["jti"]
        assert assertion["exp"] > time.time()
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": auth["sub"],
            "iat": now,
            "exp": now + 120,
            "nonce": params["nonce"],
            "vot": "Cl.Cm",
        }
        claims.update(auth["token"])
        claims = {k: v for k, v in claims.items() if v is not None}
        id_token = jwt.encode({"alg": "RS256", "kid": "provider-1"}, claims, PROVIDER_KEY)
        access = "access-" + form["code"]
        auth["access_token"] = access
        return 200, {"access_token": access, "token_type": "Bearer", "id_token": id_token}

    def answer(self, request: requests.PreparedRequest) -> requests.Response:
        url = urlsplit(request.url)
        self.calls.append(f"{request.method} {url.path}")
        status, body = 404, {"error": "not_found"}
        if self.down:
            status, body = 503, {"error": "unavailable"}
        elif url.path == "/.well-known/openid-configuration":
            status, body = 200, self.metadata()
        elif url.path == "/jwks":
            status, body = 200, {"keys": [PROVIDER_KEY.as_dict(private=False)]}
        elif url.path == "/token" and request.method == "POST":
            form = {k: v[0] for k, v in parse_qs(request.body or "").items()}
            status, body = self._token(form)
        elif url.path == "/userinfo":
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            for auth in self.authorizations.values():
                if auth.get("access_token") == bearer:
                    status, body = 200, auth["userinfo"]
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        response.url, response.request, response.encoding = request.url, request, "utf-8"
        return response


@pytest.fixture()
def provider(app, monkeypatch, tmp_path) -> FakeProvider:
    fake = FakeProvider()

    def send(adapter, request, **kwargs):
        assert request.url.startswith(ISSUER + "/"), f"unexpected request to {request.url}"
        assert kwargs.get("timeout"), "a call to the provider without a timeout could hang"
        return fake.answer(request)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    pem = tmp_path / "client-key.pem"
    pem.write_bytes(CLIENT_KEY.as_pem(private=True))
    for name, value in {
        "OIDC_ISSUER": ISSUER,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_PRIVATE_KEY": str(pem),
    }.items():
        monkeypatch.setitem(app.config, name, value)
    monkeypatch.delitem(app.extensions, "hub_oidc", raising=False)  # no client from another test
    yield fake
    app.extensions.pop("hub_oidc", None)


def start(client, page: str = "/account/sign-in", **extra) -> str:
    """Press the provider button on `page`; returns the provider's authorization URL."""
    html = client.get(page).get_data(as_text=True)
    lang = page.split("/")[1] if page.startswith(("/cy/", "/ar/")) else None
    path = f"/{lang}/account/sign-in/provider" if lang else "/account/sign-in/provider"
    response = client.post(path, data={"csrf_token": csrf_token(html), **extra})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.location


def callback(client, **params):
    return client.get("/account/sign-in/provider/callback?" + urlencode(params))


def finish(client, provider: FakeProvider, url: str, **who):
    code = provider.authorize(url, **who)
    state = parse_qs(urlsplit(url).query)["state"][0]
    return callback(client, code=code, state=state)


def actions(user: User) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.subject_id == user.id)
    return list(db.session.scalars(query))


def live_session(user: User) -> UserSession | None:
    return db.session.scalar(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    )


def problem_page(client, response, reason: str) -> str:
    assert response.status_code == 303, response.status_code
    assert f"/account/sign-in/provider/problem?reason={reason}" in response.location
    page = client.get(response.location)
    assert page.status_code == 200
    check_page(page.data)
    return page.get_data(as_text=True)


# Account rules ----------------------------------------------------------------------------


def test_a_new_person_gets_a_confirmed_account_signed_in_with_the_second_factor(client, provider):
    url = start(client)
    params = parse_qs(urlsplit(url).query)
    assert params["ui_locales"] == ["en"] and "prompt" not in params
    response = finish(client, provider, url, sub="sub-new", email="New.OIDC.Person@Example.org")
    assert response.status_code == 302 and response.location.endswith("/account")
    assert client.get("/account").status_code == 200

    user = db.session.scalar(select(User).where(User.email == "new.oidc.person@example.org"))
    assert user.email_confirmed_at is not None and user.password_hash is None
    assert [(i.issuer, i.subject) for i in user.identities] == [(ISSUER, "sub-new")]
    record = live_session(user)
    assert record.mfa_at is not None and record.id_token.count(".") == 2
    assert {"sign_up", "oidc_linked", "sign_in"} <= set(actions(user))
    assert provider.calls.count("POST /token") == 1 and "GET /userinfo" in provider.calls


def test_a_linked_identity_signs_its_account_in(client, provider):
    user = create_user()
    db.session.add(OidcIdentity(user=user, issuer=ISSUER, subject="sub-linked"))
    db.session.commit()
    # The provider's e-mail address may differ from the account's: the identity decides.
    response = finish(client, provider, start(client), sub="sub-linked", email="x@example.org")
    assert response.location.endswith("/account")
    assert live_session(user) is not None
    assert "sign_in" in actions(user)


def test_after_signing_in_it_returns_to_the_page_asked_for(client, provider):
    user = create_user()
    db.session.add(OidcIdentity(user=user, issuer=ISSUER, subject="sub-next"))
    db.session.commit()
    url = start(client, "/account/sign-in?next=/account/profile", next="/account/profile")
    response = finish(client, provider, url, sub="sub-next", email=user.email)
    assert response.location == "/account/profile"
    evil = start(client, "/account/sign-in", next="//evil.example/")
    assert finish(client, provider, evil, sub="sub-next", email=user.email).location.endswith(
        "/account"
    )


def test_a_signed_in_person_links_the_provider_from_their_account_page(client, provider):
    user = create_user()
    sign_in(client, user)
    url = start(client, "/account")
    assert parse_qs(urlsplit(url).query)["prompt"] == ["login"]  # a fresh login to link
    response = finish(client, provider, url, sub="sub-to-link", email="other@example.org")
    assert response.location.endswith("/account")
    db.session.refresh(user)
    assert [i.subject for i in user.identities] == ["sub-to-link"]
    assert "oidc_linked" in actions(user)
    # The provider now has a session: signing out here must end it too.
    assert live_session(user).id_token is not None
    page = client.get("/account").get_data(as_text=True)
    assert "Stop signing in with GOV.UK One Login" in page

    # ...and from now on the provider alone signs this account in.
    other = client.application.test_client()
    again = finish(other, provider, start(other), sub="sub-to-link", email="other@example.org")
    assert again.location.endswith("/account") and other.get("/account").status_code == 200


def test_an_existing_address_is_never_linked_silently(client, provider):
    owner = create_user(email="owner@example.org")
    response = finish(client, provider, start(client), sub="sub-taken", email="OWNER@example.org")
    html = problem_page(client, response, "email-taken")
    assert "sign in with your e-mail address and password" in html
    assert "then link GOV.UK One Login from your account page" in html
    assert owner.identities == [] and live_session(owner) is None
    assert client.get("/account").status_code == 302  # not signed in


def test_an_unverified_address_creates_no_account(client, provider):
    response = finish(
        client,
        provider,
        start(client),
        sub="sub-unverified",
        email="unverified@example.org",
        verified=False,
    )
    problem_page(client, response, "unverified")
    assert db.session.scalar(select(User).where(User.email == "unverified@example.org")) is None
    # An unverified address says nothing about an account that exists with it.
    create_user(email="exists@example.org")
    response = finish(
        client,
        provider,
        start(client),
        sub="sub-unverified-2",
        email="exists@example.org",
        verified=False,
    )
    problem_page(client, response, "unverified")


def test_an_identity_linked_to_someone_else_is_not_moved(client, provider):
    a, b = create_user(), create_user()
    db.session.add(OidcIdentity(user=b, issuer=ISSUER, subject="sub-of-b"))
    db.session.commit()
    sign_in(client, a)
    response = finish(client, provider, start(client, "/account"), sub="sub-of-b", email=b.email)
    problem_page(client, response, "linked-elsewhere")
    assert find_subjects(b) == ["sub-of-b"] and find_subjects(a) == []


def find_subjects(user: User) -> list[str]:
    db.session.refresh(user)
    return [i.subject for i in user.identities]


# State, replay, provider errors, refused tokens ------------------------------------------


def test_a_state_that_does_not_match_is_refused_before_any_token_request(client, provider):
    url = start(client)
    code = provider.authorize(url, sub="sub-state", email="state@example.org")
    problem_page(client, callback(client, code=code, state="forged-state"), "expired")
    assert "POST /token" not in provider.calls
    # The flow is used up: the right state no longer works either (single use).
    right = parse_qs(urlsplit(url).query)["state"][0]
    problem_page(client, callback(client, code=code, state=right), "expired")


def test_a_callback_without_a_flow_started_here_is_refused(client, provider):
    html = problem_page(client, callback(client, code="c", state="s"), "expired")
    assert "Try again" in html


def test_a_replayed_callback_is_refused(client, provider):
    url = start(client)
    code = provider.authorize(url, sub="sub-replay", email="replay@example.org")
    state = parse_qs(urlsplit(url).query)["state"][0]
    assert callback(client, code=code, state=state).location.endswith("/account")
    client.post("/account/sign-out", data={"csrf_token": csrf_token(client.get("/account").text)})
    problem_page(client, callback(client, code=code, state=state), "expired")
    assert provider.calls.count("POST /token") == 1


def test_an_old_flow_is_refused(client, provider, monkeypatch):
    url = start(client)
    code = provider.authorize(url, sub="sub-old", email="old@example.org")
    monkeypatch.setattr(oidc, "FLOW_MAX_AGE", -1)
    state = parse_qs(urlsplit(url).query)["state"][0]
    problem_page(client, callback(client, code=code, state=state), "expired")


@pytest.mark.parametrize(
    ("error", "reason", "text"),
    [
        ("access_denied", "cancelled", "You did not sign in with GOV.UK One Login"),
        ("temporarily_unavailable", "provider", "is not working at the moment"),
        ("invalid_request", "provider", "is not working at the moment"),
    ],
)
def test_errors_from_the_provider_are_explained(client, provider, error, reason, text):
    url = start(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    html = problem_page(client, callback(client, error=error, state=state), reason)
    assert text in html and "Try again" in html
    assert "POST /token" not in provider.calls


@pytest.mark.parametrize(
    "token",
    [
        {"vot": "Cl"},
        {"vot": None},
        {"nonce": "not-this-one"},
        {"aud": "someone-else"},
        {"iss": "https://impostor.test"},
        {"exp": 1},
    ],
)
def test_a_refused_id_token_signs_nobody_in(client, provider, token):
    response = finish(
        client, provider, start(client), sub="sub-refused", email="refused@example.org", **token
    )
    problem_page(client, response, "failed")
    assert db.session.scalar(select(User).where(User.email == "refused@example.org")) is None
    assert client.get("/account").status_code == 302
    details = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "oidc_refused")
    ).all()
    assert details and all("eyJ" not in (d or "") for d in details)  # never a token (JWT)


def test_an_answer_naming_another_issuer_is_refused(client, provider):
    url = start(client)
    code = provider.authorize(url, sub="sub-mixup", email="mixup@example.org")
    state = parse_qs(urlsplit(url).query)["state"][0]
    response = callback(client, code=code, state=state, iss="https://impostor.test")
    problem_page(client, response, "failed")
    assert "POST /token" not in provider.calls


def test_an_unreachable_provider_is_explained_not_a_500(client, provider):
    provider.down = True
    html = client.get("/account/sign-in").get_data(as_text=True)
    response = client.post("/account/sign-in/provider", data={"csrf_token": csrf_token(html)})
    problem_page(client, response, "provider")


def test_the_flow_keeps_the_page_language(client, provider):
    url = start(client, "/cy/account/sign-in")
    assert parse_qs(urlsplit(url).query)["ui_locales"] == ["cy"]
    state = parse_qs(urlsplit(url).query)["state"][0]
    response = callback(client, error="access_denied", state=state)
    assert response.location.startswith("/cy/account/sign-in/provider/problem")
    page = client.get(response.location)
    assert check_page(page.data).get("lang") == "cy"


# Pages, routes and settings ---------------------------------------------------------------


def test_the_button_and_routes_exist_only_when_configured(client, app, provider, monkeypatch):
    html = client.get("/account/sign-in").get_data(as_text=True)
    assert "Sign in with GOV.UK One Login" in html
    check_page(html)
    # The CSP's form-action for the provider is set at start-up: tests/integration/test_site.py.

    monkeypatch.setitem(app.config, "OIDC_ISSUER", None)
    html = client.get("/account/sign-in").get_data(as_text=True)
    assert "Sign in with GOV.UK One Login" not in html and "provider" not in html
    token = csrf_token(html)
    assert client.post("/account/sign-in/provider", data={"csrf_token": token}).status_code == 404
    assert callback(client, code="c", state="s").status_code == 404


def test_starting_needs_a_csrf_token(client, provider):
    assert client.post("/account/sign-in/provider").status_code == 400
    assert client.get("/account/sign-in/provider").status_code == 405


def test_the_private_key_may_be_an_inline_jwk(client, app, provider, monkeypatch):
    monkeypatch.setitem(
        app.config, "OIDC_PRIVATE_KEY", json.dumps(CLIENT_KEY.as_dict(private=True))
    )
    response = finish(client, provider, start(client), sub="sub-jwk", email="jwk@example.org")
    assert response.location.endswith("/account")


def test_unlinking_needs_a_password_to_fall_back_on(client, provider):
    user = create_user()
    db.session.add(OidcIdentity(user=user, issuer=ISSUER, subject="sub-unlink"))
    db.session.commit()
    sign_in(client, user)
    token = csrf_token(client.get("/account").get_data(as_text=True))
    response = client.post("/account/sign-in/provider/unlink", data={"csrf_token": token})
    assert response.status_code == 302
    assert find_subjects(user) == [] and "oidc_unlinked" in actions(user)

    # An account made through the provider has no password: unlinking would lock it out.
    fresh = client.application.test_client()
    finish(fresh, provider, start(fresh), sub="sub-no-password", email="nopw@example.org")
    page = fresh.get("/account").get_data(as_text=True)
    assert "Set a password to sign in without GOV.UK One Login" in page
    check_page(page)
    response = fresh.post("/account/sign-in/provider/unlink", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "reason",
    sorted(PROBLEMS | {"anything-else"}),
)
def test_every_problem_page_is_a_valid_page(client, provider, reason):
    response = client.get(f"/ar/account/sign-in/provider/problem?reason={reason}")
    assert response.status_code == 200
    assert check_page(response.data).get("dir") == "rtl"


# Signing out at the provider (RP-initiated logout) ----------------------------------------


def test_provider_logout_url(app, provider):
    with app.test_request_context("/cy/account"):
        flask.g.lang = "cy"
        assert oidc.provider_logout_url(None, "https://example.org/") is None
        url = oidc.provider_logout_url(
            "the.id.token", "http://127.0.0.1:5000/cy/account/signed-out"
        )
    assert url.startswith(ISSUER + "/logout?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert params["id_token_hint"] == "the.id.token" and params["client_id"] == CLIENT_ID
    assert params["post_logout_redirect_uri"] == POST_LOGOUT and params["ui_locales"] == "cy"
    # The provider sends the browser back with the state, and it goes on to where it was going.
    back = app.test_client().get(
        "/account/signed-out/provider?" + urlencode({"state": params["state"]})
    )
    assert back.status_code == 303
    assert back.location == "http://127.0.0.1:5000/cy/account/signed-out"


def test_the_way_back_from_the_provider_is_not_an_open_redirect(app, client, provider):
    with app.test_request_context("/"):
        url = oidc.provider_logout_url("the.id.token", "https://evil.example/")
        exit_url = oidc.provider_logout_url("the.id.token", app.config["EXIT_REDIRECT_URL"])
    state = parse_qs(urlsplit(url).query)["state"][0]
    back = client.get("/account/signed-out/provider?" + urlencode({"state": state}))
    assert back.location.endswith("/account/signed-out")
    forged = client.get("/account/signed-out/provider?state=" + state[:-4] + "AAAA")
    assert forged.location.endswith("/account/signed-out")
    state = parse_qs(urlsplit(exit_url).query)["state"][0]
    back = client.get("/account/signed-out/provider?" + urlencode({"state": state}))
    assert back.location == app.config["EXIT_REDIRECT_URL"]


def test_without_a_reachable_provider_signing_out_still_works(app, provider):
    provider.down = True
    with app.test_request_context("/"):
        assert oidc.provider_logout_url("the.id.token", "https://example.org/") is None


def test_sign_out_timeout_and_exit_all_end_the_provider_session(client, app, provider):
    def signed_in_through_provider(sub: str):
        browser = app.test_client()
        finish(browser, provider, start(browser), sub=sub, email=f"{sub}@example.org")
        return browser

    browser = signed_in_through_provider("sub-sign-out")
    token = csrf_token(browser.get("/account").get_data(as_text=True))
    response = browser.post("/account/sign-out", data={"csrf_token": token})
    assert response.location.startswith(ISSUER + "/logout?id_token_hint=")
    assert browser.get("/account").status_code == 302

    browser = signed_in_through_provider("sub-exit")
    response = browser.get("/exit")
    assert response.status_code == 303 and response.location.startswith(ISSUER + "/logout?")
    assert response.headers["Clear-Site-Data"]

    browser = signed_in_through_provider("sub-timeout")
    user = db.session.scalar(select(User).where(User.email == "sub-timeout@example.org"))
    record = live_session(user)
    record.last_seen_at = record.last_seen_at.replace(year=record.last_seen_at.year - 1)
    db.session.commit()
    response = browser.get("/account")
    assert response.location.startswith(ISSUER + "/logout?")
    state = parse_qs(urlsplit(response.location).query)["state"][0]
    # This test's app context shares `g` with the requests it makes, and sessions.load() does
    # not reset ended_id_token (a new request in production starts with an empty `g`).
    flask.g.pop("ended_id_token", None)
    back = browser.get("/account/signed-out/provider?" + urlencode({"state": state}))
    assert back.location.endswith("/account/signed-out?reason=timeout")
