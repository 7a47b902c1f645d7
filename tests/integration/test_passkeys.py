"""Passkeys through the test client, with a software authenticator built here by hand (a P-256
key from `cryptography`, "none" attestation, assertions signed over authenticatorData and the
hash of clientDataJSON), checked by py_webauthn in the app: adding one, signing in with one
(usernameless), a staff member's passkey instead of a code, removing one, and the refusals."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets

import cbor2
import pyotp
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from app.accounts import passkeys as passkey_service
from app.accounts.models import AuditEvent, Passkey, Role
from app.extensions import db
from tests.factories import PASSWORD, create_user, csrf_token, post_form, sign_in
from tests.pages import check_page

pytestmark = pytest.mark.usefixtures("app_context")

ORIGIN, RP_ID = "http://localhost", "localhost"  # the test client's host
UP, UV, AT = 0x01, 0x04, 0x40


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """One discoverable credential, as a platform authenticator would hold it."""

    def __init__(self, *, counter: bool = True):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(16)
        self.counter = counter
        self.sign_count = 0
        self.user_handle = b""

    def cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict, *, origin: str = ORIGIN, flags: int = UP | UV | AT) -> dict:
        self.user_handle = unb64(options["user"]["id"])
        client_data = self.client_data("webauthn.create", options["challenge"], origin)
        auth_data = (
            hashlib.sha256(options["rp"]["id"].encode()).digest()
            + bytes([flags])
            + self.sign_count.to_bytes(4, "big")
            + bytes(16)  # AAGUID
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self.cose_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "attestationObject": b64(attestation),
                "transports": ["internal", "hybrid"],
            },
        }

    def get(
        self,
        options: dict,
        *,
        origin: str = ORIGIN,
        flags: int = UP | UV,
        sign_count: int | None = None,
    ) -> dict:
        if sign_count is not None:
            self.sign_count = sign_count
        elif self.counter:
            self.sign_count += 1
        client_data = self.client_data("webauthn.get", options["challenge"], origin)
        auth_data = (
            hashlib.sha256(options["rpId"].encode()).digest()
            + bytes([flags])
            + self.sign_count.to_bytes(4, "big")
        )
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
                "userHandle": b64(self.user_handle),
            },
        }


def post_json(client, url: str, body: dict | None = None, *, page: str):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, json=body or {}, headers={"X-CSRFToken": token})


def add_passkey(client, authenticator: SoftAuthenticator, name: str = "My phone"):
    options = post_json(client, "/account/passkeys/options", page="/account/passkeys")
    assert options.status_code == 200, options.get_data(as_text=True)
    credential = authenticator.create(options.get_json())
    return post_json(
        client,
        "/account/passkeys/add",
        {"credential": credential, "name": name},
        page="/account/passkeys",
    )


def passkey_sign_in(client, authenticator: SoftAuthenticator, **kwargs):
    options = post_json(client, "/account/sign-in/passkey/options", page="/account/sign-in")
    assert options.status_code == 200
    credential = authenticator.get(options.get_json(), **kwargs)
    return post_json(
        client, "/account/sign-in/passkey", {"credential": credential}, page="/account/sign-in"
    )


def actions(user) -> list[tuple[str, dict]]:
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == user.id).order_by(AuditEvent.id)
    )
    return [(e.action, json.loads(e.detail or "{}")) for e in events]


@pytest.fixture()
def victim_with_passkey(client):
    user = create_user()
    sign_in(client, user)
    authenticator = SoftAuthenticator()
    response = add_passkey(client, authenticator)
    assert response.status_code == 200, response.get_data(as_text=True)
    return user, authenticator


def test_a_victim_adds_a_passkey_then_signs_in_with_it_alone(client, app):
    user = create_user()
    sign_in(client, user)
    page = client.get("/account/passkeys").get_data(as_text=True)
    check_page(page)
    assert "Add a passkey" in page and "I have forgotten my password" in page
    check_page(client.get("/account").data)

    options = post_json(client, "/account/passkeys/options", page="/account/passkeys")
    body = options.get_json()
    assert body["rp"]["id"] == RP_ID
    assert body["authenticatorSelection"]["residentKey"] == "required"
    assert body["authenticatorSelection"]["userVerification"] == "required"
    assert options.headers["Cache-Control"] == "no-store"
    authenticator = SoftAuthenticator()
    credential = authenticator.create(body)
    added = post_json(
        client,
        "/account/passkeys/add",
        {"credential": credential, "name": "My phone"},
        page="/account/passkeys",
    )
    assert added.status_code == 200 and added.get_json()["redirect"].endswith(
        "/account/passkeys?added=1"
    )
    [passkey] = db.session.scalars(select(Passkey).where(Passkey.user_id == user.id)).all()
    assert passkey.credential_id == authenticator.credential_id
    assert passkey.name == "My phone" and passkey.transports == "internal,hybrid"
    listed = client.get("/account/passkeys").get_data(as_text=True)
    check_page(listed)
    assert "My phone" in listed
    check_page(app.test_client().get("/account/sign-in").data)
    assert ("passkey_added", {"passkey": passkey.public_id}) in actions(user)

    fresh = app.test_client()
    options = post_json(fresh, "/account/sign-in/passkey/options", page="/account/sign-in")
    assert (
        "allowCredentials" not in options.get_json() or not options.get_json()["allowCredentials"]
    )
    assert options.get_json()["userVerification"] == "required"
    credential = authenticator.get(options.get_json())
    signed_in = post_json(
        fresh, "/account/sign-in/passkey", {"credential": credential}, page="/account/sign-in"
    )
    assert signed_in.status_code == 200, signed_in.get_data(as_text=True)
    assert signed_in.get_json()["redirect"] == "/account"
    assert fresh.get("/account").status_code == 200
    assert ("sign_in", {"method": "passkey"}) in actions(user)
    db.session.refresh(passkey)
    assert passkey.sign_count == 1 and passkey.last_used_at is not None

    # The password still works too: it is how a victim who loses the passkey gets back in.
    other = app.test_client()
    assert sign_in(other, user).location.endswith("/account")


def test_a_passkey_answer_works_once(client, app, victim_with_passkey):
    _, authenticator = victim_with_passkey
    fresh = app.test_client()
    options = post_json(fresh, "/account/sign-in/passkey/options", page="/account/sign-in")
    credential = authenticator.get(options.get_json())
    first = post_json(
        fresh, "/account/sign-in/passkey", {"credential": credential}, page="/account/sign-in"
    )
    assert first.status_code == 200
    again = app.test_client()
    post_json(again, "/account/sign-in/passkey/options", page="/account/sign-in")
    replay = post_json(
        again, "/account/sign-in/passkey", {"credential": credential}, page="/account/sign-in"
    )
    assert replay.status_code == 400
    assert "The passkey could not be used" in replay.get_json()["error"]


def test_one_answer_signs_in_once_even_from_a_copied_session(app):
    """An authenticator without a counter (a synced passkey says 0 every time), and the session
    cookie holding the challenge copied to a second browser: the same answer a second time is
    refused by the passkey's own record of the challenge it last answered."""
    user = create_user()
    owner = app.test_client()
    sign_in(owner, user)
    authenticator = SoftAuthenticator(counter=False)
    assert add_passkey(owner, authenticator).status_code == 200

    first = app.test_client()
    options = post_json(first, "/account/sign-in/passkey/options", page="/account/sign-in")
    token = csrf_token(first.get("/account/sign-in").get_data(as_text=True))
    cookie = first.get_cookie("hub_session").value
    credential = authenticator.get(options.get_json())
    copy = app.test_client()
    copy.set_cookie("hub_session", cookie)
    answers = [
        c.post(
            "/account/sign-in/passkey",
            json={"credential": credential},
            headers={"X-CSRFToken": token},
        )
        for c in (first, copy)
    ]
    assert [a.status_code for a in answers] == [200, 400]
    assert ("sign_in_failed", {"method": "passkey", "reason": "replayed"}) in actions(user)
    # A new challenge works again with the same counter of 0.
    assert passkey_sign_in(app.test_client(), authenticator).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"origin": "http://evil.example"},
        {"flags": UP},  # the person was not verified (no PIN or biometric)
        {"sign_count": 0},  # a counter that went backwards
    ],
    ids=["origin", "no-user-verification", "counter-backwards"],
)
def test_passkey_sign_in_refusals_are_audited(app, victim_with_passkey, change):
    user, authenticator = victim_with_passkey
    first = passkey_sign_in(app.test_client(), authenticator)
    assert first.status_code == 200
    fresh = app.test_client()
    response = passkey_sign_in(fresh, authenticator, **change)
    assert response.status_code == 400
    assert fresh.get("/account").status_code == 302
    assert ("sign_in_failed", {"method": "passkey", "reason": "bad"}) in actions(user)


