"""Compliance with the Victims' Code, from the stored entitlements: per agency, per right, per
month of the deadline — on time, late, missed, still pending, reported by victims as "not told",
and the median days late. Duties only (time limits on the victim's own actions are not an
agency's to meet). Counted in the database; only the medians of late duties come back as rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, literal, select
from sqlalchemy.sql import ColumnElement

from app.cases.models import Agency, Case, Milestone
from app.core.time import as_utc, utcnow
from app.entitlements.engine import Status
from app.entitlements.models import CaseEntitlement
from app.extensions import db

OUTCOMES = ("on_time", "late", "missed", "pending")
_OUTCOME = {
    Status.MET: "on_time",
    Status.MET_LATE: "late",
    Status.OVERDUE: "missed",
    Status.DUE: "pending",
}


@dataclass(frozen=True)
class Filters:
    since: dt.date
    until: dt.date  # exclusive
    borough: str | None = None
    crime_type: str | None = None
    enhanced: bool | None = None


@dataclass
class Line:
    agency: str
    right: int
    month: str  # YYYY-MM, the month the deadline fell in
    on_time: int = 0
    late: int = 0
    missed: int = 0
    pending: int = 0
    not_told: int = 0
    days_late: list[float] = field(default_factory=list, repr=False)
    median: float | None = None  # worked out by PostgreSQL; from days_late on SQLite
    missing_kind: str = ""  # set when no agency on the journeys held the duty: which kind

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.missed + self.pending

    @property
    def median_days_late(self) -> float | None:
        if self.median is not None:
            return round(self.median, 1)
        return round(statistics.median(self.days_late), 1) if self.days_late else None


def _month(column) -> ColumnElement:
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Europe/London", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _where(filters: Filters) -> list:
    start = dt.datetime.combine(filters.since, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(filters.until, dt.time(), tzinfo=dt.UTC)
    conditions = [
        CaseEntitlement.kind == "duty",
        CaseEntitlement.due_at >= start,
        CaseEntitlement.due_at < end,
        CaseEntitlement.status.in_(list(_OUTCOME)),
    ]
    return [*conditions, *_case_filters(filters)]


def _case_filters(filters: Filters) -> list:
    """The filters on the journey itself (borough, crime type, enhanced rights)."""
    conditions = []
    if filters.borough:
        conditions.append(Case.borough == filters.borough)
    if filters.crime_type:
        conditions.append(Case.crime_type == filters.crime_type)
    if filters.enhanced is not None:
        conditions.append(Case.enhanced.is_(filters.enhanced))
    return conditions


def _owed_by() -> ColumnElement:
    """The agency that owes the duty; a duty no agency on the journey holds is counted on its
    own line per kind of agency (nobody was there to meet it, which is a finding too): for those
    the agency is empty and the kind follows a tab, which no agency's name holds."""
    nobody = literal(NOBODY) + CaseEntitlement.duty_holder
    return func.coalesce(Agency.name, nobody)


NOBODY = "\t"


def _line(owed_by: str, right: int, month: str) -> Line:
    if owed_by.startswith(NOBODY):
        return Line("", right, month, missing_kind=owed_by[len(NOBODY) :])
    return Line(owed_by, right, month)


