"""Signed, expiring tokens for links in e-mails (confirm an address, reset a password).

A reset token carries a fingerprint of the current password hash, so it stops working the moment
the password changes: each link works once. A confirmation token carries the address it confirms.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.accounts.models import User

CONFIRM_MAX_AGE = 3 * 24 * 3600
RESET_MAX_AGE = 3600


@dataclass(frozen=True)
class TokenResult:
    user: User | None
    problem: str | None  # "expired", "invalid", "used"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"hub.{purpose}")


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


def confirm_token(user: User) -> str:
    return _serializer("confirm-email").dumps({"u": user.public_id, "e": user.email})


def reset_token(user: User) -> str:
    return _serializer("reset-password").dumps({"u": user.public_id, "p": _fingerprint(user)})


def _load(purpose: str, token: str, max_age: int) -> tuple[dict | None, str | None]:
    try:
        return _serializer(purpose).loads(token, max_age=max_age), None
    except SignatureExpired:
        return None, "expired"
    except BadSignature:
        return None, "invalid"


def read_confirm_token(token: str, find_user) -> TokenResult:
    data, problem = _load("confirm-email", token, CONFIRM_MAX_AGE)
    if data is None:
        return TokenResult(None, problem)
    user = find_user(data.get("u"))
    if user is None or user.email != data.get("e"):
        return TokenResult(None, "invalid")
    return TokenResult(user, None)


def read_reset_token(token: str, find_user) -> TokenResult:
    data, problem = _load("reset-password", token, RESET_MAX_AGE)
    if data is None:
        return TokenResult(None, problem)
    user = find_user(data.get("u"))
    if user is None:
        return TokenResult(None, "invalid")
    if data.get("p") != _fingerprint(user):
        return TokenResult(None, "used")
    return TokenResult(user, None)
