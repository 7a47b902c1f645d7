"""OpenID Connect sign-in (relying party), for GOV.UK One Login or any certified provider."""

from __future__ import annotations

from flask import current_app


def enabled() -> bool:
    config = current_app.config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def provider_logout_url(id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser so the provider ends its own session too (RP-initiated logout),
    or None when the session did not come from a provider. One Login's session outlives a closed
    browser: without this, the next person on a shared phone would be signed straight back in."""
    if not id_token or not enabled():
        return None
    raise NotImplementedError("RP-initiated logout is added with the OIDC sign-in flow")
