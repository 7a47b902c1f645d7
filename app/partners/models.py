"""Agency API clients, their access tokens, and remembered responses for idempotent writes."""

from __future__ import annotations

import datetime as dt
import hmac

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, update
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.accounts.models import token_hash
from app.cases.models import Agency
from app.core.time import as_utc, utcnow
from app.extensions import Model, db

# What a token may do. Every /api/v1 route but the OpenAPI document needs one of these.
SCOPES = (
    "cases:read",  # read a journey: its participants and timeline
    "cases:write",  # create or update your cases, add victims
    "events:write",  # send events
    "entitlements:read",  # the Victims' Code duties your agency owes
    "webhooks:manage",  # read, register, move, test and remove your alert URL
    "requests:read",  # victims' requests sent to you, with their answers and PDFs
    "requests:write",  # move a request on
)


# Client secrets and access tokens are stored like session tokens (cheap to check per call).
secret_hash = token_hash


class PartnerClient(Model):
    """An agency's API client (OAuth2 client-credentials). Only the secret's hash is stored."""

    __tablename__ = "partner_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(48), unique=True)
    client_secret_hash: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    agency: Mapped[Agency] = relationship()

    # Authlib's client interface (client credentials only) ------------------------------------

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return self.scope
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(self.client_secret_hash, secret_hash(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint in {"token", "revocation"} and method in {
            "client_secret_basic",
            "client_secret_post",
        }

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"

    def check_response_type(self, response_type: str) -> bool:
        return False

    # Rotation and revocation -----------------------------------------------------------------

    def set_secret(self, secret: str) -> None:
        """Store a new secret (only its hash): the tokens issued with the old one stop working."""
        self.client_secret_hash = secret_hash(secret)

    @validates("client_secret_hash")
    def _secret_changed(self, _key: str, value: str) -> str:
        # However the hash is changed, every token issued with the old secret stops working at
        # once: whoever rotates a secret does it because the old one may be known.
        if self.id is not None and value != self.client_secret_hash:
            revoke_tokens(self)
        return value

    def revoke(self) -> None:
        """Switch the client off: no new token, and its tokens refused from now on."""
        self.revoked_at = utcnow()
        revoke_tokens(self)


class PartnerToken(Model):
    __tablename__ = "partner_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(
        ForeignKey("partner_client.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_in: Mapped[int] = mapped_column(Integer)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    client: Mapped[PartnerClient] = relationship()

    # Authlib's token interface --------------------------------------------------------------

    def check_client(self, client: PartnerClient) -> bool:
        return self.client_pk == client.id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return utcnow() >= as_utc(self.issued_at) + dt.timedelta(seconds=self.expires_in)

    def is_revoked(self) -> bool:
        return self.revoked_at is not None or self.client.revoked_at is not None


def revoke_tokens(client: PartnerClient) -> int:
    """Mark every token of this client not yet revoked as revoked (in the caller's
    transaction); how many."""
    result = db.session.execute(
        update(PartnerToken)
        .where(PartnerToken.client_pk == client.id, PartnerToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


class IdempotencyRecord(Model):
    """The first answer to a write with a given Idempotency-Key, replayed for repeats."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("client_pk", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("partner_client.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
