"""Profile and safe contact, my data (export, deletion, who looked), and the admin audit log."""

from __future__ import annotations

import time

from flask import g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

# types-WTForms (3.2) predates SelectChoice (WTForms 3.3).
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from app.accounts import audit, bp, mydata, service, sessions
from app.accounts.forms import DeleteAccountForm, ProfileForm, ReauthenticateForm
from app.accounts.models import AuditEvent, Role
from app.accounts.policy import ask_again, local_path, login_required, recently_reauthenticated
from app.core.forms import required
from app.extensions import db, limiter
from app.i18n import enabled_languages, localized_route


@localized_route(bp, "/account/profile", methods=["GET", "POST"])
@login_required()
def profile(lang: str):
    user = g.user
    form = ProfileForm(
        data=None
        if request.method == "POST"
        else {
            "preferred_name": user.preferred_name,
            "language": user.language,
            "contact_channel": user.contact_channel,
            "phone": user.phone,
            "safe_days": [d for d in user.safe_days.split(",") if d],
            "safe_from": user.safe_from,
            "safe_to": user.safe_to,
            "may_name_hub": "yes" if user.may_name_hub else "no",
        }
    )
    form.language.choices = [SelectChoice(x.code, x.native_name) for x in enabled_languages()]
    if form.validate_on_submit():
        user.preferred_name = (form.preferred_name.data or "").strip() or None
        user.language = form.language.data
        user.contact_channel = form.contact_channel.data
        user.phone = (form.phone.data or "").strip() or None
        user.safe_days = ",".join(required(form.safe_days.data))
        user.safe_from, user.safe_to = form.safe_from.data, form.safe_to.data
        user.may_name_hub = form.may_name_hub.data == "yes"
        audit.record("profile_changed", actor=user, subject=user)
        db.session.commit()
        return redirect(url_for("accounts.profile", saved=1))
    return render_template("accounts/profile.html", form=form, saved=request.args.get("saved"))


@localized_route(bp, "/account/confirm-it-is-you", methods=["GET", "POST"])
@limiter.limit("10 per minute; 60 per hour", methods=["POST"])
@login_required()
def confirm_identity(lang: str):
    form = ReauthenticateForm()
    wrong = False
    if form.validate_on_submit():
        user = g.user
        secret = required(form.secret.data)
        if user.has_totp:
            result = service.check_second_factor(user, secret)
        else:
            result = service.check_password_again(user, secret)
        if result.locked:
            # Counted and locked as at sign-in; and like a sign-in that fails too often, this
            # session is over: whoever holds it starts again from the password.
            audit.record("reauth_locked", subject=user)
            sessions.end(g.user_session, "locked")
            db.session.commit()
            session.clear()
            reason = "codes-locked" if user.has_totp else "locked"
            return redirect(url_for("accounts.sign_in", reason=reason))
        if result.method:
            session["reauth_at"] = time.time()
            target = local_path(request.args.get("next")) or ""
            if not target.startswith("/account/"):
                target = url_for("mydata.my_data")
            return redirect(target)
        audit.record("reauth_failed", subject=user)
        db.session.commit()
        wrong = True
    return render_template("accounts/confirm_identity.html", form=form, wrong=wrong)


@localized_route(bp, "/account/delete", methods=["GET", "POST"])
@login_required()
def delete_account(lang: str):
    if not recently_reauthenticated():
        return ask_again()
    if g.user.is_staff:
        return render_template("accounts/delete_staff.html")
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if form.confirm.data == "yes":
            mydata.request_deletion(g.user)
        return redirect(url_for("mydata.my_data"))
    return render_template(
        "accounts/delete_account.html", form=form, cooling_off_days=mydata.COOLING_OFF.days
    )


@localized_route(bp, "/account/delete/cancel", methods=["POST"])
@login_required()
def cancel_deletion(lang: str):
    from app.accounts.forms import ConfirmForm

    if not ConfirmForm().validate_on_submit():
        return _("There is a problem"), 400
    mydata.cancel_deletion(g.user)
    return redirect(url_for("mydata.my_data"))


@localized_route(bp, "/admin/audit")
@login_required(Role.ADMIN)
def audit_log(lang: str):
    action = request.args.get("action", "")[:40]
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(200)
    if action:
        query = query.where(AuditEvent.action == action)
    events = db.session.scalars(query).all()
    audit.record("audit_log_viewed", actor=g.user, action_filter=action or None)
    db.session.commit()
    return render_template("accounts/audit_log.html", events=events, action=action)
