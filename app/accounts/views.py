from __future__ import annotations

import time

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.accounts import audit, bp, oidc, passkeys, service, sessions, totp
from app.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    ForgotPasswordForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
)
from app.accounts.policy import local_path, login_required, public, signed_in_without_mfa
from app.core.forms import required
from app.extensions import db, limiter
from app.i18n import localized_route

AUTH_LIMIT = "10 per minute; 60 per hour"


def _safe_next(default: str) -> str:
    return local_path(request.values.get("next")) or default


def _is_post() -> bool:
    return request.method == "POST"


@bp.before_app_request
def _load_session():
    if request.endpoint == "static":
        return None
    sessions.load()
    if g.get("ended_id_token"):
        # The session timed out: end the provider's session too, before anything else. (Only
        # ever on a page load: sessions.load leaves background requests to the next one.)
        done = service.external_url("accounts.signed_out", reason="timeout")
        url = oidc.provider_logout_url(g.ended_id_token, done)
        if url:
            return redirect(url)
    return None


@bp.app_context_processor
def _account_context() -> dict:
    user = g.get("user")
    config = current_app.config
    return {
        "current_user": user,
        "session_idle_seconds": config["SESSION_IDLE_MINUTES"] * 60 if user else None,
        "session_warning_seconds": config["SESSION_WARNING_SECONDS"],
    }


# Sign up ------------------------------------------------------------------------------------


