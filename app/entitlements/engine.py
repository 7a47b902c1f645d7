"""The entitlements engine: which Victims' Code duties a case is owed, by whom, by when, and met?

``evaluate`` is a pure function of the case facts, its milestones, the rules and the moment of
evaluation. It never crashes on missing data and never reports ``met`` unless the record shows it:

* Deadlines count from when the **duty holder received** the trigger (``received_at``), because the
  Code's limits run from when the provider has the information ("within 1 working day of the
  Witness Care Unit receiving it from the court"); statutory windows count from the event itself
  (``occurred_at``) or the incident date, as each rule says.
* Anything unknown is carried as a range. An unknown ``received_at`` means "no earlier than
  ``occurred_at``"; an unknown ``enhanced`` means "either deadline". A status is given only when
  it holds across the whole range, otherwise the answer is ``cannot_tell`` and ``unknown_facts``
  says what would settle it. ``due_at`` is then the earliest possible deadline, so an alert is
  never late.
* Evaluation is *as of* ``now``: a milestone not yet received at ``now`` is ignored, so evaluating a
  past moment replays history, and the result does not depend on the order of the milestone list.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum

from app.core.vocabulary import INFORMATION_DELIVERED
from app.entitlements import calendar
from app.entitlements.rules import Anchor, Kind, Rule


class Status(StrEnum):
    DUE = "due"  # not yet done; the deadline has not passed (or there is none)
    MET = "met"  # done by the deadline
    MET_LATE = "met_late"  # done, after the deadline
    OVERDUE = "overdue"  # not done and the deadline has passed (a window: it has closed)
    NOT_APPLICABLE = "not_applicable"  # the rule's conditions do not hold for this case
    CANNOT_TELL = "cannot_tell"  # a fact the answer depends on is unknown


@dataclass(frozen=True)
class CaseFacts:
    """What the rules may depend on. ``None`` always means "not known yet"."""

    enhanced: bool | None = None
    offence_category: str | None = None  # vocabulary.OFFENCE_CATEGORIES
    victim_age: int | None = None  # at the time of the crime
    sentence_months: int | None = None  # custodial term; 0 for a non-custodial sentence
    incident_date: date | None = None
    uls_eligible: bool | None = None  # a Crown Court sentence for an offence the ULS scheme lists


@dataclass(frozen=True)
class Milestone:
    """One event in a case. ``duty`` (a rule id) is set on ``information_delivered`` only;
    ``regarding`` optionally ties an acknowledgement to one trigger milestone's id."""

    id: str
    type: str
    occurred_at: datetime | None = None
    received_at: datetime | None = None
    duty: str | None = None
    regarding: str | None = None

    def __post_init__(self) -> None:
        # Refuse naive datetimes at the boundary, where the mistake is, not deep in a calculation.
        for name in ("occurred_at", "received_at"):
            value = getattr(self, name)
            if value is not None:
                calendar.require_aware(value, f"milestone {self.id!r} {name}")


@dataclass(frozen=True)
class Entitlement:
    """One duty (or window) owed in a case, arising from one trigger milestone."""

    rule_id: str
    right: int
    kind: Kind
    duty_holder: str
    duty: str
    status: Status
    due_at: datetime | None  # the earliest possible deadline; None = no deadline or unknown
    met_at: datetime | None  # the time by which it was certainly discharged
    trigger_milestone_id: str
    guidance: str
    unknown_facts: tuple[str, ...] = ()


# --- Moments with unknown ends --------------------------------------------------------------------


@dataclass(frozen=True)
class _Range:
    """An unknown moment known to lie in [lo, hi]; ``None`` ends are -inf / +inf."""

    lo: datetime | None = None
    hi: datetime | None = None

    @property
    def exact(self) -> datetime | None:
        return self.lo if self.lo is not None and self.lo == self.hi else None


def _min_lower(bounds: Iterable[datetime | None]) -> datetime | None:
    """The least of some lower bounds, where None is -inf (and so wins)."""
    items = list(bounds)
    if not items or any(bound is None for bound in items):
        return None
    return min(bound for bound in items if bound is not None)


def _min_upper(bounds: Iterable[datetime | None]) -> datetime | None:
    """The least of some upper bounds, where None is +inf (and so loses)."""
    known = [bound for bound in bounds if bound is not None]
    return min(known) if known else None


