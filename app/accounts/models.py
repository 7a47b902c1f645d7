"""Accounts: people, their sessions, second factors, linked OpenID identities, and the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.ids import new_public_id
from app.core.time import utcnow
from app.extensions import Model


def token_hash(token: str) -> str:
    """How random tokens and secrets are stored: long random strings need no slow hash, only one
    that keeps a copy of the database from being usable."""
    return hashlib.sha256(token.encode()).hexdigest()


class Role(StrEnum):
    VICTIM = "victim"
    NAVIGATOR = "navigator"
    EDITOR = "editor"
    PARTNER_ADMIN = "partner-admin"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.NAVIGATOR, Role.EDITOR, Role.PARTNER_ADMIN, Role.ADMIN})


class User(Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    email_confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    role: Mapped[str] = mapped_column(String(20), default=Role.VICTIM)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # Second factor: the TOTP secret is stored encrypted (see crypto.py).
    totp_secret_encrypted: Mapped[str | None] = mapped_column(Text, info={"encrypted": True})
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    # Abuse protection: failures since the last success, and a lock that grows with them.
    # Counted by one UPDATE each (service.count_failure), so concurrent failures all count.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The same for wrong second-factor codes, kept apart: a password reset proves the e-mail
    # address, not the second factor, so it lifts the password's lock and not this one.
    failed_second_factors: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    second_factor_locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    # Profile and safe contact.
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(8), default="en")
    contact_channel: Mapped[str] = mapped_column(String(10), default="email")
    phone: Mapped[str | None] = mapped_column(String(32))
    safe_days: Mapped[str] = mapped_column(String(40), default="mon,tue,wed,thu,fri")
    safe_from: Mapped[str] = mapped_column(String(5), default="09:00")
    safe_to: Mapped[str] = mapped_column(String(5), default="17:00")
    may_name_hub: Mapped[bool] = mapped_column(Boolean, default=False)

    deletion_requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    identities: Mapped[list[OidcIdentity]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None


class RecoveryCode(Model):
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(255))  # Argon2id, salted
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship(back_populates="recovery_codes")


class OidcIdentity(Model):
    """A sign-in at an OpenID provider (e.g. GOV.UK One Login) linked to an account."""

    __tablename__ = "oidc_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    linked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[User] = relationship(back_populates="identities")


class UserSession(Model):
    """A signed-in session. The cookie holds a random token; only its hash is stored here, so a
    copy of the database cannot be used to take over sessions."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    mfa_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The provider's ID token, kept to end its session too (RP-initiated logout).
    id_token: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(32))
    user: Mapped[User] = relationship()


class AuditEvent(Model):
    """Append-only: the migration adds triggers that refuse UPDATE and DELETE on this table.
    User ids are plain columns, not foreign keys, so the record outlives a deleted account."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_role: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str | None] = mapped_column(Text)


class TrustedPerson(Model):
    """Someone a victim invites to act for them (a friend, parent or advocate), with only the
    rights the victim chooses. The invitation is accepted from the person's own account."""

    __tablename__ = "trusted_person"

    RIGHTS = ("see_updates", "make_requests", "send_messages")

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    victim_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(100))
    rights: Mapped[str] = mapped_column(String(100))
    invite_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    victim: Mapped[User] = relationship(foreign_keys=[victim_id])

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "active" if self.accepted_at else "invited"

    @property
    def right_list(self) -> list[str]:
        return [r for r in self.rights.split(",") if r]


class Passkey(Model):
    """A WebAuthn credential (a passkey) that signs its owner in. Only the public key is held:
    the private key never leaves the person's device or password manager."""

    __tablename__ = "passkey"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1023), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE-encoded
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    transports: Mapped[str | None] = mapped_column(String(100))  # comma-separated
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The hash of the challenge it last answered: the session holding a challenge is a signed
    # cookie, so a copy of it could be sent again; this makes each answer count once even then.
    last_challenge: Mapped[str | None] = mapped_column(String(64))
    user: Mapped[User] = relationship()
