"""Victims' Code compliance for navigators and administrators: a chart (server-rendered SVG,
with the same figures in a table beside it), a table per agency, right and month, and a CSV."""

from __future__ import annotations

import datetime as dt

from flask import Response, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import Role
from app.accounts.policy import login_required
from app.cases.labels import AGENCY_KINDS
from app.cases.models import Case
from app.entitlements import compliance
from app.extensions import db
from app.guidance.labels import RIGHTS
from app.i18n import localized_route
from app.navigator import bp

READERS = (Role.NAVIGATOR, Role.ADMIN)
OUTCOME_NAMES = {
    "on_time": _l("On time"),
    "late": _l("Late"),
    "missed": _l("Missed"),
    "pending": _l("Pending"),
}
BAR_WIDTH = 600  # SVG user units


def _month(value: str | None, default: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return default


def _filters() -> tuple[compliance.Filters, dict]:
    today = dt.date.today()
    first = today.replace(day=1)
    default_since = (first - dt.timedelta(days=335)).replace(day=1)  # the last 12 months
    next_month = (first + dt.timedelta(days=32)).replace(day=1)  # pending duties fall due there
    since = _month(request.args.get("from"), default_since)
    until_month = _month(request.args.get("to"), next_month)
    until = (until_month + dt.timedelta(days=32)).replace(day=1)  # up to the end of that month
    if until <= since:
        since, until = default_since, (next_month + dt.timedelta(days=32)).replace(day=1)
    enhanced = {"yes": True, "no": False}.get(request.args.get("enhanced", ""))
    chosen = {
        "from": since.strftime("%Y-%m"),
        "to": (until - dt.timedelta(days=1)).strftime("%Y-%m"),
        "borough": request.args.get("borough") or "",
        "crime_type": request.args.get("crime_type") or "",
        "enhanced": request.args.get("enhanced", ""),
    }
    return (
        compliance.Filters(
            since=since,
            until=until,
            borough=chosen["borough"] or None,
            crime_type=chosen["crime_type"] or None,
            enhanced=enhanced,
        ),
        chosen,
    )


def _bars(totals: dict[int, dict[str, int]]) -> list[dict]:
    biggest = max((sum(t.values()) for t in totals.values()), default=0) or 1
    bars = []
    for right, counts in totals.items():
        x, segments = 0.0, []
        for outcome in compliance.OUTCOMES:
            width = counts[outcome] / biggest * BAR_WIDTH
            segments.append({"outcome": outcome, "count": counts[outcome], "x": x, "width": width})
            x += width
        bars.append({"right": right, "total": sum(counts.values()), "segments": segments})
    return bars


@localized_route(bp, "/navigator/compliance")
@login_required(*READERS)
def compliance_report(lang: str):
    filters, chosen = _filters()
    lines = compliance.report(filters)
    totals = compliance.by_right(lines)
    options = {
        name: sorted(v for v in db.session.scalars(select(column).distinct()) if v)
        for name, column in (("borough", Case.borough), ("crime_type", Case.crime_type))
    }
    return render_template(
        "navigator/compliance.html",
        lines=lines,
        totals=totals,
        bars=_bars(totals),
        bar_width=BAR_WIDTH,
        outcomes=OUTCOME_NAMES,
        rights=RIGHTS,
        chosen=chosen,
        options=options,
        delays=compliance.posting_delays(filters),
        agency_kinds=AGENCY_KINDS,
    )


@localized_route(bp, "/navigator/compliance.csv")
@login_required(*READERS)
def compliance_csv(lang: str):
    filters, chosen = _filters()
    body = compliance.to_csv(compliance.report(filters))
    name = f"victims-code-compliance-{chosen['from']}-to-{chosen['to']}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
