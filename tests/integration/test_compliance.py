"""Compliance reporting: counts per agency, right and month from stored entitlements, filters,
the SVG chart with its table, the CSV (safe to open in a spreadsheet), and who may see it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import pyotp
import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.cases import service as cases
from app.cases.models import Case
from app.entitlements import compliance
from app.extensions import db
from tests.factories import create_agency, create_user, sign_in

pytestmark = pytest.mark.usefixtures("app_context")
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def make_case(agency, *, borough="Camden", crime="burglary", enhanced=False, events=()):
    case = Case(
        agency_id=agency.id,
        reference=f"K-{uuid.uuid4().hex[:6]}",
        crime_type=crime,
        borough=borough,
        enhanced=enhanced,
    )
    db.session.add(case)
    db.session.flush()
    for type_, days_ago, extra in events:
        cases.record_events(
            agency,
            [
                (
                    case,
                    {
                        "id": str(uuid.uuid4()),
                        "type": type_,
                        "occurred_at": NOW - dt.timedelta(days=days_ago),
                        **extra,
                    },
                )
            ],
        )
    db.session.commit()
    return case


def window() -> compliance.Filters:
    return compliance.Filters(
        since=(NOW - dt.timedelta(days=60)).date(), until=(NOW + dt.timedelta(days=60)).date()
    )


def test_counts_by_agency_right_and_month_with_filters():
    agency = create_agency(name=f"=Force {uuid.uuid4().hex[:4]}")  # a formula-like name
    make_case(agency, events=[("suspect_arrested", 0, {})])  # pending
    told = ("information_delivered", 0, {"duty": "r6-suspect-arrested"})
    make_case(agency, events=[("suspect_arrested", 0, {}), told])
    make_case(agency, borough="Hackney", crime="robbery", events=[("charged", 0, {})])
    lines = [line for line in compliance.report(window()) if line.agency == agency.name]
    right6 = [line for line in lines if line.right == 6]
    assert sum(line.on_time for line in right6) >= 1
    assert sum(line.pending for line in right6) >= 2
    later = compliance.report(window(), now=NOW + dt.timedelta(days=30))
    assert later  # medians need overdue rows; none yet, so None
    camden = compliance.report(compliance.Filters(**{**window().__dict__, "borough": "Camden"}))
    assert all(line.agency != agency.name or line.right == 6 for line in camden)
    robbery = compliance.report(
        compliance.Filters(**{**window().__dict__, "crime_type": "robbery"})
    )
    assert {line.right for line in robbery if line.agency == agency.name} == {6}
    text = compliance.to_csv(lines)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["agency", "right", "month"]
    assert all(row[0].startswith("'=") for row in rows[1:])  # not a formula in a spreadsheet


def test_median_days_late_counts_overdue_duties_until_now():
    agency = create_agency(name=f"Late force {uuid.uuid4().hex[:4]}")
    case = make_case(agency, events=[("suspect_arrested", 0, {})])
    from app.entitlements.service import evaluate_cases

    evaluate_cases([case.id], NOW + dt.timedelta(days=20))
    db.session.commit()
    lines = [
        line
        for line in compliance.report(window(), now=NOW + dt.timedelta(days=20))
        if line.agency == agency.name and line.right == 6
    ]
    assert sum(line.missed for line in lines) == 1
    assert lines[0].median_days_late and lines[0].median_days_late > 10


def test_the_page_the_chart_and_the_csv(app):
    agency = create_agency(name=f"Chart force {uuid.uuid4().hex[:4]}")
    make_case(agency, events=[("suspect_arrested", 0, {}), ("charged", 0, {})])
    secret = pyotp.random_base32()
    navigator = create_user(role=Role.NAVIGATOR, totp_secret=secret)
    browser = app.test_client()
    sign_in(browser, navigator, totp_secret=secret)
    page = browser.get("/navigator/compliance").get_data(as_text=True)
    assert '<svg class="app-chart" role="img"' in page
    assert "Duties by right" in page and agency.name in page
    filtered = browser.get("/navigator/compliance?borough=Nowhere").get_data(as_text=True)
    assert "No duties had a deadline in these months." in filtered
    junk = browser.get("/navigator/compliance?from=junk&to=2020-13&enhanced=maybe")
    assert junk.status_code == 200  # bad filters fall back to the defaults
    download = browser.get("/navigator/compliance.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    assert agency.name in download.get_data(as_text=True)
    victim = app.test_client()
    sign_in(victim, create_user())
    assert victim.get("/navigator/compliance").status_code == 404
    assert victim.get("/navigator/compliance.csv").status_code == 404


def test_the_median_is_the_middle_of_the_days_late(app):
    """PostgreSQL works the median out itself (percentile_cont); SQLite from the rows: both must
    give the median of the days late of the duties in the line."""
    import statistics

    from app.entitlements.models import CaseEntitlement
    from app.entitlements.service import evaluate_cases

    agency = create_agency(name=f"Median force {uuid.uuid4().hex[:4]}")
    cases = [make_case(agency, events=[("suspect_arrested", days, {})]) for days in (0, 2, 7)]
    later = NOW + dt.timedelta(days=30)
    evaluate_cases([c.id for c in cases], later)
    db.session.commit()
    lines = [
        line
        for line in compliance.report(window(), now=later)
        if line.agency == agency.name and line.right == 6
    ]
    rows = db.session.scalars(
        select(CaseEntitlement).where(
            CaseEntitlement.case_id.in_([c.id for c in cases]),
            CaseEntitlement.right == 6,
            CaseEntitlement.status == "overdue",
        )
    )
    by_month: dict[str, list[float]] = {}
    for row in rows:
        due = row.due_at if row.due_at.tzinfo else row.due_at.replace(tzinfo=dt.UTC)
        month = due.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m")
        by_month.setdefault(month, []).append((later - due).total_seconds() / 86400)
    assert by_month
    for line in lines:
        assert line.median_days_late == round(statistics.median(by_month[line.month]), 1)
