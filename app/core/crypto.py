"""Encryption at rest (TOTP secrets; victims' statements, reasons and messages), with keys derived
from DATA_KEY, or SECRET_KEY when it is unset.

DATA_KEY may list several keys, newest first ("new,old"): the first encrypts, any of them
decrypts, and `flask accounts rotate-data-key` re-encrypts everything with the first, after which
the old one can go. SECRET_KEY always decrypts too, so setting DATA_KEY for the first time on a
hub that had none loses nothing."""

from __future__ import annotations

import base64
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
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


class UnreadableData(RuntimeError):
    """Stored data that none of the configured keys decrypts."""


def key_materials(data_key: str | None, secret_key: str) -> tuple[str, ...]:
    """The keys, the one that encrypts first."""
    listed = [key.strip() for key in (data_key or "").split(",") if key.strip()]
    return tuple(dict.fromkeys([*listed, secret_key]))  # in order, each once


@cache
def _multi(materials: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet(material) for material in materials])


def _materials() -> tuple[str, ...]:
    config = current_app.config
    return key_materials(config.get("DATA_KEY"), config["SECRET_KEY"])


def _cipher() -> MultiFernet:
    return _multi(_materials())


UNREADABLE = (
    "Stored data could not be decrypted with any key: was a key removed from DATA_KEY, or "
    "SECRET_KEY changed while DATA_KEY was unset? Put the old key back at the end of DATA_KEY, "
    "then run `flask accounts rotate-data-key`."
)


def _decrypt(token: str) -> bytes:
    try:
        return _cipher().decrypt(token.encode())
    except InvalidToken:
        raise UnreadableData(UNREADABLE) from None


def encrypt(value: str) -> str:
    return _cipher().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _decrypt(token).decode()


def encrypt_bytes(value: bytes) -> str:
    return _cipher().encrypt(value).decode()


def decrypt_bytes(token: str) -> bytes:
    return _decrypt(token)


def rotate(token: str) -> str | None:
    """The same data encrypted with the first key; None if it already is."""
    try:
        _fernet(_materials()[0]).decrypt(token.encode())
        return None
    except InvalidToken:
        pass
    try:
        return _cipher().rotate(token.encode()).decode()
    except InvalidToken:
        raise UnreadableData(UNREADABLE) from None


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


def is_encrypted(column) -> bool:
    """One of the types above, or a column holding encrypt()'s output that says so in its info
    (`info={"encrypted": True}`)."""
    return isinstance(column.type, EncryptedText | EncryptedJSON | EncryptedBytes) or bool(
        column.info.get("encrypted")
    )
