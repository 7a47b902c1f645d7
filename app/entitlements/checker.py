"""The anonymous rights checker: from a few answers, which Victims' Code rights apply, whether the
person has enhanced rights and why, and the time limits on what they can do — worked out by the
same rules and engine as a real case, from a case made up of the answers. Nothing is stored.
No Flask here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.core import vocabulary as v
from app.core.vocabulary import CRIMES
from app.entitlements import engine
from app.entitlements.rules import Kind, Rule

STAGES = (
    "not_reported",
    "investigating",
    "no_further_action",
    "charged",
    "cps_stopped",
    "sentenced",
)
# Crimes the Code names as "the most serious", whose victims have enhanced rights.
MOST_SERIOUS = frozenset({"sexual", "domestic", "hate", "bereaved"})
CATEGORY = {
    "violent": v.VIOLENT,
    "sexual": v.SEXUAL,
    "domestic": v.VIOLENT,
    "hate": v.VIOLENT,
    "bereaved": v.VIOLENT,
}
# The events each stage implies, in order; the last is dated by the decision date if given.
STAGE_EVENTS = {
    "not_reported": (),
    "investigating": (v.REPORTED,),
    "no_further_action": (v.REPORTED, v.SUSPECT_INTERVIEWED, v.NO_FURTHER_ACTION),
    "charged": (v.REPORTED, v.SUSPECT_ARRESTED, v.CHARGED),
    "cps_stopped": (v.REPORTED, v.CHARGED, v.CHARGES_DROPPED),
    "sentenced": (v.REPORTED, v.CHARGED, v.VERDICT, v.SENTENCE),
}
# Rights every victim has whatever the stage; the rest follow the journey.
ALWAYS = (1, 4, 12)
STAGE_RIGHTS = {
    "not_reported": (2, 3, 5),
    "investigating": (2, 3, 5, 6),
    "no_further_action": (5, 6),
    "charged": (5, 6, 7, 8, 10),
    "cps_stopped": (5, 6),
    "sentenced": (5, 9, 10, 11),
}


class BadAnswer(ValueError):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class Answers:
    crime: str
    reported: bool
    under_18: bool
    vulnerable: bool = False  # a disability, or a mental health condition
    intimidated: bool = False  # scared to give evidence, or for their safety
    targeted: bool = False  # targeted again and again
    stage: str = "not_reported"
    incident_date: dt.date | None = None
    decision_date: dt.date | None = None  # of the stage's last event (decision, sentence)
    crown_court: bool | None = None  # sentenced in the Crown Court (the ULS scheme)

    @classmethod
    def parse(cls, data: Mapping[str, str], today: dt.date) -> Answers:
        """From a query string. Raises BadAnswer naming the first field that is missing/wrong."""

        def choice(name: str, allowed: Sequence[str]) -> str:
            value = (data.get(name) or "").strip()
            if value not in allowed:
                raise BadAnswer(name)
            return value

        def yes_no(name: str, required: bool = True) -> bool | None:
            value = (data.get(name) or "").strip()
            if value in ("yes", "no"):
                return value == "yes"
            if required:
                raise BadAnswer(name)
            return None

        def date(name: str) -> dt.date | None:
            value = (data.get(name) or "").strip()
            if not value:
                return None
            try:
                parsed = dt.date.fromisoformat(value)
            except ValueError as exc:
                raise BadAnswer(name) from exc
            if parsed > today or parsed.year < 1900:
                raise BadAnswer(name)
            return parsed

        reported = yes_no("reported")
        stage = choice("stage", STAGES) if reported else "not_reported"
        return cls(
            crime=choice("crime", CRIMES),
            reported=bool(reported),
            under_18=bool(yes_no("under_18")),
            vulnerable=bool(yes_no("vulnerable", required=False)),
            intimidated=bool(yes_no("intimidated", required=False)),
            targeted=bool(yes_no("targeted", required=False)),
            stage=stage,
            incident_date=date("incident_date"),
            decision_date=date("decision_date") if stage in _DATED else None,
            crown_court=yes_no("crown_court", required=False) if stage == "sentenced" else None,
        )


_DATED = frozenset({"no_further_action", "cps_stopped", "sentenced", "charged"})


@dataclass(frozen=True)
class TimeLimit:
    rule_id: str
    right: int
    due_at: dt.datetime | None  # None: we cannot tell the date (see `deadline`)
    deadline: str  # the length of the window, e.g. "28 calendar days"
    closed: bool
    guidance: str
    condition: str | None = None  # e.g. "suspect_interviewed": only if that happened


@dataclass(frozen=True)
class Result:
    enhanced: bool
    reasons: tuple[str, ...]  # why: most_serious, under_18, vulnerable, intimidated, targeted
    rights: tuple[int, ...]
    time_limits: tuple[TimeLimit, ...]
    duties: tuple[Rule, ...]  # what services must tell them next, with the time they have


def enhanced_rights(answers: Answers) -> tuple[bool, tuple[str, ...]]:
    reasons = []
    if answers.crime in MOST_SERIOUS:
        reasons.append("most_serious")
    for name in ("under_18", "vulnerable", "intimidated", "targeted"):
        if getattr(answers, name):
            reasons.append(name)
    return bool(reasons), tuple(reasons)


def _at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def check(answers: Answers, rules: Sequence[Rule], now: dt.datetime) -> Result:
    enhanced, reasons = enhanced_rights(answers)
    events = STAGE_EVENTS[answers.stage]
    start = answers.incident_date or now.date()
    milestones = []
    for index, kind in enumerate(events):
        last = index == len(events) - 1
        day: dt.date | None = answers.decision_date if last and answers.decision_date else start
        if last and answers.decision_date is None and kind != v.REPORTED:
            day = None  # the date of the decision is not known: no date for what counts from it
        when = _at_noon(day) if day else None
        milestones.append(
            engine.Milestone(id=str(index), type=kind, occurred_at=when, received_at=when)
        )
    facts = engine.CaseFacts(
        enhanced=enhanced,
        offence_category=CATEGORY.get(answers.crime, v.OTHER),
        victim_age=16 if answers.under_18 else 30,  # only "under 18 or not" is asked
        incident_date=answers.incident_date,
        uls_eligible=answers.crown_court,  # Crown Court; whether the offence is listed, unasked
        sentence_months=None,
    )
    by_id = {rule.id: rule for rule in rules}
    limits, seen = [], set()
    for item in engine.evaluate(facts, milestones, rules, now):
        rule = by_id[item.rule_id]
        if rule.kind is not Kind.WINDOW or item.status is engine.Status.NOT_APPLICABLE:
            continue
        if item.rule_id in seen:
            continue
        seen.add(item.rule_id)
        deadline = rule.deadline(enhanced)
        limits.append(
            TimeLimit(
                rule_id=rule.id,
                right=rule.right,
                due_at=item.due_at if item.status is not engine.Status.CANNOT_TELL else None,
                deadline=str(deadline) if deadline else "",
                closed=item.status is engine.Status.OVERDUE,
                guidance=rule.guidance,
                condition=rule.requires_milestones[0] if rule.requires_milestones else None,
            )
        )
    # What services must do next: the duties the latest step brings.
    happened = {milestones[-1].type} if milestones else set()
    duties = tuple(r for r in rules if r.kind is Kind.DUTY and set(r.triggers) & happened)
    rights = tuple(sorted({*ALWAYS, *STAGE_RIGHTS[answers.stage]}))
    return Result(enhanced, reasons, rights, tuple(limits), duties)
