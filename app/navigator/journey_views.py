"""A journey as navigators see it: the agencies taking part, and moving one that joined by
mistake (a wrong URN) onto a case of its own, with a reason that goes on the record."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts import audit
from app.accounts.policy import login_required
from app.cases import journeys
from app.cases import service as cases
from app.cases.labels import AGENCY_KINDS
from app.cases.models import Case
from app.extensions import db
from app.i18n import localized_route
from app.navigator import bp
from app.navigator.forms import MoveAgencyForm
from app.navigator.task_views import NAVIGATORS
from app.victim_requests.service import follow_victims

TEMPLATE = "navigator/journey.html"


def _journey_or_404(public_id: str) -> Case:
    case = db.session.scalar(select(Case).where(Case.public_id == public_id))
    if case is None:
        abort(404)
    return case


@localized_route(bp, "/navigator/journeys/<pid:public_id>", methods=["GET", "POST"])
@login_required(*NAVIGATORS)
def journey(lang: str, public_id: str):
    case = _journey_or_404(public_id)
    taking_part = cases.participants([case.id])[case.id]
    form = MoveAgencyForm().for_participants(taking_part)
    if request.method == "POST" and form.validate_on_submit():
        chosen = next(p for p in taking_part if str(p.id) == form.participant.data)
        name = chosen.agency.name
        try:
            moved, victims = journeys.move_out(case, chosen, form.reason.data or "", g.user)
        except journeys.CannotMove:
            form.participant.errors = [_("The only agency on a case cannot be moved off it")]
        else:
            follow_victims(victims, moved.id)
            db.session.commit()
            return redirect(url_for("navigator.journey", public_id=case.public_id, moved=name))
    audit.record("navigator_journey_viewed", actor=g.user, journey=case.public_id)
    db.session.commit()
    return render_template(
        TEMPLATE,
        case=case,
        participants=cases.participants([case.id])[case.id],
        kinds=AGENCY_KINDS,
        form=form,
        moved=request.args.get("moved"),
    )
