"""Referrals to support services: the victim chooses a service, then what the hub may share with
it (only what is ticked); the hub sends it by e-mail, or a navigator passes it on."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.accounts.models import Role
from app.accounts.policy import login_required
from app.cases import invitations
from app.cases.models import Case
from app.extensions import db, limiter
from app.i18n import localized_route
from app.questions.fields import options
from app.questions.flow import ask
from app.victim_requests import bp, finding, referrals, states
from app.victim_requests.forms import ReferralForm, ServiceForm
from app.victim_requests.questions import REFERRAL_FIELDS


@localized_route(bp, "/account/referrals/new", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@login_required(Role.VICTIM)
def new_referral(lang: str):
    chosen_service = referrals.service(request.args.get("service", ""))
    if chosen_service is None or not referrals.referable(chosen_service):
        if request.args.get("service"):
            abort(404)
        return _choose()
    links = invitations.cases_of(g.user)
    form = ReferralForm()
    form.case.choices = options(
        [("", _not_about_a_case())]
        + [(link.public_id, _case_words(link.invitation_reference)) for link in links]
    )
    if request.method == "GET":
        form.case.data = request.args.get("case")
    link = invitations.case_of(g.user, form.case.data) if form.case.data else None
    # A victim's link to a case goes with the case (ON DELETE CASCADE): the case is there.
    crime = db.session.get_one(Case, link.case_id).crime_type if link else None
    form.chosen_service = chosen_service
    form.offer(referrals.offered_values(g.user, crime), REFERRAL_FIELDS)

    def save(form: ReferralForm) -> str:
        item = referrals.create(
            g.user,
            chosen_service,
            form.share.data or [],  # a list once posted, as in ReferralForm.validate
            form.offered,
            form.needs.data or "",  # text once posted (vps.clean_text), as in validate
            link.case_id if link else None,
        )
        db.session.commit()
        return url_for("requests.referral_page", public_id=item.public_id, sent=1)

    return ask(
        form,
        "requests/referral_new.html",
        save=save,
        service=chosen_service,
        links=links,
        back=url_for("requests.new_referral"),
        action=url_for("requests.new_referral", service=chosen_service.id),
        channel="email" if referrals.address_for(chosen_service) else "navigator",
    )


def _choose():
    form = ServiceForm(formdata=None)
    form.service.choices = options(
        [
            (s.id, s.name, {"hint": {"text": s.summary, "attributes": {"lang": "en"}}})
            for s in referrals.services()
            if referrals.referable(s)
        ]
    )
    return render_template("requests/referral_choose.html", form=form)


def _not_about_a_case() -> str:
    return _("Not about a case")


def _case_words(reference: str) -> str:
    return _("Case %(reference)s", reference=reference)


@localized_route(bp, "/account/referrals/<pid:public_id>")
@login_required(Role.VICTIM)
def referral_page(lang: str, public_id: str):
    item = referrals.own(g.user, public_id)
    if item is None:
        abort(404)
    return render_template(
        "requests/referral.html",
        item=item,
        service=referrals.service(item.service_id),
        steps=finding.history("referral", item.id),
        fields=REFERRAL_FIELDS,
        sent=request.args.get("sent"),
        can_withdraw="withdrawn" in states.REFERRAL.next_for(item.status, states.VICTIM),
    )


@localized_route(bp, "/account/referrals/<pid:public_id>/withdraw", methods=["POST"])
@login_required(Role.VICTIM)
def withdraw_referral(lang: str, public_id: str):
    item = referrals.own(g.user, public_id)
    if item is None:
        abort(404)
    try:
        referrals.change_status(item, "withdrawn", states.VICTIM, user=g.user)
    except states.IllegalTransition:
        abort(409)
    db.session.commit()
    return redirect(url_for("requests.referral_page", public_id=item.public_id))
