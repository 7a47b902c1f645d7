"""OpenID Connect sign-in (relying party), for GOV.UK One Login or any certified provider.

Authorization code flow with PKCE (S256), the client authenticated by `private_key_jwt`, the
provider found by discovery at OIDC_ISSUER. The ID token is checked here, by
`validate_id_token`, rather than left to Authlib's implicit checks, so that the unit tests
exercise exactly what production runs. The flow's state, nonce and PKCE verifier live in the
(signed) Flask session cookie and are used once.

Signing out, timing out and Exit end the provider's session too (RP-initiated logout): One
Login's session outlives a closed browser, and without that the next person on a shared phone
would be signed straight back in.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_client import OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from flask import current_app, g, session
from itsdangerous import BadData, URLSafeTimedSerializer
from joserfc import jwk, jwt
from joserfc.errors import (
    BadSignatureError,
    InvalidKeyIdError,
    InvalidKeyTypeError,
    JoseError,
    MissingKeyError,
    UnsupportedKeyAlgorithmError,
)
from joserfc.jwk import KeySet
from requests import RequestException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts import audit, service, sessions
from app.accounts.models import OidcIdentity, User
from app.accounts.policy import local_path
from app.core.time import utcnow
from app.extensions import db
from app.languages import DEFAULT

log = logging.getLogger(__name__)

# Asymmetric signatures only: "none" and HS* (whose "secret" could be the provider's public key)
# are refused before any key is looked at.
ALLOWED_ALGORITHMS = ("RS256", "ES256", "PS256")
FLOW_KEY = "oidc_flow"
FLOW_MAX_AGE = 30 * 60  # seconds to finish signing in at the provider (One Login may send codes)
LOGOUT_STATE_MAX_AGE = 60 * 60
HTTP_TIMEOUT = 10  # seconds for each call to the provider
_EXTENSION = "hub_oidc"
_LOCK = threading.Lock()


class ProviderError(Exception):
    """Signing in at the provider did not succeed; `reason` is a short code for the log."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(f"{reason}: {message}" if message else reason)
        self.reason = reason


class IdTokenError(ProviderError):
    """An ID token that must not be trusted. `reason` names the check that failed: malformed,
    alg, key, signature, iss, aud, azp, sub, exp, iat, nbf, nonce or vot."""


def enabled() -> bool:
    config = current_app.config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def provider_name() -> str:
    return current_app.config["OIDC_PROVIDER_NAME"]


# The ID token -----------------------------------------------------------------------------


