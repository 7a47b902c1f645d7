"""Your data: what the hub holds about you (download as JSON or PDF), who at the hub looked at
it, and when a deletion you asked for will happen."""

from __future__ import annotations

import json

from flask import Response, g, render_template
from flask_babel import gettext as _

from app.accounts import audit, mydata
from app.accounts.models import AuditEvent
from app.accounts.policy import ask_again, login_required, recently_reauthenticated
from app.extensions import db
from app.i18n import localized_route
from app.mydata import bp
from app.mydata.export import export


def _agency_read(detail: dict) -> str:
    """What an agency's system read, in plain words."""
    reference = detail.get("reference", "")
    if detail.get("part") == "document":
        if detail.get("kind") == "vrr":
            return _("Downloaded your Right to Review request %(reference)s", reference=reference)
        return _("Downloaded your Victim Personal Statement %(reference)s", reference=reference)
    if detail.get("kind") == "vrr":
        return _("Read your Right to Review request %(reference)s", reference=reference)
    return _("Read your Victim Personal Statement %(reference)s", reference=reference)


def _access_row(event: AuditEvent) -> dict:
    """One line of "who has looked at your record": when, who, what."""
    if event.action == audit.AGENCY_READ:
        detail = json.loads(event.detail or "{}")
        return {"at": event.at, "who": detail.get("agency", ""), "what": _agency_read(detail)}
    return {"at": event.at, "who": event.actor_role, "what": event.action}


@localized_route(bp, "/account/my-data")
@login_required()
def my_data(lang: str):
    if not recently_reauthenticated():
        return ask_again()
    return render_template(
        "mydata/my_data.html",
        access_log=[_access_row(event) for event in mydata.staff_access_log(g.user)],
        deletion_due=mydata.deletion_due_at(g.user),
    )


@localized_route(bp, "/account/my-data/download.json")
@login_required()
def my_data_json(lang: str):
    if not recently_reauthenticated():
        return ask_again()
    data = export(g.user)
    audit.record("data_exported", actor=g.user, subject=g.user, format="json")
    db.session.commit()
    response = Response(json.dumps(data, indent=2, ensure_ascii=False), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@localized_route(bp, "/account/my-data/download.pdf")
@login_required()
def my_data_pdf(lang: str):
    if not recently_reauthenticated():
        return ask_again()
    from app.documents.pdf import render_pdf  # WeasyPrint is slow to import: only when needed

    data = export(g.user)
    pdf = render_pdf(render_template("mydata/my_data_pdf.html", data=data))
    audit.record("data_exported", actor=g.user, subject=g.user, format="pdf")
    db.session.commit()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.pdf"'
    return response
