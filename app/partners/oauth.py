"""The hub as an OAuth2 authorization server for agency systems (client credentials only), and
the resource protector for /api/v1. Tokens are stored by hash."""

from __future__ import annotations

import os

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import joinedload

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
