"""Messages between the victim and the hub's team, and "I was not told about something" (which
becomes a navigator's task)."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.accounts.models import Role
from app.accounts.policy import login_required
from app.cases import invitations
from app.core.forms import required
from app.extensions import db, limiter
from app.i18n import localized_route
from app.questions.fields import options
from app.victim_requests import bp, messages
from app.victim_requests.forms import MessageForm, NotToldForm


@localized_route(bp, "/account/messages", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
@login_required(Role.VICTIM)
def message_thread(lang: str):
    links = invitations.cases_of(g.user)
    message, not_told = MessageForm(formdata=None), NotToldForm(formdata=None)
    posted = None
    if request.method == "POST":
        posted = NotToldForm() if MessageForm().which.data == "not_told" else MessageForm()
        if isinstance(posted, NotToldForm):
            not_told = posted
        else:
            message = posted
    not_told.case.choices = options(
        [("", _("Not sure"))]
        + [
            (link.public_id, _("Case %(reference)s", reference=link.invitation_reference))
            for link in links
        ]
    )
    if posted is not None and posted.validate():
        if posted is not_told:
            link = invitations.case_of(g.user, not_told.case.data or "")
            about = required(not_told.about.data)
            messages.report_not_told(g.user, about, link.case_id if link else None)
        else:
            messages.post_from_victim(g.user, required(message.body.data))
        db.session.commit()
        kind = "not_told" if posted is not_told else "message"
        return redirect(url_for("requests.message_thread", sent=kind) + "#thread-end")
    thread = messages.thread(g.user)
    messages.mark_read_by_victim(g.user)
    db.session.commit()
    return render_template(
        "requests/messages.html",
        thread=thread,
        message=message,
        not_told=not_told,
        posted=posted or message,
        sent=request.args.get("sent"),
        links=links,
    )
