"""Evaluating cases and keeping the results: the glue between the pure engine and the database.

`evaluate_cases` re-evaluates a set of cases in a handful of queries whatever their number (one
each for the cases, their victims, their milestones and their stored entitlements), so it serves
both the event transaction (the cases a batch touched) and the full recompute (chunks of cases).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from queue import Empty
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Row, delete, func, select, text, update
from sqlalchemy import case as sql_case

from app.cases.models import Agency, Case, CaseVictim, Participant
from app.cases.models import Milestone as MilestoneRow
from app.core.bulk import insert_new
from app.core.time import as_utc, utcnow
from app.core.vocabulary import ANY, SENTENCE
from app.entitlements import engine
from app.entitlements.models import CaseEntitlement
from app.entitlements.rules import DEFAULT_RULES_PATH, Kind, Rule, load_rules
from app.extensions import db

CHUNK = 2_000
_FIELDS = (
    "right",
    "kind",
    "duty_holder",
    "status",
    "due_at",
    "met_at",
    "unknown_facts",
    "agency_id",
)
# Owed by nobody on the journey yet: a navigator finds the agency (or the victim is told nobody
# is there to tell them) before the duty is missed unnoticed.
_NEEDS_A_HOLDER = frozenset({engine.Status.DUE, engine.Status.OVERDUE, engine.Status.CANNOT_TELL})


def load_rules_into(app: Flask) -> None:
    """Load the rules at start-up: a broken rules file stops the app, naming file, line, rule."""
    path = app.config["CONTENT_DIR"] / "victims-code" / "rules.yaml"
    if path.exists():  # the rules go with the guidance pages they link to
        app.extensions["entitlement_rules"] = load_rules(path, content_root=path.parent.parent)
    else:  # a content folder without rules (a test's): the project's own
        app.extensions["entitlement_rules"] = load_rules(DEFAULT_RULES_PATH)


def rules() -> list[Rule]:
    return current_app.extensions["entitlement_rules"]


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def case_facts(case, births: Iterable[dt.date | None], history: list) -> engine.CaseFacts:
    """What the rules depend on, from the case (anything with its enhanced, offence_category and
    incident_date), its victims' dates of birth and its sentence (if any)."""
    ages = [_age(b, case.incident_date) for b in births if b and case.incident_date]
    sentence = next((m.detail or {} for m in reversed(history) if m.type == SENTENCE), {})
    months = sentence.get("months")
    uls = sentence.get("uls_eligible")
    return engine.CaseFacts(
        enhanced=case.enhanced,
        offence_category=case.offence_category,
        victim_age=min(ages) if ages else None,  # the youngest victim: the longer time limits
        sentence_months=months if isinstance(months, int) else None,
        incident_date=case.incident_date,
        uls_eligible=uls if isinstance(uls, bool) else None,
    )


def _history_query(case_ids: Collection[int]):
    """What the engine needs of the cases' milestones, in the order they happened."""
    return (
        select(
            MilestoneRow.id,
            MilestoneRow.case_id,
            MilestoneRow.agency_event_id,
            MilestoneRow.agency_id,
            MilestoneRow.type,
            MilestoneRow.occurred_at,
            MilestoneRow.recorded_at,
            MilestoneRow.received_at,
            MilestoneRow.duty,
            MilestoneRow.detail["regarding"].as_string().label("regarding"),
            # Only a sentence's details are facts; decoding every event's JSON cost a third
            # of a full recompute's reading time.
            sql_case((MilestoneRow.type == SENTENCE, MilestoneRow.detail)).label("detail"),
        )
        .where(MilestoneRow.case_id.in_(case_ids))
        .order_by(MilestoneRow.occurred_at, MilestoneRow.id)
    )


def engine_history(case_id: int) -> list[engine.Milestone]:
    """One case's milestones as the engine reads them."""
    return _engine_milestones(list(db.session.execute(_history_query([case_id]))))