def test_an_unknown_passkey_or_an_expired_challenge_is_refused(app, monkeypatch):
    stranger = SoftAuthenticator()
    stranger.user_handle = b"nobody"
    assert passkey_sign_in(app.test_client(), stranger).status_code == 400
    monkeypatch.setattr(passkey_service, "CHALLENGE_SECONDS", -1)
    response = passkey_sign_in(app.test_client(), stranger)
    assert response.status_code == 400


def test_passkey_posts_need_the_csrf_token(client, victim_with_passkey):
    for url in (
        "/account/sign-in/passkey/options",
        "/account/sign-in/passkey",
        "/account/sign-in/code/passkey/options",
        "/account/sign-in/code/passkey",
        "/account/passkeys/options",
        "/account/passkeys/add",
    ):
        response = client.post(url, json={})
        # Refused before the view (whose answers are all JSON), by the CSRF check's error page.
        assert response.status_code == 400 and not response.is_json, url


def test_removing_a_passkey_asks_again_and_is_audited(client, app, victim_with_passkey):
    user, authenticator = victim_with_passkey
    passkey = db.session.scalar(select(Passkey).where(Passkey.user_id == user.id))
    url = f"/account/passkeys/{passkey.public_id}/remove"
    assert "/account/confirm-it-is-you" in client.get(url).location
    confirmed = post_form(client, f"/account/confirm-it-is-you?next={url}", {"secret": PASSWORD})
    assert confirmed.location.endswith(url)
    check_page(client.get(url).data)
    # Someone else's passkey is not found, even just after confirming.
    other_user = create_user()
    other = app.test_client()
    sign_in(other, other_user)
    assert add_passkey(other, SoftAuthenticator()).status_code == 200
    theirs = db.session.scalar(select(Passkey).where(Passkey.user_id == other_user.id))
    assert client.get(f"/account/passkeys/{theirs.public_id}/remove").status_code == 404

    removed = post_form(client, url, {})
    assert removed.location.endswith("/account/passkeys?removed=1")
    assert db.session.scalar(select(Passkey).where(Passkey.user_id == user.id)) is None
    assert ("passkey_removed", {"passkey": passkey.public_id}) in actions(user)
    assert passkey_sign_in(app.test_client(), authenticator).status_code == 400


