"""Passkeys (WebAuthn, with Duo's py_webauthn): adding one to a signed-in account, signing in
with one (victims: it is both factors, the device and the person's PIN or biometric), and using
one as a staff member's second factor.

Each ceremony's challenge is kept in the (signed) session under its own key, used once (it is
taken out before the answer is checked) and only for CHALLENGE_SECONDS. The relying party id is
WEBAUTHN_RP_ID or the request's host name, and the origin the browser reports must be this site's.
No request parsing here beyond reading the host: the views hand in the credential's JSON.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app, request, session
from sqlalchemy import CursorResult, or_, select, update
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.parse_authentication_credential_json import (
    parse_authentication_credential_json,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.accounts import audit
from app.accounts.models import Passkey, User
from app.core.time import utcnow
from app.extensions import db

CHALLENGE_SECONDS = 300
NAME_MAX = 60
MAX_PER_ACCOUNT = 20
REGISTER, SIGN_IN, SECOND_FACTOR = "pk_register", "pk_sign_in", "pk_second"
_WEBAUTHN_ERRORS = (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
    ValueError,
    KeyError,
    TypeError,
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def rp_id() -> str:
    return current_app.config.get("WEBAUTHN_RP_ID") or (request.host.rsplit(":", 1)[0])


def expected_origin() -> str:
    return f"{request.scheme}://{request.host}"


def _keep_challenge(kind: str, challenge: bytes) -> None:
    session[kind] = {"c": _b64(challenge), "at": time.time()}


def take_challenge(kind: str) -> bytes | None:
    """The challenge of the ceremony under way, once: it is gone from the session after this."""
    kept = session.pop(kind, None) or {}
    if not kept.get("c") or time.time() - float(kept.get("at", 0)) > CHALLENGE_SECONDS:
        return None
    try:
        return _unb64(str(kept["c"]))
    except ValueError:
        return None


def passkeys_of(user: User) -> list[Passkey]:
    return list(
        db.session.scalars(
            select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at)
        )
    )


def has_passkey(user: User) -> bool:
    found = db.session.scalar(select(Passkey.id).where(Passkey.user_id == user.id).limit(1))
    return found is not None


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = []
    for value in (passkey.transports or "").split(","):
        try:
            transports.append(AuthenticatorTransport(value))
        except ValueError:
            continue
    return PublicKeyCredentialDescriptor(id=passkey.credential_id, transports=transports or None)


# Adding a passkey --------------------------------------------------------------------------


def registration_options(user: User) -> str:
    """Options for navigator.credentials.create(), as JSON: a discoverable credential (so it
    can sign in without an e-mail address) that verifies the person (PIN or biometric)."""
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name="Victim Care Hub",
        user_id=user.public_id.encode(),
        user_name=user.email,
        user_display_name=user.preferred_name or user.email,
        timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[_descriptor(p) for p in passkeys_of(user)],
    )
    _keep_challenge(REGISTER, options.challenge)
    return options_to_json(options)


def add_passkey(user: User, credential: Any, name: str) -> Passkey | None:
    """Check the browser's answer to the registration options and keep the new passkey.
    None if it does not check out (audited), or if the account already has too many."""
    challenge = take_challenge(REGISTER)
    if challenge is None or len(passkeys_of(user)) >= MAX_PER_ACCOUNT:
        audit.record("passkey_add_failed", actor=user, subject=user, reason="challenge")
        db.session.commit()
        return None
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
            require_user_verification=True,
        )
    except _WEBAUTHN_ERRORS as exc:
        audit.record("passkey_add_failed", actor=user, subject=user, reason=str(exc)[:200])
        db.session.commit()
        return None
    taken = db.session.scalar(
        select(Passkey.id).where(Passkey.credential_id == verified.credential_id)
    )
    if taken is not None:
        audit.record("passkey_add_failed", actor=user, subject=user, reason="already registered")
        db.session.commit()
        return None
    transports = []
    if isinstance(credential, dict):
        raw = (credential.get("response") or {}).get("transports") or []
        transports = [t for t in raw if isinstance(t, str) and t.isalnum()][:6]
    passkey = Passkey(
        user_id=user.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(transports)[:100] or None,
        name=(name or "").strip()[:NAME_MAX],
    )
    db.session.add(passkey)
    db.session.flush()
    audit.record("passkey_added", actor=user, subject=user, passkey=passkey.public_id)
    db.session.commit()
    return passkey


def remove_passkey(user: User, public_id: str) -> bool:
    passkey = db.session.scalar(
        select(Passkey).where(Passkey.user_id == user.id, Passkey.public_id == public_id)
    )
    if passkey is None:
        return False
    db.session.delete(passkey)
    audit.record("passkey_removed", actor=user, subject=user, passkey=public_id)
    db.session.commit()
    return True


def find_own(user: User, public_id: str) -> Passkey | None:
    return db.session.scalar(
        select(Passkey).where(Passkey.user_id == user.id, Passkey.public_id == public_id)
    )


# Signing in with a passkey -----------------------------------------------------------------


def authentication_options(kind: str, user: User | None = None) -> str:
    """Options for navigator.credentials.get(), as JSON. Without a user (sign-in), no
    allowCredentials: the browser offers the passkeys it holds for this site (usernameless).
    With one (a staff member's second factor), only that account's passkeys."""
    allow = [_descriptor(p) for p in passkeys_of(user)] if user is not None else None
    options = generate_authentication_options(
        rp_id=rp_id(),
        timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=allow,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    _keep_challenge(kind, options.challenge)
    return options_to_json(options)


@dataclass(frozen=True)
class PasskeyResult:
    passkey: Passkey | None
    problem: str | None = None  # "bad", "expired", "unknown", "replayed"


def verify(kind: str, credential: Any, user: User | None = None) -> PasskeyResult:
    """Check an answer to authentication_options: the challenge (once), origin, rp id, user
    presence and verification, the signature, and a signature counter that went forwards (when
    the authenticator keeps one). With `user`, the passkey must be theirs. On success the
    counter and last use are written; failures are left to the caller to count and audit."""
    challenge = take_challenge(kind)
    if challenge is None:
        return PasskeyResult(None, "expired")
    try:
        parsed = parse_authentication_credential_json(credential)
    except _WEBAUTHN_ERRORS:
        return PasskeyResult(None, "bad")
    query = select(Passkey).where(Passkey.credential_id == parsed.raw_id)
    if user is not None:
        query = query.where(Passkey.user_id == user.id)
    passkey = db.session.scalar(query)
    if passkey is None:
        return PasskeyResult(None, "unknown")
    handle = parsed.response.user_handle
    if handle and handle != passkey.user.public_id.encode():
        return PasskeyResult(passkey, "bad")
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except _WEBAUTHN_ERRORS:
        return PasskeyResult(passkey, "bad")
    # Claim the answer in one UPDATE, so two requests with one answer (a copied session
    # cookie holds the same challenge) cannot both succeed: the counter must go forwards, and
    # the challenge must not be the one last answered (an authenticator without a counter
    # always says 0).
    new = verified.new_sign_count
    answered = hashlib.sha256(challenge).hexdigest()
    claim = update(Passkey).where(
        Passkey.id == passkey.id,
        or_(Passkey.last_challenge.is_(None), Passkey.last_challenge != answered),
    )
    if new:
        claim = claim.where(Passkey.sign_count < new)
    result = db.session.execute(
        claim.values(
            sign_count=new, last_used_at=utcnow(), last_challenge=answered
        ).execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:
        return PasskeyResult(passkey, "replayed")
    db.session.expire(passkey, ["sign_count", "last_used_at", "last_challenge"])
    return PasskeyResult(passkey)


def credential_from_body(body: bytes) -> dict | None:
    """The credential a page posted (JSON), or None if it is not a JSON object."""
    try:
        value = json.loads(body or b"null")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