def _max_upper(bounds: Iterable[datetime | None]) -> datetime | None:
    """The greatest of some upper bounds, where None is +inf (and so wins)."""
    items = list(bounds)
    if not items or any(bound is None for bound in items):
        return None
    return max(bound for bound in items if bound is not None)


# --- Ordering: determinism regardless of input order ----------------------------------------------


_NO_TIME = (0, datetime.min)  # never compared with a moment: the first items differ


def _time_key(moment: datetime | None) -> tuple[int, datetime]:
    # Aware datetimes compare as instants whatever their zone: no conversion needed to order.
    return (1, moment) if moment is not None else _NO_TIME


def _milestone_key(milestone: Milestone) -> tuple[object, ...]:
    # _time_key written out: this runs for every milestone of every case in a full recompute.
    occurred, received = milestone.occurred_at, milestone.received_at
    first = occurred or received
    return (
        (1, first) if first is not None else _NO_TIME,
        (1, received) if received is not None else _NO_TIME,
        milestone.type,
        milestone.id,
        milestone.duty or "",
        milestone.regarding or "",
        (1, occurred) if occurred is not None else _NO_TIME,
    )


def _entitlement_key(item: Entitlement) -> tuple[object, ...]:
    # Two entitlements equal on every component here are equal as values, so ties are harmless.
    return (
        item.right,
        item.rule_id,
        _time_key(item.due_at),
        item.trigger_milestone_id,
        item.status.value,
        _time_key(item.met_at),
        item.unknown_facts,
    )


def _known_by(milestone: Milestone, now: datetime) -> bool:
    """Whether the hub could know of ``milestone`` at ``now`` (undated ones are assumed known)."""
    reference = milestone.received_at or milestone.occurred_at
    return reference is None or reference <= now


# --- Applicability --------------------------------------------------------------------------------


def _applies(
    rule: Rule, case: CaseFacts, types_seen: frozenset[str]
) -> tuple[bool | None, list[str]]:
    """True / False / None (unknown), with the facts that were unknown."""
    unknown: list[str] = []
    answer: bool | None = True
    for condition in rule.applies_if:
        result = condition.test(getattr(case, condition.fact, None))
        if result is False:
            return False, []
        if result is None:
            unknown.append(condition.fact)
            answer = None
    if any(required not in types_seen for required in rule.requires_milestones):
        return False, []
    return answer, unknown


# --- Deadlines ------------------------------------------------------------------------------------


def _anchor(rule: Rule, trigger: Milestone, case: CaseFacts) -> tuple[_Range, str | None]:
    """When the count starts, as a range, and the fact that is missing if it is not exact."""
    if rule.deadline_from is Anchor.INCIDENT_DATE:
        if not isinstance(case.incident_date, date):
            return _Range(), "incident_date"
        start = datetime.combine(case.incident_date, datetime.min.time(), tzinfo=calendar.LONDON)
        return _Range(start, start), None
    first, second = trigger.received_at, trigger.occurred_at
    if rule.deadline_from is Anchor.OCCURRED:
        first, second = second, first
    if first is not None:
        return _Range(first, first), None
    missing = "received_at" if rule.deadline_from is Anchor.RECEIVED else "occurred_at"
    if second is None:
        return _Range(), missing
    # Received no earlier than it occurred; occurred no later than it was received.
    if rule.deadline_from is Anchor.RECEIVED:
        return _Range(second, None), missing
    return _Range(None, second), missing


def _deadline(rule: Rule, trigger: Milestone, case: CaseFacts) -> tuple[_Range | None, list[str]]:
    """The deadline as a range; ``None`` when the rule sets no time limit for this case."""
    unknown: list[str] = []
    if case.enhanced is None:
        options = [rule.standard, rule.enhanced]
        if rule.standard != rule.enhanced:
            unknown.append("enhanced")
    else:
        options = [rule.deadline(bool(case.enhanced))]
    if all(option is None for option in options):
        return None, unknown
    anchor, missing = _anchor(rule, trigger, case)
    if missing:
        unknown.append(missing)
    # Deadlines only grow with their start, so the range runs from the earliest reading at the
    # earliest start to the latest reading at the latest start. A reading with no time limit is
    # +inf: it cannot lower the earliest deadline but makes the latest unbounded.
    if anchor.lo is not None and anchor.lo == anchor.hi:
        # An exact start (the usual case): each reading's deadline is worked out once.
        dues = [option.due(anchor.lo) if option is not None else None for option in options]
        return _Range(min(d for d in dues if d is not None), _max_upper(dues)), unknown
    lo = None
    if anchor.lo is not None:
        lo = min(option.due(anchor.lo) for option in options if option is not None)
    hi = _max_upper(
        option.due(anchor.hi) if option is not None and anchor.hi is not None else None
        for option in options
    )
    return _Range(lo, hi), unknown


