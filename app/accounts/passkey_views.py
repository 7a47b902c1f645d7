"""Passkeys: the account's list (add, remove), "Sign in with a passkey", and a passkey at a staff
member's second-factor step. The ceremonies need JavaScript (app/assets/js/passkeys.mjs): the
page posts JSON with the CSRF token in a header and is told where to go next, or what went wrong.
Without JavaScript nothing here is offered, and the password (and code) still work."""

from __future__ import annotations

from flask import Response, abort, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.accounts import audit, bp, passkeys, service, sessions
from app.accounts.forms import ConfirmForm
from app.accounts.models import User
from app.accounts.policy import (
    ask_again,
    local_path,
    login_required,
    public,
    recently_reauthenticated,
)
from app.core.time import utcnow
from app.extensions import db, limiter
from app.i18n import localized_route

AUTH_LIMIT = "10 per minute; 60 per hour"


def _options(text: str) -> Response:
    response = Response(text, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _problem(message: str, status: int = 400) -> tuple[Response, int]:
    return jsonify(error=message), status


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


# The account's passkeys ----------------------------------------------------------------------


@localized_route(bp, "/account/passkeys")
@login_required()
def passkey_list(lang: str):
    return render_template(
        "accounts/passkeys.html",
        passkeys=passkeys.passkeys_of(g.user),
        added=request.args.get("added"),
        removed=request.args.get("removed"),
    )


@localized_route(bp, "/account/passkeys/options", methods=["POST"])
@limiter.limit(AUTH_LIMIT)
@login_required()
def passkey_add_options(lang: str):
    return _options(passkeys.registration_options(g.user))


@localized_route(bp, "/account/passkeys/add", methods=["POST"])
@limiter.limit(AUTH_LIMIT)
@login_required()
def passkey_add(lang: str):
    body = _body()
    name = body.get("name")
    added = passkeys.add_passkey(
        g.user, body.get("credential"), name if isinstance(name, str) else ""
    )
    if added is None:
        return _problem(_("The passkey could not be added. Try again."))
    return jsonify(redirect=url_for("accounts.passkey_list", added=1))


@localized_route(bp, "/account/passkeys/<pid:public_id>/remove", methods=["GET", "POST"])
@login_required()
def passkey_remove(lang: str, public_id: str):
    passkey = passkeys.find_own(g.user, public_id)
    if passkey is None:
        abort(404)
    if not recently_reauthenticated():
        return ask_again()
    form = ConfirmForm()
    if form.validate_on_submit():
        passkeys.remove_passkey(g.user, public_id)
        return redirect(url_for("accounts.passkey_list", removed=1))
    return render_template("accounts/passkey_remove.html", form=form, passkey=passkey)


# Signing in with a passkey -------------------------------------------------------------------


@localized_route(bp, "/account/sign-in/passkey/options", methods=["POST"])
@limiter.limit(AUTH_LIMIT)
@public
def passkey_sign_in_options(lang: str):
    return _options(passkeys.authentication_options(passkeys.SIGN_IN))


@localized_route(bp, "/account/sign-in/passkey", methods=["POST"])
@limiter.limit(AUTH_LIMIT)
@public
def passkey_sign_in(lang: str):
    """A passkey is both factors: the device that holds it and the PIN or biometric that
    unlocks it (user verification is required). Staff use theirs after their password."""
    result = passkeys.verify(passkeys.SIGN_IN, _body().get("credential"))
    passkey = result.passkey
    user = passkey.user if passkey is not None else None
    problem = result.problem
    if user is not None and not problem:
        problem = "staff" if user.is_staff else None
        if user.email_confirmed_at is None:
            problem = "unconfirmed"
    if problem or user is None:
        audit.record("sign_in_failed", subject=user, method="passkey", reason=problem)
        db.session.commit()
        if problem == "staff":
            return _problem(
                _(
                    "Staff sign in with their password first. Then they can use their passkey "
                    "instead of a code."
                )
            )
        return _problem(
            _("The passkey could not be used. Try again, or sign in with your password.")
        )
    session.clear()
    service.signed_in(user, method="passkey")
    sessions.start(user, mfa=True)
    db.session.commit()
    target = local_path(_body().get("next")) or url_for("accounts.dashboard")
    return jsonify(redirect=target)


# A staff member's (or anyone's) second factor -------------------------------------------------


def _pending_user():
    return sessions.pending_mfa_user()


@localized_route(bp, "/account/sign-in/code/passkey/options", methods=["POST"])
@limiter.limit(AUTH_LIMIT)
@public
def passkey_code_options(lang: str):
    user = _pending_user()
    if user is None or not passkeys.has_passkey(user):
        return _problem(_("Your sign-in has expired. Sign in again."), 409)
    return _options(passkeys.authentication_options(passkeys.SECOND_FACTOR, user))


@localized_route(bp, "/account/sign-in/code/passkey", methods=["POST"])
@limiter.limit(AUTH_LIMIT)
@public
def passkey_code(lang: str):
    """The second step with a passkey instead of a code: only this account's passkeys, and
    failures counted and locked like wrong codes."""
    user = _pending_user()
    if user is None:
        return _problem(_("Your sign-in has expired. Sign in again."), 409)
    now = utcnow()
    if service.is_locked(user.second_factor_locked_until, now):
        session.pop("pending_mfa", None)
        audit.record("mfa_locked", subject=user)
        db.session.commit()
        return jsonify(redirect=url_for("accounts.sign_in", reason="codes-locked"))
    result = passkeys.verify(passkeys.SECOND_FACTOR, _body().get("credential"), user)
    if result.problem:
        failures = service.count_failure(
            user, User.failed_second_factors, User.second_factor_locked_until, now
        )
        audit.record("mfa_failed", subject=user, method="passkey", failures=failures)
        db.session.commit()
        if failures >= service.LOCK_AFTER:
            session.pop("pending_mfa", None)
            return jsonify(redirect=url_for("accounts.sign_in", reason="codes-locked"))
        return _problem(_("The passkey could not be used. Try again, or enter a code."))
    service.signed_in(user, method="password+passkey")
    sessions.start(user, mfa=True)
    db.session.commit()
    target = local_path(_body().get("next")) or url_for("accounts.dashboard")
    return jsonify(redirect=target)
