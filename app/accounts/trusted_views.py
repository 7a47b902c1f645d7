"""A victim's trusted people: invite, list, revoke; and accepting an invitation."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for

from app.accounts import bp, trusted
from app.accounts.forms import RIGHT_LABELS, ConfirmForm, TrustedPersonForm
from app.accounts.models import Role
from app.accounts.policy import login_required
from app.core.forms import required
from app.extensions import limiter
from app.i18n import localized_route


@localized_route(bp, "/account/trusted-people", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@login_required(Role.VICTIM)
def trusted_people(lang: str):
    form = TrustedPersonForm()
    if form.validate_on_submit():
        trusted.invite(
            g.user,
            name=required(form.name.data),
            email=required(form.email.data),
            rights=required(form.rights.data),
            lang=lang,
        )
        return redirect(url_for("accounts.trusted_people", invited=1))
    return render_template(
        "accounts/trusted_people.html",
        form=form,
        people=trusted.people_of(g.user),
        right_labels=RIGHT_LABELS,
        invited=request.args.get("invited"),
    )


@localized_route(bp, "/account/trusted-people/<pid:public_id>/revoke", methods=["POST"])
@login_required(Role.VICTIM)
def revoke_trusted(lang: str, public_id: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not trusted.revoke(g.user, public_id):
        abort(404)  # not theirs, or does not exist: the same answer
    return redirect(url_for("accounts.trusted_people"))


@localized_route(bp, "/account/trusted-people/accept/<token:token>", methods=["GET", "POST"])
@login_required()
def accept_trusted(lang: str, token: str):
    person = trusted.find_invitation(token)
    form = ConfirmForm()
    problem = None
    if person is None:
        problem = "invalid"
    elif form.validate_on_submit():
        if trusted.accept(person, g.user):
            return redirect(url_for("accounts.dashboard"))
        problem = "wrong-account"
    return render_template(
        "accounts/accept_trusted.html",
        person=person,
        form=form,
        problem=problem,
        right_labels=RIGHT_LABELS,
    ), (400 if problem == "invalid" else 200)
