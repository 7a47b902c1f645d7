"""A victim's cases: link one with an invitation, and follow its timeline."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from jinja2_fragments.flask import render_block
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Role
from app.accounts.policy import login_required
from app.cases import bp, invitations, updates
from app.cases.forms import LinkCaseForm
from app.cases.labels import MILESTONES
from app.cases.models import Milestone
from app.core.forms import required
from app.core.time import as_utc, utcnow
from app.extensions import db, limiter
from app.i18n import localized_route

PAGE_SIZE = 10


@localized_route(bp, "/account/cases")
@login_required(Role.VICTIM)
def my_cases(lang: str):
    links = invitations.cases_of(g.user)
    return render_template("cases/my_cases.html", links=links, new=updates.new_since_seen(links))


@localized_route(bp, "/account/cases/link", methods=["GET", "POST"])
@limiter.limit("10 per minute; 30 per hour", methods=["POST"])
@login_required(Role.VICTIM)
def link_case(lang: str):
    form = LinkCaseForm()
    problem = None
    if form.validate_on_submit():
        victim, problem = invitations.link(
            g.user, required(form.reference.data), required(form.code.data), form.date_of_birth.data
        )
        if victim is not None:
            return redirect(url_for("cases.timeline", public_id=victim.public_id))
    return render_template("cases/link_case.html", form=form, problem=problem)


@localized_route(bp, "/account/cases/<pid:public_id>")
@login_required(Role.VICTIM)
def timeline(lang: str, public_id: str):
    link = invitations.case_of(g.user, public_id)
    if link is None:
        abort(404)
    before = request.args.get("before", type=int)
    # New since the last look (none on the first: everything would be). Looking at the first
    # page is a look; paging back through older updates is not. Committed before anything is
    # loaded for the page (a commit expires what was loaded).
    seen_before = as_utc(link.last_seen_at) if link.last_seen_at else None
    if not before:
        link.last_seen_at = utcnow()
        db.session.commit()
    query = select(Milestone).where(Milestone.case_id == link.case_id)
    if before:
        # Keyset paging on (occurred_at, id): "show earlier" never repeats or skips an item.
        anchor = db.session.scalar(
            select(Milestone).where(Milestone.id == before, Milestone.case_id == link.case_id)
        )
        if anchor is None:
            abort(404)
        query = query.where(
            or_(
                Milestone.occurred_at < anchor.occurred_at,
                and_(Milestone.occurred_at == anchor.occurred_at, Milestone.id < anchor.id),
            )
        )
    milestones = list(
        db.session.scalars(
            query.options(joinedload(Milestone.agency))  # each names who sent it
            .order_by(Milestone.occurred_at.desc(), Milestone.id.desc())
            .limit(PAGE_SIZE + 1)
        )
    )
    more = len(milestones) > PAGE_SIZE
    new = {m.id for m in milestones if seen_before and as_utc(m.received_at) > seen_before}
    context = {
        "link": link,
        "awaiting": updates.awaiting_confirmation(g.user, link.case_id),
        "milestones": milestones[:PAGE_SIZE],
        "more": more,
        "seen": request.args.get("seen"),
        "critical": updates.CRITICAL_TYPES,
        "labels": MILESTONES,
        "new": new,
    }
    if "HX-Request" in request.headers:
        return render_block("cases/timeline.html", "items", **context)
    return render_template("cases/timeline.html", **context)


@localized_route(bp, "/account/cases/<pid:public_id>/seen/<pid:milestone_id>", methods=["POST"])
@login_required(Role.VICTIM)
def confirm_seen(lang: str, public_id: str, milestone_id: str):
    """The victim says they have read a critical update (a release, an escape, new bail
    conditions): nobody needs to call them about it now."""
    link = invitations.case_of(g.user, public_id)
    if link is None:
        abort(404)
    milestone = db.session.scalar(
        select(Milestone).where(
            Milestone.public_id == milestone_id, Milestone.case_id == link.case_id
        )
    )
    if milestone is None:
        abort(404)
    if updates.confirm(g.user, milestone):
        db.session.commit()
    return redirect(url_for("cases.timeline", public_id=link.public_id, seen=milestone.public_id))
