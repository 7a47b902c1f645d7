"""Encryption of secrets at rest (TOTP secrets), with a key derived from DATA_KEY or SECRET_KEY."""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


@cache
def _fernet(key_material: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"victim-care-hub/data-at-rest"
    ).derive(key_material.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _cipher() -> Fernet:
    return _fernet(current_app.config.get("DATA_KEY") or current_app.config["SECRET_KEY"])


def encrypt(value: str) -> str:
    return _cipher().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _cipher().decrypt(token.encode()).decode()
