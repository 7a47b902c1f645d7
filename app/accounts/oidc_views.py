"""Sign-in with an OpenID provider (GOV.UK One Login or another): start, callback, problems,
unlinking, and the way back from the provider's sign-out. The rules are in oidc.py.

Starting is a CSRF-checked POST, not a link: it writes the flow into the session, and for a
signed-in person it begins linking an identity to their account. Neither may be set off by
another site (a forced link after a forged sign-in at the provider would hand over the account).
"""

from __future__ import annotations

import logging

from flask import abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import HiddenField

from app.accounts import audit, bp, oidc
from app.accounts.forms import ConfirmForm
from app.accounts.policy import login_required, public
from app.accounts.views import AUTH_LIMIT
from app.extensions import db, limiter
from app.i18n import localized_route

log = logging.getLogger(__name__)

PROBLEMS = frozenset(
    {"expired", "cancelled", "provider", "failed", "unverified", "email-taken", "linked-elsewhere"}
)


@bp.app_context_processor
def _oidc_context() -> dict:
    return {"oidc_enabled": oidc.enabled, "oidc_provider_name": oidc.provider_name}


def _problem(reason: str, lang: str) -> Response:
    # A page of its own (not rendered at the callback), so the code and state leave the address
    # bar and a reload cannot replay them.
    return redirect(url_for("accounts.oidc_problem", lang=lang, reason=reason), code=303)


class StartForm(ConfirmForm):
    """Signing in with the provider: the button, and the page to go to afterwards."""

    next_url = HiddenField(name="next")


@localized_route(bp, "/account/sign-in/provider", methods=["POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@public
def oidc_start(lang: str):
    if not oidc.enabled():
        abort(404)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        url = oidc.begin(lang=lang, next_url=form.next_url.data, linking=g.get("user") is not None)
    except oidc.ProviderError as exc:
        log.warning("oidc: cannot start signing in (%s)", exc.reason)
        return _problem("provider", lang)
    return redirect(url, code=303)


@localized_route(bp, "/account/sign-in/provider/callback")
@limiter.limit(AUTH_LIMIT)
@public
def oidc_callback(lang: str):
    if not oidc.enabled():
        abort(404)
    flow = oidc.take_flow(request.args.get("state"))
    if flow is None:  # not started here, too old, or already used
        return _problem("expired", lang)
    lang = flow["lang"]
    error = request.args.get("error")
    if error:
        log.info("oidc: the provider answered %s", error[:40])
        return _problem("cancelled" if error == "access_denied" else "provider", lang)
    code = request.args.get("code")
    if not code:
        return _problem("provider", lang)
    try:
        result = oidc.exchange(flow, code, iss=request.args.get("iss"))
    except oidc.ProviderError as exc:
        log.warning("oidc: sign-in refused (%s)", exc.reason)
        audit.record("oidc_refused", reason=exc.reason)
        db.session.commit()
        return _problem("failed", lang)
    outcome = oidc.complete(result, current=g.get("user"), lang=lang)
    if not outcome.ok:
        return _problem(outcome.result.replace("_", "-"), lang)
    if outcome.result in {"linked", "already_linked"}:
        return redirect(url_for("accounts.dashboard", lang=lang))
    return redirect(flow.get("next") or url_for("accounts.dashboard", lang=lang))


@localized_route(bp, "/account/sign-in/provider/problem")
@public
def oidc_problem(lang: str):
    reason = request.args.get("reason")
    return render_template(
        "accounts/oidc_problem.html", reason=reason if reason in PROBLEMS else "failed"
    )


@localized_route(bp, "/account/sign-in/provider/unlink", methods=["POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@login_required()
def oidc_unlink(lang: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        oidc.unlink(g.user)
    except PermissionError:
        abort(400)  # the page offers no such button: only a forged request gets here
    return redirect(url_for("accounts.dashboard"))


@localized_route(bp, "/account/signed-out/provider")
@public
def oidc_signed_out(lang: str):
    """The provider has ended its session: go on to where the sign-out, timeout or Exit was
    going (a signed address in `state`), or to the signed-out page."""
    target = oidc.after_logout_destination(request.args.get("state"))
    return redirect(target or url_for("accounts.signed_out"), code=303)
