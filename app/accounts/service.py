"""Account logic shared by the views, the CLI and (later) the API. No request parsing here."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts import audit, passwords, tokens, totp
from app.accounts.models import RecoveryCode, User
from app.core import crypto
from app.core.time import as_utc, utcnow
from app.extensions import db
from app.notify.email import send_email

LOCK_AFTER = 5  # failed sign-ins before the account locks
MAX_LOCK = dt.timedelta(hours=1)


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


def sign_up(email: str, password: str, lang: str) -> None:
    """Create an account and send a confirmation link. If the address already has an account,
    tell its owner by e-mail instead: the person on the page sees the same answer either way."""
    email = normalise_email(email)
    existing = find_by_email(email)
    if existing is not None:
        passwords.burn_time()
        send_email(
            email,
            _("Your account"),
            _(
                "Someone asked to create an account with this e-mail address, but it already has "
                "one. If it was you, sign in or reset your password here: %(link)s\n\n"
                "If it was not you, you do not need to do anything.",
                link=external_url("accounts.forgot_password", lang=lang),
            ),
        )
        audit.record("sign_up_existing", subject=existing)
        db.session.commit()
        return
    user = User(
        email=email,
        password_hash=passwords.hash_password(password),
        password_changed_at=utcnow(),
        language=lang,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("sign_up", subject=user)
    db.session.commit()
    send_confirmation(user, lang)


def send_confirmation(user: User, lang: str) -> None:
    link = external_url("accounts.confirm_email", token=tokens.confirm_token(user), lang=lang)
    send_email(
        user.email,
        _("Confirm your e-mail address"),
        _(
            "To finish creating your account, open this link within 3 days:\n\n%(link)s\n\n"
            "If you did not ask for an account, you do not need to do anything.",
            link=link,
        ),
    )


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
    problem: str | None  # "bad", "locked", "unconfirmed"


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
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= LOCK_AFTER:
            # 1, 2, 4, 8 … minutes, up to an hour: slows guessing without a permanent lock-out.
            minutes = 2 ** (user.failed_sign_ins - LOCK_AFTER)
            user.locked_until = now + min(dt.timedelta(minutes=minutes), MAX_LOCK)
        audit.record("sign_in_failed", subject=user, failures=user.failed_sign_ins)
        db.session.commit()
        return SignInResult(None, "bad")
    if user.email_confirmed_at is None:
        return SignInResult(None, "unconfirmed")
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    return SignInResult(user, None)


def signed_in(user: User, *, method: str) -> None:
    user.failed_sign_ins = 0
    user.locked_until = None
    audit.record("sign_in", actor=user, subject=user, method=method)
    db.session.commit()


# Password reset ----------------------------------------------------------------------------


def request_password_reset(email: str, lang: str) -> None:
    user = find_by_email(email)
    if user is None:
        passwords.burn_time()
        return
    link = external_url("accounts.reset_password", token=tokens.reset_token(user), lang=lang)
    send_email(
        user.email,
        _("Reset your password"),
        _(
            "To choose a new password, open this link within 1 hour:\n\n%(link)s\n\n"
            "If you did not ask for this, you do not need to do anything: your password has not "
            "changed.",
            link=link,
        ),
    )
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


def check_second_factor(user: User, code: str) -> str | None:
    """'totp' or 'recovery' if the code is good (each usable once), else None."""
    secret = pending_totp_secret(user)
    if secret and user.has_totp:
        step = totp.verify(secret, code, last_used_step=user.totp_last_step, at=time.time())
        if step is not None:
            user.totp_last_step = step
            db.session.commit()
            return "totp"
    candidate = totp.normalise_recovery_code(code)
    recovery_codes = user.recovery_codes if len(candidate) == totp.RECOVERY_CODE_LENGTH else []
    for recovery in recovery_codes:
        if recovery.used_at is None and passwords.verify_password(recovery.code_hash, candidate):
            recovery.used_at = utcnow()
            audit.record("recovery_code_used", actor=user, subject=user)
            db.session.commit()
            return "recovery"
    audit.record("mfa_failed", subject=user)
    db.session.commit()
    return None


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