# --- Discharge ------------------------------------------------------------------------------------


def _untied_ack(rule: Rule, candidate: Milestone) -> bool:
    return (
        candidate.type == INFORMATION_DELIVERED
        and candidate.duty == rule.id
        and candidate.regarding is None
    )


def _discharges(
    rule: Rule, trigger: Milestone, candidate: Milestone, allotted: Mapping[str, str] | None = None
) -> bool:
    if candidate.type not in rule.discharged_by:
        return False
    if candidate.type == INFORMATION_DELIVERED and candidate.duty != rule.id:
        return False
    if candidate.regarding is not None:
        return candidate.regarding == trigger.id
    if allotted is not None and candidate.type == INFORMATION_DELIVERED:
        # "The victim was told" without saying about which occurrence: the oldest one still
        # open, never all of them (two arrests, one call, is one duty done and one owed).
        return allotted.get(candidate.id) == trigger.id
    # Untied: it covers every occurrence it could have followed (you cannot tell someone of an
    # arrest before it happens). Undated events are given the benefit of the doubt here; the
    # time range below still stops an undated discharge from reading as "met".
    after = candidate.occurred_at or candidate.received_at
    before = trigger.occurred_at or trigger.received_at
    return after is None or before is None or after >= before


def _discharge_range(discharges: Sequence[Milestone]) -> tuple[_Range | None, list[str]]:
    """When the duty was first discharged, as a range; None if it was not."""
    if not discharges:
        return None, []
    ranges = [
        _Range(m.occurred_at, m.occurred_at)
        if m.occurred_at is not None
        # Not dated: it happened no later than the hub heard of it.
        else _Range(None, m.received_at)
        for m in discharges
    ]
    # The first discharge is the minimum of the moments, so both ends take their minimum.
    first = _Range(_min_lower(r.lo for r in ranges), _min_upper(r.hi for r in ranges))
    return first, [] if first.exact is not None else ["discharge.occurred_at"]


def _allot_untied_acks(
    rule: Rule, triggers: Sequence[Milestone], history: Sequence[Milestone]
) -> dict[str, str]:
    """{acknowledgement id: the trigger it discharges} for this rule's acknowledgements that name
    no trigger: each goes to the oldest trigger it could follow that nothing else discharged."""
    acks = [m for m in history if _untied_ack(rule, m)]
    if not acks:
        return {}
    done = {
        t.id
        for t in triggers
        if any(_discharges(rule, t, m) for m in history if not _untied_ack(rule, m))
    }
    allotted: dict[str, str] = {}
    for ack in acks:  # oldest first: history is in time order
        for trigger in triggers:
            if trigger.id not in done and _discharges(rule, trigger, ack):
                allotted[ack.id] = trigger.id
                done.add(trigger.id)
                break
    return allotted


# --- Status ---------------------------------------------------------------------------------------


def _status(deadline: _Range | None, done: _Range | None, now: datetime) -> Status:
    if deadline is None:  # no time limit: done or still due, never late
        return Status.MET if done is not None else Status.DUE
    if done is not None:
        if done.hi is not None and deadline.lo is not None and done.hi <= deadline.lo:
            return Status.MET
        if done.lo is not None and deadline.hi is not None and done.lo > deadline.hi:
            return Status.MET_LATE
        return Status.CANNOT_TELL
    if deadline.lo is not None and now <= deadline.lo:
        return Status.DUE
    if deadline.hi is not None and now > deadline.hi:
        return Status.OVERDUE
    return Status.CANNOT_TELL


def _entitlement(
    rule: Rule,
    trigger: Milestone,
    status: Status,
    due_at: datetime | None = None,
    met_at: datetime | None = None,
    unknown: Iterable[str] = (),
) -> Entitlement:
    return Entitlement(
        rule_id=rule.id,
        right=rule.right,
        kind=rule.kind,
        duty_holder=rule.duty_holder,
        duty=rule.duty,
        status=status,
        due_at=due_at,
        met_at=met_at,
        trigger_milestone_id=trigger.id,
        guidance=rule.guidance,
        unknown_facts=tuple(sorted(set(unknown))),
    )


