"""Security headers through flask-talisman, with a CSP that allows no inline code but one script.

GOV.UK Frontend needs one tiny inline script at the top of <body> (it marks the body `js-enabled`
before anything is drawn, so enhanced components do not flash). Rather than a per-request nonce,
which would make every page unique and uncacheable, the CSP allows that one script by its hash.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from flask import Flask
from markupsafe import Markup

from app.extensions import talisman

JS_ENABLED_SCRIPT = (
    "document.body.className += ' js-enabled' + "
    "('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');"
)


def script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def provider_origins(config: dict) -> list[str]:
    """Where a form on our pages may lead besides ourselves: the OpenID provider's origin.
    Signing in and out are POST forms answered by a redirect to the provider, and browsers apply
    the CSP `form-action` directive to where a form's redirects lead too."""
    urls = [config.get("OIDC_ISSUER"), *(config.get("OIDC_EXTRA_ORIGINS") or "").split(",")]
    origins: list[str] = []
    for url in filter(None, (u.strip() for u in urls if u)):
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in {"https", "http"} and origin not in origins:
            origins.append(origin)
    return origins


def init_app(app: Flask) -> None:
    app.jinja_env.globals["js_enabled_script"] = Markup(JS_ENABLED_SCRIPT)  # a constant  # noqa: S704  # nosec B704
    csp = {
        "default-src": "'self'",
        "script-src": ["'self'", script_hash(JS_ENABLED_SCRIPT)],
        "style-src": "'self'",
        "img-src": "'self'",
        "font-src": "'self'",
        "connect-src": "'self'",
        "form-action": ["'self'", *provider_origins(app.config)],
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
    }
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["HSTS"],
        strict_transport_security_max_age=63072000,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=csp,
        referrer_policy="no-referrer",
        frame_options="DENY",
        permissions_policy={
            "browsing-topics": "()",
            "camera": "()",
            "geolocation": "()",
            "microphone": "()",
        },
    )
