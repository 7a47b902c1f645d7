"""The hub as an OAuth2 authorization server for agency systems (client credentials only, RFC 7009
revocation), and the resource protector for /api/v1. Tokens are stored by hash. A token grants
only scopes its client holds; one that would grant none is refused (`invalid_scope`)."""

from __future__ import annotations

import os

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token
from authlib.oauth2.rfc6749 import InvalidScopeError, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core.time import utcnow
from app.extensions import db
from app.partners.models import PartnerClient, PartnerToken, secret_hash

TOKEN_LIFETIME = 3600


def _query_client(client_id: str) -> PartnerClient | None:
    return db.session.scalar(
        select(PartnerClient).where(
            PartnerClient.client_id == client_id, PartnerClient.revoked_at.is_(None)
        )
    )


def _save_token(token: dict, request) -> None:
    db.session.add(
        PartnerToken(
            client_pk=request.client.id,
            token_hash=secret_hash(token["access_token"]),
            scope=token.get("scope", ""),
            expires_in=token["expires_in"],
        )
    )
    db.session.commit()


class _ClientCredentials(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")

    def validate_token_request(self) -> None:
        super().validate_token_request()
        # A request for scopes the client does not hold would otherwise get a token that can do
        # nothing (RFC 6749 section 5.2: invalid_scope). Asked for none, it gets all it holds.
        client, payload = self.request.client, self.request.payload
        if client is None or not client.get_allowed_scope((payload.scope if payload else "") or ""):
            raise InvalidScopeError("None of the scopes asked for is granted to this client.")


class _Revocation(RevocationEndpoint):
    """RFC 7009: a client revokes one of its own tokens (an unknown token is answered 200 and
    nothing happens; another client's token is refused)."""

    CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")

    def query_token(self, token_string: str, token_type_hint: str | None) -> PartnerToken | None:
        # Access tokens only (no refresh tokens are issued): the hint changes nothing.
        return db.session.scalar(
            select(PartnerToken).where(PartnerToken.token_hash == secret_hash(token_string))
        )

    def revoke_token(self, token: PartnerToken, request) -> None:
        if token.revoked_at is None:
            token.revoked_at = utcnow()
        db.session.commit()


class _HashedBearerTokens(BearerTokenValidator):
    def authenticate_token(self, token_string: str) -> PartnerToken | None:
        # The client and its agency come in the same query: every API call reads both.
        return db.session.scalar(
            select(PartnerToken)
            .where(PartnerToken.token_hash == secret_hash(token_string))
            .options(joinedload(PartnerToken.client).joinedload(PartnerClient.agency))
        )


def current_client() -> PartnerClient:
    """The client whose token this API call came with (in a view under @require_oauth)."""
    token: PartnerToken = current_token._get_current_object()
    return token.client


authorization = AuthorizationServer(query_client=_query_client, save_token=_save_token)
require_oauth = ResourceProtector()
require_oauth.register_token_validator(_HashedBearerTokens())


def init_app(app: Flask) -> None:
    if app.config["HUB_ENV"] != "production":
        # Local and test servers speak plain http; production is https behind the proxy
        # (PROXY_COUNT makes the scheme visible), where Authlib's check stays on.
        os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    app.config.setdefault("OAUTH2_TOKEN_EXPIRES_IN", {"client_credentials": TOKEN_LIFETIME})
    authorization.init_app(app)
    authorization.register_grant(_ClientCredentials)
    authorization.register_endpoint(_Revocation)


def revocation_response():
    return authorization.create_endpoint_response(_Revocation.ENDPOINT_NAME)