def _evaluate_one(
    rule: Rule,
    trigger: Milestone,
    case: CaseFacts,
    history: Sequence[Milestone],
    types_seen: frozenset[str],
    now: datetime,
    allotted: Mapping[str, str] | None = None,
) -> Entitlement:
    applies, unknown = _applies(rule, case, types_seen)
    if applies is False:
        return _entitlement(rule, trigger, Status.NOT_APPLICABLE)
    if applies is None:
        return _entitlement(rule, trigger, Status.CANNOT_TELL, unknown=unknown)
    deadline, deadline_unknown = _deadline(rule, trigger, case)
    discharges = [m for m in history if _discharges(rule, trigger, m, allotted)]
    done, done_unknown = _discharge_range(discharges)
    status = _status(deadline, done, now)
    return _entitlement(
        rule,
        trigger,
        status,
        due_at=deadline.lo if deadline is not None else None,
        # Shown in London time so the same moment always looks the same, whatever zone it came in.
        met_at=calendar.to_london(done.hi) if done is not None and done.hi is not None else None,
        unknown=[*deadline_unknown, *(done_unknown if status is Status.CANNOT_TELL else [])],
    )


def evaluate(
    case: CaseFacts, milestones: Sequence[Milestone], rules: Sequence[Rule], now: datetime
) -> list[Entitlement]:
    """Every entitlement of ``case`` as of ``now``: one per rule per trigger occurrence.

    Sorted by right, rule id, deadline and trigger; the same inputs in any order give the same list.
    """
    calendar.require_aware(now, "now")
    history = sorted((m for m in milestones if _known_by(m, now)), key=_milestone_key)
    types_seen = frozenset(m.type for m in history)
    by_type = _rules_by_trigger(rules)
    # Only rules with an untied acknowledgement need the allotment (few: most name their trigger).
    acked = {m.duty for m in history if m.type == INFORMATION_DELIVERED and m.regarding is None}
    allotments = {
        rule.id: _allot_untied_acks(rule, [m for m in history if m.type in rule.triggers], history)
        for rule in rules
        if rule.id in acked
    }
    results = [
        _evaluate_one(rule, trigger, case, history, types_seen, now, allotments.get(rule.id))
        for trigger in history
        for rule in by_type.get(trigger.type, ())
    ]
    return sorted(results, key=_entitlement_key)


_BY_TRIGGER: dict[int, tuple[Sequence[Rule], dict[str, list[Rule]]]] = {}


def _rules_by_trigger(rules: Sequence[Rule]) -> dict[str, list[Rule]]:
    """The rules each milestone type triggers: a full recompute asks 30 rules about each of two
    million milestones otherwise. Kept per rules list (the list itself held, so its id stays
    its own); the order of the result does not matter, it is sorted."""
    found = _BY_TRIGGER.get(id(rules))
    if found is not None and found[0] is rules:
        return found[1]
    index: dict[str, list[Rule]] = {}
    for rule in rules:
        for kind in rule.triggers:
            index.setdefault(kind, []).append(rule)
    if len(_BY_TRIGGER) > 64:  # per-event rule subsets come and go
        _BY_TRIGGER.clear()
    _BY_TRIGGER[id(rules)] = (rules, index)
    return index


def rules_affected_by(rules: Sequence[Rule], changed_types: Collection[str]) -> list[Rule]:
    """The rules whose entitlements a new milestone of one of ``changed_types`` can change."""
    changed = frozenset(changed_types)
    return [rule for rule in rules if rule.milestone_types & changed]


def evaluate_for(
    case: CaseFacts,
    milestones: Sequence[Milestone],
    rules: Sequence[Rule],
    now: datetime,
    changed_types: Collection[str],
) -> list[Entitlement]:
    """``evaluate`` restricted to the rules a change of ``changed_types`` can affect.

    For re-evaluation inside the transaction that records an event: replace the stored
    entitlements of exactly these rule ids for the case. A change to the case *facts* can affect
    any rule, so call ``evaluate`` then; and entitlements also move from due to overdue as time
    passes, which the periodic job handles with ``evaluate``.
    """
    return evaluate(case, milestones, rules_affected_by(rules, changed_types), now)


# Kept next to CaseFacts so a test can check the rules' fact names against it.
CASE_FACT_NAMES = frozenset(f.name for f in fields(CaseFacts))
