"""Security headers through flask-talisman, with a CSP that allows no inline code but one script.

GOV.UK Frontend needs one tiny inline script at the top of <body> (it marks the body `js-enabled`
before anything is drawn, so enhanced components do not flash). Rather than a per-request nonce,
which would make every page unique and uncacheable, the CSP allows that one script by its hash.
"""

from __future__ import annotations

import base64
import hashlib

from flask import Flask
from markupsafe import Markup

from .extensions import talisman

JS_ENABLED_SCRIPT = (
    "document.body.className += ' js-enabled' + "
    "('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');"
)


def script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def init_app(app: Flask) -> None:
    app.jinja_env.globals["js_enabled_script"] = Markup(JS_ENABLED_SCRIPT)  # a constant  # noqa: S704  # nosec B704
    csp = {
        "default-src": "'self'",
        "script-src": ["'self'", script_hash(JS_ENABLED_SCRIPT)],
        "style-src": "'self'",
        "img-src": "'self'",
        "font-src": "'self'",
        "connect-src": "'self'",
        "form-action": "'self'",
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
