"""Password rules (NCSC guidance): at least 12 characters, no composition rules, not a common
password. Hashing with Argon2id. Plain Python, no Flask."""

from __future__ import annotations

import contextlib
import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256  # long enough for any passphrase, short enough that hashing stays cheap

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from public breach corpora.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def normalise(password: str) -> str:
    """NFKC, so the same passphrase typed on different keyboards matches."""
    return unicodedata.normalize("NFKC", password)


def problem_with(password: str, *, email: str = "") -> str | None:
    """Why a new password is not acceptable, as a message key; None if it is fine."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.rstrip("0123456789!") in _common_passwords():
        return "common"
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        return "contains_email"
    if len(set(password)) <= 2:
        return "common"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(normalise(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        burn_time()  # as long as a real check, so timing does not reveal a missing password
        return False
    try:
        return _hasher.verify(stored_hash, normalise(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("a dummy password that nobody has")


def burn_time() -> None:
    """Do the work of one password check, for answers that must not be faster (unknown e-mail)."""
    with contextlib.suppress(VerifyMismatchError):
        _hasher.verify(_dummy_hash(), "not the password")