def _b64_json(segment: str) -> Any:
    padded = segment + "=" * (-len(segment) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_id_token(
    id_token: str,
    *,
    jwks: dict,
    issuer: str,
    client_id: str,
    nonce: str,
    expected_vot: str | None,
    now: float,
    leeway: int = 60,
) -> dict:
    """The ID token's claims, once its signature, issuer, audience, times, nonce and level of
    authentication (`vot`, when `expected_vot` is set) are all as they must be (OpenID Connect
    Core 3.1.3.7). Raises IdTokenError otherwise. Pure: the caller supplies keys and clock."""
    parts = id_token.split(".") if isinstance(id_token, str) else []
    if len(parts) != 3:  # a JWS in compact form; never a JWE or anything else
        raise IdTokenError("malformed", "not a signed JWT")
    try:
        header = _b64_json(parts[0])
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise IdTokenError("malformed", "unreadable header") from exc
    alg = header.get("alg") if isinstance(header, dict) else None
    if alg not in ALLOWED_ALGORITHMS:
        raise IdTokenError("alg", f"algorithm {alg!r} is not allowed")

    # Only the provider's public signing keys: a symmetric ("oct") key in the set is never used.
    keys = [
        k
        for k in jwks.get("keys", [])
        if isinstance(k, dict) and k.get("kty") in {"RSA", "EC"} and k.get("use", "sig") == "sig"
    ]
    try:
        key_set = KeySet.import_key_set({"keys": keys})
        token = jwt.decode(id_token, key_set, algorithms=[alg])
    except BadSignatureError as exc:
        raise IdTokenError("signature", "the signature does not verify") from exc
    except UnsupportedKeyAlgorithmError as exc:  # the provider's key is for another algorithm
        raise IdTokenError("alg", str(exc)) from exc
    except (InvalidKeyIdError, MissingKeyError, InvalidKeyTypeError) as exc:
        raise IdTokenError("key", "no provider key for this token") from exc
    except (JoseError, ValueError) as exc:
        raise IdTokenError("malformed", str(exc)) from exc
    claims = dict(token.claims)

    if claims.get("iss") != issuer:
        raise IdTokenError("iss", "issued by someone else")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if client_id not in audiences:
        raise IdTokenError("aud", "not issued to this client")
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        raise IdTokenError("azp", "authorised party is not this client")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise IdTokenError("sub", "no subject")
    exp, iat, nbf = claims.get("exp"), claims.get("iat"), claims.get("nbf")
    if not _number(exp) or now > exp + leeway:
        raise IdTokenError("exp", "expired")
    if not _number(iat) or iat > now + leeway:
        raise IdTokenError("iat", "issued in the future")
    if nbf is not None and (not _number(nbf) or nbf > now + leeway):
        raise IdTokenError("nbf", "not valid yet")
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not hmac.compare_digest(
        token_nonce.encode(), nonce.encode()
    ):
        raise IdTokenError("nonce", "nonce does not match this sign-in")
    if expected_vot and claims.get("vot") != expected_vot:
        raise IdTokenError("vot", f"level of authentication {claims.get('vot')!r}")
    return claims


# The client (Authlib), registered lazily from the configuration -----------------------------


def _load_private_key(value: str) -> jwk.RSAKey | jwk.ECKey:
    """OIDC_PRIVATE_KEY: an inline JWK (JSON) or the path of a PEM file."""
    text = value.strip()
    if text.startswith("{"):
        key = jwk.import_key(json.loads(text))
    else:
        data = Path(text).read_bytes()
        try:
            key = jwk.import_key(data, "RSA")
        except InvalidKeyTypeError:
            key = jwk.import_key(data, "EC")
    if not isinstance(key, jwk.RSAKey | jwk.ECKey) or not key.is_private:
        raise ValueError("OIDC_PRIVATE_KEY must be an RSA or EC private key")
    return key


def _is_loopback(url: str) -> bool:
    return urlsplit(url).hostname in {"127.0.0.1", "localhost", "::1"}


def _check_transport(url: str) -> None:
    # Plain http only to a provider on this machine (the e2e tests and the demo).
    if urlsplit(url).scheme != "https" and not _is_loopback(url):
        raise ProviderError("config", f"{url} is not https")


def _settings_key() -> tuple:
    config = current_app.config
    names = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_PRIVATE_KEY", "OIDC_SCOPES")
    return tuple(config.get(name) for name in names)


def _client() -> Any:
    """The Authlib client for this app, made on first use (so an app without OIDC settings never
    touches them) and made again if the settings change."""
    # The app itself, not the proxy (OAuth keeps it): Flask types current_app as the app.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = _settings_key()
    cached = app.extensions.get(_EXTENSION)
    if cached and cached[0] == key:
        return cached[1]
    with _LOCK:
        config = app.config
        issuer = config["OIDC_ISSUER"]
        _check_transport(issuer)
        if not config.get("OIDC_PRIVATE_KEY"):
            raise ProviderError("config", "OIDC_PRIVATE_KEY is not set")
        try:
            private_key = _load_private_key(config["OIDC_PRIVATE_KEY"])
        except (OSError, ValueError, JoseError) as exc:
            raise ProviderError("config", f"OIDC_PRIVATE_KEY: {type(exc).__name__}") from exc
        alg = private_key.alg or ("RS256" if isinstance(private_key, jwk.RSAKey) else "ES256")
        kid = private_key.kid
        scopes = config["OIDC_SCOPES"].split()
        if "openid" not in scopes:
            scopes.insert(0, "openid")
        oauth = OAuth(app)
        client = oauth.register(
            name="provider",
            client_id=config["OIDC_CLIENT_ID"],
            client_secret=private_key,  # what Authlib's PrivateKeyJWT signs the assertion with
            server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_auth_methods=[PrivateKeyJWT(alg=alg, headers={"kid": kid} if kid else None)],
            client_kwargs={
                "scope": " ".join(scopes),
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "private_key_jwt",
                "default_timeout": HTTP_TIMEOUT,
            },
        )
        app.extensions[_EXTENSION] = (key, client)
        return client


def _metadata(client: Any) -> dict:
    """The provider's discovery document (fetched once per process), checked before use."""
    try:
        metadata = client.load_server_metadata()
    except (RequestException, ValueError, TypeError) as exc:
        raise ProviderError("discovery", type(exc).__name__) from exc
    configured = current_app.config["OIDC_ISSUER"].rstrip("/")
    if str(metadata.get("issuer", "")).rstrip("/") != configured:
        raise ProviderError("discovery", "the discovery document names another issuer")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not metadata.get(name):
            raise ProviderError("discovery", f"no {name}")
        _check_transport(metadata[name])
    return metadata


# The flow ---------------------------------------------------------------------------------


def callback_url() -> str:
    # One fixed address (the English one) to register with the provider; the flow remembers
    # the page language.
    return service.external_url("accounts.oidc_callback", lang=DEFAULT)


def begin(*, lang: str, next_url: str | None, linking: bool) -> str:
    """Start signing in at the provider: keep state, nonce and PKCE verifier in the session and
    return the provider's authorization URL. `linking`: a signed-in person is adding the
    provider to their account, so the provider is asked to authenticate them afresh (a session
    someone else left open at the provider must not be linked to this account)."""
    client = _client()
    _metadata(client)
    config = current_app.config
    nonce, verifier = generate_token(32), generate_token(64)
    params: dict[str, str] = {"nonce": nonce, "code_verifier": verifier, "ui_locales": lang}
    if config.get("OIDC_VTR"):
        params["vtr"] = config["OIDC_VTR"]
    if linking:
        params["prompt"] = "login"
    try:
        started = client.create_authorization_url(callback_url(), **params)
    except (AuthlibBaseError, RequestException, ValueError) as exc:
        raise ProviderError("authorize", type(exc).__name__) from exc
    session[FLOW_KEY] = {
        "state": started["state"],
        "nonce": nonce,
        "verifier": verifier,
        "lang": lang,
        "next": local_path(next_url),
        "at": int(time.time()),
    }
    return started["url"]


def take_flow(state: str | None) -> dict | None:
    """The flow this callback answers, removed from the session whatever happens next, so a
    callback cannot be replayed; None if the state does not match or is too old."""
    flow = session.pop(FLOW_KEY, None)
    if not isinstance(flow, dict) or not state:
        return None
    if not hmac.compare_digest(str(flow.get("state", "")).encode(), state.encode()):
        return None
    if time.time() - flow.get("at", 0) > FLOW_MAX_AGE:
        return None
    return flow


@dataclass(frozen=True)
class SignIn:
    """What the provider told us about the person, once every check has passed."""

    claims: dict  # the ID token's
    id_token: str
    userinfo: dict

    @property
    def issuer(self) -> str:
        return self.claims["iss"]

    @property
    def subject(self) -> str:
        return self.claims["sub"]

    @property
    def email(self) -> str | None:
        email = self.userinfo.get("email", self.claims.get("email"))
        return service.normalise_email(email) if isinstance(email, str) and email else None

    @property
    def email_verified(self) -> bool:
        return self.userinfo.get("email_verified", self.claims.get("email_verified")) is True


def exchange(flow: dict, code: str, *, iss: str | None = None) -> SignIn:
    """Swap the code for tokens (private_key_jwt + PKCE verifier), check the ID token, and read
    the e-mail address from the userinfo endpoint (where One Login gives it)."""
    client = _client()
    metadata = _metadata(client)
    issuer = metadata["issuer"]
    if iss is not None and iss != issuer:  # RFC 9207: the answer came from another provider
        raise ProviderError("iss", "authorization response from another issuer")
    try:
        token = client.fetch_access_token(
            redirect_uri=callback_url(), code=code, code_verifier=flow["verifier"]
        )
    except (AuthlibBaseError, JoseError, RequestException, ValueError, TypeError) as exc:
        raise ProviderError("token", getattr(exc, "error", None) or type(exc).__name__) from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise IdTokenError("malformed", "no ID token")
    config = current_app.config

    def check(jwks: dict) -> dict:
        return validate_id_token(
            id_token,
            jwks=jwks,
            issuer=issuer,
            client_id=config["OIDC_CLIENT_ID"],
            nonce=flow["nonce"],
            expected_vot=config.get("OIDC_EXPECTED_VOT") or None,
            now=time.time(),
        )

    try:
        try:
            claims = check(client.fetch_jwk_set())
        except IdTokenError as exc:
            if exc.reason != "key":
                raise
            claims = check(client.fetch_jwk_set(force=True))  # the provider rotated its keys
        userinfo: dict = {}
        if metadata.get("userinfo_endpoint"):
            _check_transport(metadata["userinfo_endpoint"])
            userinfo = dict(client.userinfo(token=token))
            if userinfo.get("sub") != claims["sub"]:
                raise ProviderError("userinfo", "userinfo is about someone else")
    except (AuthlibBaseError, RequestException, ValueError, TypeError, KeyError) as exc:
        raise ProviderError("userinfo", type(exc).__name__) from exc
    return SignIn(claims=claims, id_token=id_token, userinfo=userinfo)


# Accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """`result` is "signed_in", "created", "linked" or "already_linked" on success, otherwise
    the problem: "linked_elsewhere", "email_taken" or "unverified"."""

    result: str
    user: User | None = None

    @property
    def ok(self) -> bool:
        return self.result in {"signed_in", "created", "linked", "already_linked"}


def find_identity(issuer: str, subject: str) -> OidcIdentity | None:
    return db.session.scalar(
        select(OidcIdentity).where(OidcIdentity.issuer == issuer, OidcIdentity.subject == subject)
    )


def complete(result: SignIn, *, current: User | None, lang: str) -> Outcome:
    """Apply the account rules, sign in or link, and commit. `current`: who this browser is
    signed in as, if anyone."""
    identity = find_identity(result.issuer, result.subject)
    if current is not None:
        if identity is not None and identity.user_id != current.id:
            return Outcome("linked_elsewhere")
        outcome = "already_linked"
        if identity is None:
            db.session.add(OidcIdentity(user=current, issuer=result.issuer, subject=result.subject))
            audit.record("oidc_linked", actor=current, subject=current, issuer=result.issuer)
            outcome = "linked"
        # The provider has a session now: end it too when this session ends.
        g.user_session.id_token = result.id_token
        db.session.commit()
        return Outcome(outcome, current)

    if identity is not None:
        return _sign_in(identity.user, result, "signed_in")
    # Check the address is the person's before saying anything about accounts that use it.
    if not result.email or not result.email_verified:
        return Outcome("unverified")
    if service.find_by_email(result.email) is not None:
        # Never link silently: whoever controls this provider account may not own ours.
        return Outcome("email_taken")
    user = User(email=result.email, email_confirmed_at=utcnow(), language=lang)
    db.session.add(user)
    db.session.add(OidcIdentity(user=user, issuer=result.issuer, subject=result.subject))
    try:
        db.session.flush()
    except IntegrityError:  # the same address or identity, created a moment ago elsewhere
        db.session.rollback()
        return Outcome("email_taken")
    audit.record("sign_up", subject=user, method="oidc")
    audit.record("oidc_linked", actor=user, subject=user, issuer=result.issuer)
    return _sign_in(user, result, "created")


def _sign_in(user: User, result: SignIn, outcome: str) -> Outcome:
    service.signed_in(user, method="oidc")
    # The provider's medium level of authentication (vot Cl.Cm) counts as the second factor.
    sessions.start(user, mfa=True, id_token=result.id_token)
    db.session.commit()
    return Outcome(outcome, user)


def unlink(user: User) -> int:
    """Stop signing in with the provider. Refused while the account has no password, which
    would leave no way in."""
    if not user.password_hash:
        raise PermissionError("an account without a password must keep its provider sign-in")
    count = len(user.identities)
    user.identities = []
    audit.record("oidc_unlinked", actor=user, subject=user, identities=count)
    db.session.commit()
    return count


# Signing out at the provider --------------------------------------------------------------


def _logout_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="oidc-logout")


def post_logout_url() -> str:
    # Like the callback, one fixed address to register with the provider; where the browser
    # goes from there travels in the (signed) state.
    return service.external_url("accounts.oidc_signed_out", lang=DEFAULT)


def provider_logout_url(id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser so the provider ends its own session too (RP-initiated logout),
    or None when the session did not come from a provider. One Login's session outlives a closed
    browser: without this, the next person on a shared phone would be signed straight back in.

    The provider sends the browser back to our one registered post-logout address, with a signed
    `state` naming `post_logout_redirect_uri`, where it then goes. A provider that cannot be
    reached must not stop anyone signing out or leaving: then this returns None."""
    if not id_token or not enabled():
        return None
    try:
        client = _client()
        endpoint = _metadata(client).get("end_session_endpoint")
        if endpoint:
            _check_transport(endpoint)
    except ProviderError as exc:
        log.warning("oidc: cannot end the provider's session: %s", exc)
        return None
    if not endpoint:
        return None
    state = _logout_serializer().dumps({"to": post_logout_redirect_uri})
    params = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": post_logout_url(),
        "client_id": current_app.config["OIDC_CLIENT_ID"],
        "state": state,
        "ui_locales": g.get("lang", DEFAULT),
    }
    return add_params_to_uri(endpoint, list(params.items()))


def after_logout_destination(state: str | None) -> str | None:
    """Where the browser goes once the provider has signed it out: the address signed into the
    state by provider_logout_url, if the state is ours, recent, and names our own site or the
    Exit destination (never an open redirect)."""
    if not state:
        return None
    try:
        data = _logout_serializer().loads(state, max_age=LOGOUT_STATE_MAX_AGE)
    except BadData:
        return None
    target = data.get("to") if isinstance(data, dict) else None
    if not isinstance(target, str):
        return None
    config = current_app.config
    own = config["BASE_URL"].rstrip("/") + "/"
    if target == config["EXIT_REDIRECT_URL"] or target.startswith(own):
        return target
    return None