def _engine_milestones(rows: list) -> list[engine.Milestone]:
    by_event_id = {row.agency_event_id: str(row.id) for row in rows}
    out = []
    for row in rows:
        regarding = row.regarding
        occurred = row.occurred_at if row.occurred_at.tzinfo else as_utc(row.occurred_at)
        received = row.received_at if row.received_at.tzinfo else as_utc(row.received_at)
        recorded = row.recorded_at
        if recorded is not None and recorded.tzinfo is None:
            recorded = as_utc(recorded)
        # The engine's "received" is when the duty holder had the information: when the sender
        # recorded it (information passed on) or when it happened, never when the hub heard of
        # it, so an event posted late makes its duties late. Not after the hub heard of it: an
        # event stamped a little in the future still counts now.
        known = min(recorded or occurred, received)
        out.append(
            engine.Milestone(
                str(row.id),
                row.type,
                occurred,
                known,
                row.duty,
                by_event_id.get(regarding) if isinstance(regarding, str) else None,
            )
        )
    return out


def evaluate_cases(
    case_ids: Collection[int],
    now: dt.datetime | None = None,
    changed_types: Collection[str] | None = None,
) -> int:
    """Re-evaluate these cases and store the result, keeping what was done about each
    entitlement. With `changed_types` (the types of the events just stored), only the rules such
    events can affect are evaluated, and only their stored rows touched: the per-event path. A
    change to the case itself (enhanced rights, dates) needs everything: leave it None.
    Returns how many entitlements changed (added, updated or removed)."""
    if not case_ids:
        return 0
    now = now or utcnow()
    ids = list(case_ids)
    # The columns the rules read, not entities; the victims' dates of birth in the same query
    # (a round trip fewer on the per-event path, where round trips are most of the time).
    cases: dict[int, Row[*tuple[Any, ...]]] = {}
    births: defaultdict[int, list[dt.date | None]] = defaultdict(list)
    for row in db.session.execute(
        select(
            Case.id,
            Case.enhanced,
            Case.offence_category,
            Case.incident_date,
            CaseVictim.id.label("victim_id"),
            CaseVictim.date_of_birth,
        )
        .outerjoin(CaseVictim, CaseVictim.case_id == Case.id)
        .where(Case.id.in_(ids))
    ):
        cases.setdefault(row.id, row)
        if row.victim_id is not None:
            births[row.id].append(row.date_of_birth)
    history: dict[int, list] = defaultdict(list)
    senders: dict[int, int] = {}
    for row in db.session.execute(_history_query(ids)):
        history[row.case_id].append(row)
        senders[row.id] = row.agency_id
    holders = _duty_holders(ids)
    all_rules = rules()
    if changed_types is not None and SENTENCE in changed_types:
        changed_types = None  # a sentence changes case facts (its length), which any rule may test
    if changed_types is not None:
        all_rules = engine.rules_affected_by(all_rules, changed_types)
        if not all_rules:
            return 0
    columns = [getattr(CaseEntitlement, name) for name in _FIELDS]
    query = select(
        CaseEntitlement.id,
        CaseEntitlement.case_id,
        CaseEntitlement.rule_id,
        CaseEntitlement.trigger_id,
        *columns,
    ).where(CaseEntitlement.case_id.in_(ids))
    if changed_types is not None:
        query = query.where(CaseEntitlement.rule_id.in_([rule.id for rule in all_rules]))
    # PostgreSQL hands back aware datetimes, comparable as they are: only SQLite's need a zone
    # (the check cost a tenth of a full recompute's time on PostgreSQL).
    comparable = _comparable if db.session.get_bind().dialect.name == "sqlite" else tuple
    stored = {
        (case_id, rule_id, trigger_id): (row_id, comparable(values))
        for row_id, case_id, rule_id, trigger_id, *values in db.session.execute(query)
    }
    new_rows: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    missing: set[tuple[int, str]] = set()
    for case_id, case in cases.items():
        facts = case_facts(case, births[case_id], history[case_id])
        for item in engine.evaluate(facts, _engine_milestones(history[case_id]), all_rules, now):
            # In _FIELDS order: compared as one tuple with what is stored (most are unchanged).
            trigger = int(item.trigger_milestone_id)
            if item.duty_holder == ANY:  # whoever the duty or request concerns: the sender
                owed_by = senders.get(trigger)
            else:
                owed_by = holders.get(case_id, {}).get(item.duty_holder)
                # A window is the victim's time limit (to claim from the CICA, to ask for a
                # review): nothing its holder owes, so no agency to find.
                if owed_by is None and item.kind is Kind.DUTY and item.status in _NEEDS_A_HOLDER:
                    missing.add((case_id, item.duty_holder))
            values = (
                item.right,
                item.kind.value,
                item.duty_holder,
                item.status.value,
                _utc(item.due_at),
                _utc(item.met_at),
                list(item.unknown_facts) or None,
                owed_by,
            )
            key = (case_id, item.rule_id, trigger)
            known = stored.pop(key, None)
            if known is None:
                new_rows.append(
                    {
                        **dict(zip(_FIELDS, values, strict=True)),
                        "case_id": case_id,
                        "rule_id": item.rule_id,
                        "trigger_id": key[2],
                        "evaluated_at": now,
                    }
                )
            elif known[1] != values:
                updates.append(
                    {"id": known[0], **dict(zip(_FIELDS, values, strict=True)), "evaluated_at": now}
                )
    if updates:  # an executemany by primary key; alerted/escalated/not told are left alone
        db.session.execute(update(CaseEntitlement), updates)
    gone = [row_id for row_id, _values in stored.values()]  # a rule removed, or its trigger deleted
    if gone:
        db.session.execute(delete(CaseEntitlement).where(CaseEntitlement.id.in_(gone)))
    insert_new(CaseEntitlement, new_rows, unique=("case_id", "rule_id", "trigger_id"), returning=())
    _ask_for_holders(missing)
    return len(updates) + len(new_rows) + len(gone)


