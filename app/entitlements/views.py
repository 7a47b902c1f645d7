"""A victim's rights on one of their cases: what the Victims' Code says they are owed, the time
limits on what they can do, and "I was not told about this"."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from app.accounts.models import Role
from app.accounts.policy import login_required
from app.cases import invitations
from app.cases import service as journeys
from app.cases.rights_labels import RIGHTS
from app.entitlements import service as entitlements
from app.extensions import db
from app.i18n import localized_route

# Its own blueprint: the entitlements package is also the pure engine, which needs no Flask.
bp = Blueprint("rights", __name__, template_folder="templates")


@localized_route(bp, "/account/cases/<pid:public_id>/rights")
@login_required(Role.VICTIM)
def case_rights(lang: str, public_id: str):
    """What the Victims' Code says the victim is owed on this case, and the time limits on what
    they can do; each duty with "I was not told about this"."""
    link = invitations.case_of(g.user, public_id)
    if link is None:
        abort(404)
    items = entitlements.for_case(link.case_id)
    # Who owes each duty, by name: the victim knows whom to ask.
    owed_by = {
        p.agency_id: p.agency.name for p in journeys.participants([link.case_id])[link.case_id]
    }
    windows = [e for e in items if e.kind == "window"]
    duties = [e for e in items if e.kind != "window"]
    return render_template(
        "entitlements/rights.html",
        link=link,
        windows=windows,
        duties=duties,
        labels=RIGHTS,
        guidance=entitlements.guidance_slugs(),
        owed_by=owed_by,
        reported=request.args.get("reported"),
    )


@localized_route(
    bp, "/account/cases/<pid:public_id>/rights/<int:entitlement_id>/not-told", methods=["POST"]
)
@login_required(Role.VICTIM)
def not_told(lang: str, public_id: str, entitlement_id: int):
    """The victim says they were not told or offered something: a navigator looks into it, and
    it counts against the duty holder in the compliance figures."""
    link = invitations.case_of(g.user, public_id)
    if link is None:
        abort(404)
    item = entitlements.find(link.case_id, entitlement_id)
    if item is None:
        abort(404)
    entitlements.report_not_told(item, g.user)
    db.session.commit()
    return redirect(url_for("rights.case_rights", public_id=link.public_id, reported=item.id))