@localized_route(bp, "/account/sign-up", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@public
def sign_up(lang: str):
    form = SignUpForm()
    if form.validate_on_submit():
        service.sign_up(required(form.email.data), required(form.password.data), lang)
        return redirect(url_for("accounts.check_email"))
    return render_template("accounts/sign_up.html", form=form)


@localized_route(bp, "/account/check-your-email")
@public
def check_email(lang: str):
    return render_template("accounts/check_email.html")


@localized_route(bp, "/account/confirm/<token:token>")
@public
def confirm_email(lang: str, token: str):
    result = service.confirm_email(token)
    return render_template("accounts/confirmed.html", result=result)


# Sign in -------------------------------------------------------------------------------------


@localized_route(bp, "/account/sign-in", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@public
def sign_in(lang: str):
    form = SignInForm()
    problem = None
    if form.validate_on_submit():
        result = service.authenticate(required(form.email.data), required(form.password.data))
        problem = result.problem
        if result.user is not None:
            user = result.user
            if user.has_totp:
                session.clear()
                session["pending_mfa"] = {"u": user.public_id, "at": time.time()}
                target = _safe_next("")
                if target:
                    return redirect(url_for("accounts.sign_in_code", next=target))
                return redirect(url_for("accounts.sign_in_code"))
            service.signed_in(user, method="password")
            sessions.start(user, mfa=False)
            db.session.commit()
            if user.is_staff:
                return redirect(url_for("accounts.two_step_setup"))
            return redirect(_safe_next(url_for("accounts.dashboard")))
    reason = request.args.get("reason") or g.get("session_ended")
    if problem is None and reason in ("locked", "codes-locked"):
        problem = reason.replace("-", "_")
    return render_template("accounts/sign_in.html", form=form, problem=problem, reason=reason)


def _pending_user():
    return sessions.pending_mfa_user()


@localized_route(bp, "/account/sign-in/code", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@public
def sign_in_code(lang: str):
    user = _pending_user()
    if user is None:
        return redirect(url_for("accounts.sign_in", reason="expired"))
    form = CodeForm()
    wrong = False
    if form.validate_on_submit():
        result = service.check_second_factor(user, required(form.code.data))
        if result.method:
            service.signed_in(user, method=f"password+{result.method}")
            sessions.start(user, mfa=True)
            db.session.commit()
            return redirect(_safe_next(url_for("accounts.dashboard")))
        if result.locked:
            # Too many wrong codes: this sign-in is over; the person starts again from the
            # password, once the lock has passed.
            session.pop("pending_mfa", None)
            return redirect(url_for("accounts.sign_in", reason="codes-locked"))
        wrong = True
    return render_template(
        "accounts/sign_in_code.html",
        form=form,
        wrong=wrong,
        has_passkey=passkeys.has_passkey(user),
    )


# Password reset ------------------------------------------------------------------------------


@localized_route(bp, "/account/forgot-password", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@public
def forgot_password(lang: str):
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        service.request_password_reset(required(form.email.data), lang)
        return redirect(url_for("accounts.check_email", reset=1))
    return render_template("accounts/forgot_password.html", form=form)


@localized_route(bp, "/account/reset-password/<token:token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@public
def reset_password(lang: str, token: str):
    from app.accounts.tokens import read_reset_token

    result = read_reset_token(token, service.find_by_public_id)
    if result.user is None:
        return render_template("accounts/link_problem.html", problem=result.problem), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        service.reset_password(result.user, required(form.password.data))
        session.clear()
        return redirect(url_for("accounts.sign_in", reason="password-changed"))
    return render_template("accounts/reset_password.html", form=form)


# Signed in -----------------------------------------------------------------------------------


@localized_route(bp, "/account")
@login_required()
def dashboard(lang: str):
    from app.accounts.trusted import acting_for

    return render_template(
        "accounts/dashboard.html",
        codes_left=service.recovery_codes_left(g.user),
        passkey_count=len(passkeys.passkeys_of(g.user)),
        acting_for=acting_for(g.user),
    )


@localized_route(bp, "/account/change-password", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@login_required()
def change_password(lang: str):
    form = ChangePasswordForm()
    wrong = False
    if form.validate_on_submit():
        if service.change_password(
            g.user,
            required(form.current_password.data),
            required(form.password.data),
            g.user_session,
        ):
            return redirect(url_for("accounts.dashboard", changed=1))
        wrong = True
    return render_template("accounts/change_password.html", form=form, wrong=wrong)


@localized_route(bp, "/account/two-step", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@signed_in_without_mfa
def two_step_setup(lang: str):
    user = g.user
    if user.has_totp:
        return redirect(url_for("accounts.dashboard"))
    secret = service.pending_totp_secret(user) or service.begin_totp(user)
    form = CodeForm()
    wrong = False
    if form.validate_on_submit():
        codes = service.confirm_totp(user, required(form.code.data))
        if codes:
            g.user_session.mfa_at = g.user_session.mfa_at or user.totp_enabled_at
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes)
        wrong = True
    uri = totp.provisioning_uri(secret, user.email)
    qr = totp.qr_svg(uri, _("QR code for your authenticator app"))
    return render_template(
        "accounts/two_step_setup.html", form=form, qr=qr, secret=secret, wrong=wrong
    )


@localized_route(bp, "/account/sign-out", methods=["POST"])
@public
def sign_out(lang: str):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    id_token = None
    if g.get("user_session") is not None:
        id_token = g.user_session.id_token
        audit.record("sign_out", actor=g.user, subject=g.user)
        sessions.end(g.user_session, "signed_out")
        db.session.commit()
    session.clear()
    provider = oidc.provider_logout_url(id_token, service.external_url("accounts.signed_out"))
    response = redirect(provider or url_for("accounts.signed_out"))
    # Nothing of the signed-in pages may stay in this browser's cache or storage.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@localized_route(bp, "/account/sign-out-everywhere", methods=["POST"])
@login_required()
def sign_out_everywhere(lang: str):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    ended = sessions.end_all(g.user, "signed_out_everywhere")
    audit.record("sign_out_everywhere", actor=g.user, subject=g.user, sessions=ended)
    db.session.commit()
    session.clear()
    return redirect(url_for("accounts.signed_out"))


@localized_route(bp, "/account/signed-out")
@public
def signed_out(lang: str):
    return render_template("accounts/signed_out.html", reason=request.args.get("reason"))


@localized_route(bp, "/account/keep-alive", methods=["POST"])
@login_required()
def keep_alive(lang: str):
    """The timeout warning's "Stay signed in" (CSRF-checked like any POST)."""
    sessions.touch()
    return "", 204


# Routes in other modules register on import.
from app.accounts import mydata_views, passkey_views, trusted_views  # noqa: E402,F401