def test_staff_use_a_passkey_instead_of_a_code(app, client):
    secret = pyotp.random_base32()
    staff = create_user(role=Role.NAVIGATOR, totp_secret=secret)
    sign_in(client, staff, totp_secret=secret)
    authenticator = SoftAuthenticator()
    assert add_passkey(client, authenticator).status_code == 200

    # Not on its own: staff give their password first.
    refused = passkey_sign_in(app.test_client(), authenticator)
    assert refused.status_code == 400 and "password first" in refused.get_json()["error"]

    fresh = app.test_client()
    to_code = post_form(fresh, "/account/sign-in", {"email": staff.email, "password": PASSWORD})
    assert to_code.location.endswith("/account/sign-in/code")
    code_page = fresh.get("/account/sign-in/code").get_data(as_text=True)
    check_page(code_page)
    assert "Use a passkey" in code_page
    options = post_json(
        fresh, "/account/sign-in/code/passkey/options", page="/account/sign-in/code"
    ).get_json()
    assert [c["id"] for c in options["allowCredentials"]] == [b64(authenticator.credential_id)]
    response = post_json(
        fresh,
        "/account/sign-in/code/passkey",
        {"credential": authenticator.get(options)},
        page="/account/sign-in/code",
    )
    assert response.status_code == 200 and response.get_json()["redirect"] == "/account"
    assert fresh.get("/navigator").status_code != 302
    assert ("sign_in", {"method": "password+passkey"}) in actions(staff)


def test_wrong_passkeys_at_the_second_step_lock_like_wrong_codes(app, client):
    secret = pyotp.random_base32()
    staff = create_user(role=Role.EDITOR, totp_secret=secret)
    sign_in(client, staff, totp_secret=secret)
    authenticator = SoftAuthenticator()
    assert add_passkey(client, authenticator).status_code == 200

    fresh = app.test_client()
    post_form(fresh, "/account/sign-in", {"email": staff.email, "password": PASSWORD})
    answers = []
    for _ in range(5):
        options = post_json(
            fresh, "/account/sign-in/code/passkey/options", page="/account/sign-in/code"
        ).get_json()
        response = post_json(
            fresh,
            "/account/sign-in/code/passkey",
            {"credential": authenticator.get(options, origin="http://evil.example")},
            page="/account/sign-in/code",
        )
        answers.append(response.get_json())
    assert all("error" in a for a in answers[:4])
    assert answers[4]["redirect"].endswith("/account/sign-in?reason=codes-locked")
    assert fresh.get("/account/sign-in/code").location.endswith("reason=expired")
    db.session.refresh(staff)
    assert staff.failed_second_factors == 5 and staff.second_factor_locked_until is not None