def report(filters: Filters, now: dt.datetime | None = None) -> list[Line]:
    """Each duty counted against the agency that owes it (not the journey's first agency)."""
    now = now or utcnow()
    month = _month(CaseEntitlement.due_at)
    owed_by = _owed_by()
    lines: dict[tuple[str, int, str], Line] = {}
    counted = db.session.execute(
        select(
            owed_by,
            CaseEntitlement.right,
            month.label("month"),
            CaseEntitlement.status,
            func.count(),
            func.count(CaseEntitlement.not_told_at),
        )
        .join(Case, Case.id == CaseEntitlement.case_id)
        .outerjoin(Agency, Agency.id == CaseEntitlement.agency_id)
        .where(*_where(filters))
        .group_by(owed_by, CaseEntitlement.right, month, CaseEntitlement.status)
    )
    for agency, right, when, status, count, not_told in counted:
        line = lines.setdefault((agency, right, when), _line(agency, right, when))
        outcome = _OUTCOME[Status(status)]
        setattr(line, outcome, getattr(line, outcome) + count)
        line.not_told += not_told
    late_filter = [*_where(filters), CaseEntitlement.status.in_([Status.MET_LATE, Status.OVERDUE])]
    if db.session.get_bind().dialect.name == "postgresql":
        # The median in the database: at London scale a million late rows stay there.
        end = case(
            (CaseEntitlement.status == Status.MET_LATE, func.coalesce(CaseEntitlement.met_at, now)),
            else_=now,
        )
        days = func.extract("epoch", end - CaseEntitlement.due_at) / 86400
        medians = db.session.execute(
            select(
                owed_by,
                CaseEntitlement.right,
                month,
                func.percentile_cont(0.5).within_group(days),
            )
            .join(Case, Case.id == CaseEntitlement.case_id)
            .outerjoin(Agency, Agency.id == CaseEntitlement.agency_id)
            .where(*late_filter)
            .group_by(owed_by, CaseEntitlement.right, month)
        )
        for agency, right, when, median in medians:
            lines[(agency, right, when)].median = float(median)
        return sorted(lines.values(), key=_order)
    late = db.session.execute(
        select(
            owed_by,
            CaseEntitlement.right,
            month,
            CaseEntitlement.status,
            CaseEntitlement.due_at,
            CaseEntitlement.met_at,
        )
        .join(Case, Case.id == CaseEntitlement.case_id)
        .outerjoin(Agency, Agency.id == CaseEntitlement.agency_id)
        .where(*late_filter)
    )
    for agency, right, when, status, due_at, met_at in late:
        ended = as_utc(met_at) if status == Status.MET_LATE and met_at else now
        lines[(agency, right, when)].days_late.append(
            (ended - as_utc(due_at)).total_seconds() / 86400
        )
    return sorted(lines.values(), key=_order)


def _order(line: Line) -> tuple:
    return (line.missing_kind != "", line.agency, line.missing_kind, line.right, line.month)


@dataclass(frozen=True)
class PostingDelay:
    agency: str
    events: int
    median_hours: float | None


def posting_delays(filters: Filters) -> list[PostingDelay]:
    """How long each agency takes to tell the hub: the median time from when an event happened
    (or the agency recorded it) to when the hub received it, over the events received in the
    period. Slow telling makes duties late even when the victim was told on time."""
    start = dt.datetime.combine(filters.since, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(filters.until, dt.time(), tzinfo=dt.UTC)
    known = func.coalesce(Milestone.recorded_at, Milestone.occurred_at)
    conditions = [Milestone.received_at >= start, Milestone.received_at < end]
    conditions += _case_filters(filters)
    base = (
        select(Agency.name)
        .join(Milestone, Milestone.agency_id == Agency.id)
        .join(Case, Case.id == Milestone.case_id)
        .where(*conditions)
        .group_by(Agency.name)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        hours = func.greatest(func.extract("epoch", Milestone.received_at - known), 0) / 3600
        rows = db.session.execute(
            base.add_columns(func.count(), func.percentile_cont(0.5).within_group(hours))
        )
        return [
            PostingDelay(name, count, None if median is None else round(float(median), 1))
            for name, count, median in sorted(rows)
        ]
    delays: dict[str, list[float]] = defaultdict(list)
    for name, received, at in db.session.execute(
        select(Agency.name, Milestone.received_at, known)
        .join(Milestone, Milestone.agency_id == Agency.id)
        .join(Case, Case.id == Milestone.case_id)
        .where(*conditions)
    ):
        delays[name].append(max((as_utc(received) - as_utc(at)).total_seconds(), 0) / 3600)
    return [
        PostingDelay(name, len(values), round(statistics.median(values), 1))
        for name, values in sorted(delays.items())
    ]


def by_right(lines: list[Line]) -> dict[int, dict[str, int]]:
    """Totals per right (for the chart)."""
    totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for line in lines:
        for outcome in OUTCOMES:
            totals[line.right][outcome] += getattr(line, outcome)
    return dict(sorted(totals.items()))


def to_csv(lines: list[Line]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "agency",
            "right",
            "month",
            *OUTCOMES,
            "total",
            "not_told",
            "median_days_late",
            "no_agency_of_kind",  # the agency is empty: no agency of this kind on the journeys
        ]
    )
    for line in lines:
        median = line.median_days_late
        writer.writerow(
            [
                _safe(line.agency),
                line.right,
                line.month,
                *(getattr(line, o) for o in OUTCOMES),
                line.total,
                line.not_told,
                "" if median is None else median,
                line.missing_kind,
            ]
        )
    return out.getvalue()


def _safe(text: str) -> str:
    # A cell starting with = + - @ runs as a formula in a spreadsheet: neutralise it.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