def _duty_holders(case_ids: Collection[int]) -> dict[int, dict[str, int]]:
    """Per journey, each kind of agency -> the participant agency that holds that kind's duties
    (the first of that kind to join)."""
    holders: dict[int, dict[str, int]] = defaultdict(dict)
    rows = db.session.execute(
        select(Participant.case_id, Participant.agency_id, Agency.kinds)
        .join(Agency, Agency.id == Participant.agency_id)
        .where(Participant.case_id.in_(case_ids))
        .order_by(Participant.joined_at, Participant.id)
    )
    for case_id, agency_id, kinds in rows:
        for kind in kinds or ():
            holders[case_id].setdefault(kind, agency_id)
    return holders


def _ask_for_holders(missing: set[tuple[int, str]]) -> None:
    """A duty whose holder takes no part in the journey is not dropped: a navigator is asked to
    find that agency, once per journey and kind of agency."""
    from app.tasks.service import open_tasks_once

    if missing:
        open_tasks_once(
            [
                {
                    "kind": "find_agency",
                    "reason": f"no_duty_holder:{kind}",
                    "key": f"no-holder:{case_id}:{kind}",
                    "case_id": case_id,
                }
                for case_id, kind in sorted(missing)
            ]
        )


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    # Stored in UTC: SQLite keeps no zone, and would read a London time back as UTC.
    return moment.astimezone(dt.UTC) if moment is not None else None


def _comparable(values) -> tuple:
    # Aware datetimes compare as instants; SQLite's come back naive, and are UTC.
    return tuple(
        as_utc(value) if isinstance(value, dt.datetime) and value.tzinfo is None else value
        for value in values
    )


def _recompute_range(low: int, high: int | None, progress: Callable[[int], None]) -> int:
    """Cases with low < id <= high (no upper bound if None), a chunk per transaction."""
    last, done = low, 0
    while True:
        query = select(Case.id).where(Case.id > last)
        if high is not None:
            query = query.where(Case.id <= high)
        ids = list(db.session.scalars(query.order_by(Case.id).limit(CHUNK)))
        if not ids:
            return done
        if db.session.get_bind().dialect.name == "postgresql":
            # Worked out again from the cases if lost: no need to wait for the disk per chunk.
            db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        evaluate_cases(ids)
        db.session.commit()
        db.session.expunge_all()  # keep memory flat over 200,000 cases
        last, done = ids[-1], done + len(ids)
        progress(len(ids))


