"""The navigators' task list (the start of the console the requests issue completes)."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts import audit
from app.accounts.forms import DAYS
from app.accounts.models import Role
from app.accounts.policy import login_required
from app.cases.labels import AGENCY_KINDS, MILESTONES
from app.cases.models import Case, Milestone
from app.extensions import db
from app.i18n import localized_route
from app.navigator import bp
from app.tasks import service as tasks

NAVIGATORS = (Role.NAVIGATOR, Role.ADMIN)
REASONS = {
    "critical_update_unconfirmed": _l("Has not confirmed an important update"),
    "message_failed": _l("We could not deliver an important message"),
    "victim_not_told": _l("Says they were not told something the Victims' Code promises"),
    "duty_overdue": _l("A Victims' Code duty is overdue: chase the agency"),
    # A duty whose holder takes no part in the journey (entitlements.service asks for them).
    **{
        f"no_duty_holder:{kind}": _l(
            "No agency on this case holds a Victims' Code duty (%(kind)s): find the agency and "
            "ask it to join",
            kind=label,
        )
        for kind, label in AGENCY_KINDS.items()
    },
}


@localized_route(bp, "/navigator/tasks")
@login_required(*NAVIGATORS)
def task_list(lang: str):
    rows = tasks.open_tasks()
    case_ids = {task.case_id for task, _user in rows if task.case_id}
    milestone_ids = {task.milestone_id for task, _user in rows if task.milestone_id}
    cases = (
        {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_(case_ids)))}
        if case_ids
        else {}
    )
    milestones = (
        {
            m.id: m
            for m in db.session.scalars(select(Milestone).where(Milestone.id.in_(milestone_ids)))
        }
        if milestone_ids
        else {}
    )
    # Victims' contact details are on this page: every look is on the record.
    audit.record("navigator_tasks_viewed", actor=g.user, count=len(rows))
    db.session.commit()
    return render_template(
        "navigator/tasks.html",
        rows=rows,
        cases=cases,
        milestones=milestones,
        reasons=REASONS,
        labels=MILESTONES,
        day_names={choice.value: choice.label for choice in DAYS},
    )


@localized_route(bp, "/navigator/tasks/<pid:public_id>/done", methods=["POST"])
@login_required(*NAVIGATORS)
def task_done(lang: str, public_id: str):
    task = tasks.close_task(public_id, g.user)
    if task is None:
        abort(404)
    audit.record("navigator_task_done", actor=g.user, task=task.public_id, reason=task.reason)
    db.session.commit()
    return redirect(url_for("navigator.task_list"))
