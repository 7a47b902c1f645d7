"""Account logic shared by the views, the CLI and (later) the API. No request parsing here."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts import audit, passwords, tokens, totp
from app.accounts.models import RecoveryCode, User
from app.core import crypto
from app.core.bulk import insert_new
from app.core.ids import new_public_id
from app.core.time import as_utc, utcnow
from app.extensions import db
from app.notify.outbox import queue_messages

LOCK_AFTER = 5  # failed sign-ins (or second-factor codes) before the account locks
MAX_LOCK = dt.timedelta(hours=1)

# E-mails about the account itself go through the outbox on a channel of their own (registered
# in contact.py), with these kinds; their words are in messages.py.
ACCOUNT_CHANNEL = "account"
CONFIRM_EMAIL, PASSWORD_RESET, ACCOUNT_EXISTS = "confirm_email", "password_reset", "account_exists"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def find_by_public_id(public_id: str | None) -> User | None:
    if not public_id:
        return None
    return db.session.scalar(select(User).where(User.public_id == public_id))


def external_url(endpoint: str, **values) -> str:
    """Links in e-mails use BASE_URL, never the Host header an attacker could set. Works in the
    worker too, where there is no request to build URLs from."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, **values)


# Sign-up and confirmation ------------------------------------------------------------------


def queue_account_email(kind: str, user: User | None, key: str) -> int:
    """Put an account e-mail in the outbox, in the caller's transaction; the worker writes and
    sends it (links are made then). With no user (an address without an account) the row is
    queued all the same and the worker drops it: the request does the same work either way.
    Returns 1 if queued, 0 if `key` was already used."""
    return queue_messages(
        [
            {
                "dedupe_key": f"account:{kind}:{key}",
                "kind": kind,
                "channel": ACCOUNT_CHANNEL,
                "user_id": user.id if user is not None else None,
                "payload": {},
                "not_before": utcnow(),
            }
        ]
    )


def sign_up(email: str, password: str, lang: str) -> None:
    """Create an account and send a confirmation link. If the address already has an account,
    tell its owner by e-mail instead (at most once a day). The person on the page sees the same
    answer, after the same work, either way: one password hashed, one INSERT tried, one audit row,
    one message queued, and no e-mail sent from the request. Two sign-ups racing for one address
    meet at the INSERT (ON CONFLICT DO NOTHING), and the loser takes the existing-account path."""
    email = normalise_email(email)
    now = utcnow()
    password_hash = passwords.hash_password(password)  # hashed even if the address is taken
    row = {
        "email": email,
        "password_hash": password_hash,
        "password_changed_at": now,
        "language": lang,
    }
    created = insert_new(User, [row], unique=("email",), returning=User)
    if created:
        [user] = created
        audit.record("sign_up", subject=user)
        queue_account_email(CONFIRM_EMAIL, user, user.public_id)
    else:
        existing = find_by_email(email)
        audit.record("sign_up_existing", subject=existing)
        # The day in the key: "this address already has an account" at most once a day.
        day = now.date().isoformat()
        who = existing.id if existing is not None else new_public_id()
        queue_account_email(ACCOUNT_EXISTS, existing, f"{who}:{day}")
    db.session.commit()


def confirm_email(token: str) -> tokens.TokenResult:
    result = tokens.read_confirm_token(token, find_by_public_id)
    if result.user is not None and result.user.email_confirmed_at is None:
        result.user.email_confirmed_at = utcnow()
        audit.record("email_confirmed", subject=result.user)
        db.session.commit()
    return result


# Sign-in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    problem: str | None  # "bad", "locked", "unconfirmed", "codes_locked"


def is_locked(until: dt.datetime | None, now: dt.datetime) -> bool:
    return until is not None and as_utc(until) > now