def _child(low: int, high: int | None, settings: dict, queue, factory: Callable) -> None:
    with factory(settings).app_context():
        _recompute_range(low, high, queue.put)
    queue.put(None)  # this part is finished


def recompute_all(progress: Callable[[int], None] = lambda _n: None, workers: int = 1) -> int:
    """Every case. With workers > 1, as many processes, each with its own share of the cases
    (evaluation is pure Python: one core each). Returns how many cases."""
    total = db.session.scalar(select(func.count()).select_from(Case)) or 0
    if workers <= 1 or total < workers * CHUNK:
        return _recompute_range(0, None, progress)
    # Split points at equal counts of cases, so every process has the same amount of work.
    cuts = [
        db.session.scalar(select(Case.id).order_by(Case.id).offset(total * k // workers).limit(1))
        for k in range(1, workers)
    ]
    bounds = list(zip([0, *cuts], [*cuts, None], strict=True))
    settings = {
        "SQLALCHEMY_DATABASE_URI": current_app.config["SQLALCHEMY_DATABASE_URI"],
        "CONTENT_DIR": current_app.config["CONTENT_DIR"],
        "LOG_REQUESTS": False,
    }
    db.session.close()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no shared connections
    queue = context.Queue()
    # The factory that made this app makes each process's own (entitlements sit below it).
    factory = current_app.extensions["app_factory"]
    processes = [
        context.Process(target=_child, args=(lo, hi, settings, queue, factory)) for lo, hi in bounds
    ]
    for process in processes:
        process.start()
    done, running = 0, len(processes)
    while running:
        try:
            count = queue.get(timeout=5)
        except Empty:
            if all(not p.is_alive() for p in processes):
                break  # a child died without saying so: the exit codes below tell
            continue
        if count is None:
            running -= 1
        else:
            done += count
            progress(count)
    for process in processes:
        process.join()
    failed = [p.exitcode for p in processes if p.exitcode]
    if failed:
        raise RuntimeError(f"{len(failed)} recompute process(es) failed (exit codes {failed})")
    return done


def refresh_due(now: dt.datetime | None = None, limit: int = 5_000) -> int:
    """Time passes: re-evaluate the cases with an entitlement whose deadline has gone by while it
    was still due, so it shows as overdue (the periodic job). Returns how many cases."""
    now = now or utcnow()
    ids = set(
        db.session.scalars(
            select(CaseEntitlement.case_id)
            .where(CaseEntitlement.status == engine.Status.DUE, CaseEntitlement.due_at <= now)
            .limit(limit)
        )
    )
    evaluate_cases(ids, now)
    db.session.commit()
    return len(ids)


def for_case(case_id: int) -> list[CaseEntitlement]:
    """What applies to a case (not the rules that do not), soonest deadline first."""
    return list(
        db.session.scalars(
            select(CaseEntitlement)
            .where(
                CaseEntitlement.case_id == case_id,
                CaseEntitlement.status != engine.Status.NOT_APPLICABLE,
            )
            .order_by(CaseEntitlement.right, CaseEntitlement.due_at, CaseEntitlement.id)
        )
    )


def guidance_slugs() -> dict[str, str]:
    """Rule id -> the guidance page that explains it."""
    return {rule.id: rule.guidance for rule in rules()}


def find(case_id: int, entitlement_id: int) -> CaseEntitlement | None:
    """Within one case only: an id from another case is simply not found."""
    return db.session.scalar(
        select(CaseEntitlement).where(
            CaseEntitlement.case_id == case_id, CaseEntitlement.id == entitlement_id
        )
    )


def report_not_told(item: CaseEntitlement, user) -> bool:
    """Record "I was not told about this" once, and open a navigator's task. True the first time."""
    from app.tasks.service import open_task

    if item.not_told_at is not None:
        return False
    item.not_told_at = utcnow()
    open_task(
        kind="not_told",
        reason="victim_not_told",
        key=f"not-told:{item.key}:{user.id}",
        user_id=user.id,
        case_id=item.case_id,
        milestone_id=item.trigger_id,
    )
    return True
