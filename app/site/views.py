from __future__ import annotations

import logging

from flask import current_app, g, jsonify, redirect, session
from sqlalchemy import text

from app.accounts.policy import public
from app.extensions import db
from app.site import bp

log = logging.getLogger(__name__)


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # any failure to reach the database means "not healthy"
        log.exception("health check: database unreachable")
        database = "unreachable"
    status = 200 if database == "ok" else 503
    response = jsonify(status="ok" if status == 200 else "degraded", database=database)
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.get("/exit")
@public
def exit_page():
    """Where Exit this page leads: forget everything, then go somewhere neutral.

    The button reaches here with location.replace(), so the page the person was on is not in the
    back history; Clear-Site-Data asks the browser to drop our cache, cookies and storage."""
    neutral = current_app.config["EXIT_REDIRECT_URL"]
    target = neutral
    record = g.get("user_session")
    if record is not None:
        from app.accounts import audit, oidc, sessions

        audit.record("exit", actor=g.user, subject=g.user)
        sessions.end(record, "exit")
        db.session.commit()
        # A session from an OpenID provider is ended there too, which then sends the browser on
        # to the neutral site (registered with the provider as a post-logout address).
        target = oidc.provider_logout_url(record.id_token, neutral) or neutral
    session.clear()
    response = redirect(target, code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response.headers["Cache-Control"] = "no-store"
    return response
