"""Encryption at rest (TOTP secrets; victims' statements, reasons and messages), with a key derived
from DATA_KEY or SECRET_KEY."""

from __future__ import annotations

import base64
import json
from functools import cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator


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


def encrypt_bytes(value: bytes) -> str:
    return _cipher().encrypt(value).decode()


def decrypt_bytes(token: str) -> bytes:
    return _cipher().decrypt(token.encode())


class EncryptedText(TypeDecorator):
    """A text column stored encrypted (Fernet: AES-128-CBC + HMAC), read back as text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return encrypt(value) if value is not None else None

    def process_result_value(self, value, dialect):
        return decrypt(value) if value is not None else None


class EncryptedJSON(TypeDecorator):
    """A JSON value stored encrypted. Not queryable inside: nothing needs to be."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return encrypt(json.dumps(value, ensure_ascii=False)) if value is not None else None

    def process_result_value(self, value, dialect):
        return json.loads(decrypt(value)) if value is not None else None


class EncryptedBytes(TypeDecorator):
    """Bytes (a PDF) stored encrypted, as Fernet's base64 text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return encrypt_bytes(value) if value is not None else None

    def process_result_value(self, value, dialect):
        return decrypt_bytes(value) if value is not None else None