def lock_for(failures: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes from the LOCK_AFTER-th failure, up to an hour: slows guessing
    without a permanent lock-out."""
    return min(dt.timedelta(minutes=2 ** min(failures - LOCK_AFTER, 10)), MAX_LOCK)


def count_failure(
    user: User,
    counter: InstrumentedAttribute[int],
    locked_until: InstrumentedAttribute[dt.datetime | None],
    now: dt.datetime,
) -> int:
    """One more failure (of a password or of a second-factor code), counted by the database in
    one UPDATE … RETURNING, so concurrent failures all count; from the LOCK_AFTER-th, lock the
    account for longer each time (a lock only ever grows here, whichever request writes last).
    Returns the new count."""
    failures = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values({counter: counter + 1})
        .returning(counter)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(user, counter.key, failures)
    if failures >= LOCK_AFTER:
        until = now + lock_for(failures)
        db.session.execute(
            update(User)
            .where(User.id == user.id, or_(locked_until.is_(None), locked_until < until))
            .values({locked_until: until})
            .execution_options(synchronize_session=False)
        )
        db.session.expire(user, [locked_until.key])
    return failures


def authenticate(email: str, password: str) -> SignInResult:
    user = find_by_email(email)
    if user is None:
        passwords.burn_time()
        return SignInResult(None, "bad")
    now = utcnow()
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        passwords.burn_time()
        audit.record("sign_in_locked", subject=user)
        db.session.commit()
        return SignInResult(None, "locked")
    if not passwords.verify_password(user.password_hash, password):
        failures = count_failure(user, User.failed_sign_ins, User.locked_until, now)
        audit.record("sign_in_failed", subject=user, failures=failures)
        db.session.commit()
        return SignInResult(None, "bad")
    if user.email_confirmed_at is None:
        return SignInResult(None, "unconfirmed")
    if user.has_totp and is_locked(user.second_factor_locked_until, now):
        # Only someone who knows the password learns that the codes are locked.
        audit.record("sign_in_locked", subject=user, factor="second")
        db.session.commit()
        return SignInResult(None, "codes_locked")
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    return SignInResult(user, None)


def signed_in(user: User, *, method: str) -> None:
    user.failed_sign_ins = 0
    user.locked_until = None
    user.failed_second_factors = 0
    user.second_factor_locked_until = None
    audit.record("sign_in", actor=user, subject=user, method=method)
    db.session.commit()


# Password reset ----------------------------------------------------------------------------


def request_password_reset(email: str, lang: str) -> None:
    """Queue a reset link for the address's account. An address without one gets the same
    work (one look-up, one outbox row that the worker drops, one audit row, no hashing) and the
    same answer: neither the time taken nor the page says whether an account exists."""
    user = find_by_email(email)
    queue_account_email(PASSWORD_RESET, user, new_public_id())
    audit.record("password_reset_requested", subject=user)
    db.session.commit()


def change_password(user: User, current: str, new_password: str, keep_session) -> bool:
    """Change a password knowing the current one; every other session of the person ends."""
    from app.accounts import sessions

    if not passwords.verify_password(user.password_hash, current):
        audit.record("password_change_failed", subject=user)
        db.session.commit()
        return False
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    sessions.end_all(user, "password_changed")
    keep_session.ended_at = None
    keep_session.end_reason = None
    audit.record("password_changed", actor=user, subject=user)
    db.session.commit()
    return True


def reset_password(user: User, new_password: str) -> None:
    from app.accounts import sessions

    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_sign_ins = 0
    user.locked_until = None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the link proved they read this address
    sessions.end_all(user, "password_reset")
    audit.record("password_reset", subject=user)
    db.session.commit()


# Second factor -----------------------------------------------------------------------------


def begin_totp(user: User) -> str:
    """A new secret, kept encrypted but not enabled until a code from it is entered."""
    if user.has_totp:
        raise ValueError("two-step verification is already set up")
    secret = totp.new_secret()
    user.totp_secret_encrypted = crypto.encrypt(secret)
    db.session.commit()
    return secret


def pending_totp_secret(user: User) -> str | None:
    if user.totp_secret_encrypted is None:
        return None
    return crypto.decrypt(user.totp_secret_encrypted)


def confirm_totp(user: User, code: str) -> list[str] | None:
    """Enable TOTP if `code` matches; returns the new recovery codes to show once."""
    secret = pending_totp_secret(user)
    step = secret and totp.verify(secret, code, last_used_step=None, at=time.time())
    if not step:
        return None
    codes = totp.new_recovery_codes()
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    # Salted Argon2 hashes, like passwords: the codes are short enough to be worth guessing.
    user.recovery_codes = [
        RecoveryCode(code_hash=passwords.hash_password(totp.normalise_recovery_code(c)))
        for c in codes
    ]
    audit.record("mfa_enabled", actor=user, subject=user, method="totp")
    db.session.commit()
    return codes


@dataclass(frozen=True)
class SecondFactorResult:
    method: str | None  # "totp" or "recovery" if the code was good
    locked: bool = False  # too many wrong codes: start again from the password, later


def _use_step(user: User, step: int) -> bool:
    """Claim a TOTP time step: of concurrent requests with one code, one UPDATE matches."""
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # an UPDATE without RETURNING: it counts its rows
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def _use_recovery_code(recovery: RecoveryCode, now: dt.datetime) -> bool:
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == recovery.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:
        return False
    set_committed_value(recovery, "used_at", now)
    return True


def check_second_factor(user: User, code: str) -> SecondFactorResult:
    """Check a TOTP code or a recovery code, each usable once even by concurrent requests.
    Wrong codes are counted per account, and lock the second factor as wrong passwords lock
    sign-in (while it is locked, no code is even checked)."""
    now = utcnow()
    if is_locked(user.second_factor_locked_until, now):
        audit.record("mfa_locked", subject=user)
        db.session.commit()
        return SecondFactorResult(None, locked=True)
    secret = pending_totp_secret(user)
    if secret and user.has_totp:
        step = totp.verify(secret, code, last_used_step=user.totp_last_step, at=time.time())
        if step is not None and _use_step(user, step):
            _second_factor_succeeded(user)
            return SecondFactorResult("totp")
    candidate = totp.normalise_recovery_code(code)
    recovery_codes = user.recovery_codes if len(candidate) == totp.RECOVERY_CODE_LENGTH else []
    for recovery in recovery_codes:
        if recovery.used_at is None and passwords.verify_password(recovery.code_hash, candidate):
            if _use_recovery_code(recovery, now):
                audit.record("recovery_code_used", actor=user, subject=user)
                _second_factor_succeeded(user)
                return SecondFactorResult("recovery")
            break  # used by a concurrent request a moment ago
    failures = count_failure(user, User.failed_second_factors, User.second_factor_locked_until, now)
    audit.record("mfa_failed", subject=user, failures=failures)
    db.session.commit()
    return SecondFactorResult(None, locked=failures >= LOCK_AFTER)


def _second_factor_succeeded(user: User) -> None:
    user.failed_second_factors = 0
    user.second_factor_locked_until = None
    db.session.commit()


def check_password_again(user: User, password: str) -> SecondFactorResult:
    """ "Confirm it is you" for someone without a second factor: their password, with wrong
    ones counted and locked as at sign-in. `method` is "password" if it was right."""
    now = utcnow()
    if is_locked(user.locked_until, now):
        return SecondFactorResult(None, locked=True)
    if passwords.verify_password(user.password_hash, password):
        user.failed_sign_ins = 0
        db.session.commit()
        return SecondFactorResult("password")
    failures = count_failure(user, User.failed_sign_ins, User.locked_until, now)
    db.session.commit()
    return SecondFactorResult(None, locked=failures >= LOCK_AFTER)


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def disable_totp(user: User) -> None:
    if user.is_staff:
        raise PermissionError("staff accounts must keep two-step verification")
    user.totp_secret_encrypted = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.recovery_codes = []
    audit.record("mfa_disabled", actor=user, subject=user)
    db.session.commit()
