"""The entitlements engine: every rule with real dates, the 17:00 boundary, unknown facts, one
entitlement per trigger, and hypothesis properties (order independence, acknowledgements only
help, deadlines on working days, no crash whatever the facts)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.vocabulary import INFORMATION_DELIVERED, MILESTONE_TYPES
from app.entitlements import (
    LONDON,
    CaseFacts,
    Kind,
    Milestone,
    NaiveDatetimeError,
    Status,
    evaluate,
    evaluate_for,
    load_rules,
    rules_affected_by,
)

RULES = load_rules()
BY_ID = {rule.id: rule for rule in RULES}
ENGLAND = holidays.UK(subdiv="ENG")


def london(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def end_of(day: str) -> datetime:
    return london(f"{day}T23:59:59")


def event(
    id_: str, type_: str, at: str | None, received: str | None = "same", **extra
) -> Milestone:
    occurred = london(at) if at else None
    got = occurred if received == "same" else (london(received) if received else None)
    return Milestone(id_, type_, occurred, got, **extra)


def told(id_: str, duty: str, at: str | None, **extra) -> Milestone:
    return event(id_, INFORMATION_DELIVERED, at, duty=duty, **extra)


def only(entitlements, rule_id):
    found = [e for e in entitlements if e.rule_id == rule_id]
    assert len(found) == 1, found
    return found[0]


# --- Every rule, with real dates ------------------------------------------------------------------

STANDARD = CaseFacts(enhanced=False)
ENHANCED = CaseFacts(enhanced=True)
VCS_CASE = CaseFacts(enhanced=False, offence_category="violent", sentence_months=18)

# (rule, facts, trigger type, received (London), occurred if different, extra milestones, due day)
TABLE = [
    # Christmas 2026: after 17:00 on Wednesday 23rd counts from Thursday 24th; 25th and the
    # substitute Boxing Day (Monday 28th) and New Year's Day are not working days.
    ("r3-written-confirmation", STANDARD, "reported", "2026-12-23T17:30", None, [], "2027-01-05"),
    ("r3-written-confirmation", ENHANCED, "reported", "2026-12-23T17:30", None, [], "2026-12-29"),
    ("r4-needs-assessment", STANDARD, "reported", "2026-03-02T10:00", None, [], None),
    # Christmas 2021: 27th and 28th are substitute days.
    ("r4-support-referral", STANDARD, "reported", "2021-12-24T11:00", None, [], "2021-12-30"),
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    (
        "r6-suspect-arrested",
        STANDARD,
        "suspect_arrested",
        "2026-04-02T10:00",
        None,
        [],
        "2026-04-13",
    ),
    (
        "r6-suspect-arrested",
        ENHANCED,
        "suspect_arrested",
        "2026-04-02T10:00",
        None,
        [],
        "2026-04-07",
    ),
    (
        "r6-suspect-interviewed",
        STANDARD,
        "suspect_interviewed",
        "2026-04-02T17:00",
        None,
        [],
        "2026-04-14",
    ),
    (
        "r6-suspect-interviewed",
        ENHANCED,
        "suspect_interviewed",
        "2026-04-02T17:00",
        None,
        [],
        "2026-04-08",
    ),
    (
        "r6-released-without-charge",
        STANDARD,
        "no_further_action",
        "2021-12-24T10:00",
        None,
        [],
        "2022-01-05",
    ),
    (
        "r6-released-without-charge",
        ENHANCED,
        "no_further_action",
        "2021-12-24T10:00",
        None,
        [],
        "2021-12-29",
    ),
    # A weekend: Saturday counts from Monday.
    (
        "r6-released-on-bail",
        STANDARD,
        "released_on_bail",
        "2026-03-07T09:00",
        None,
        [],
        "2026-03-16",
    ),
    (
        "r6-released-on-bail",
        ENHANCED,
        "released_on_bail",
        "2026-03-07T09:00",
        None,
        [],
        "2026-03-10",
    ),
    # The 17:00 boundary on a Friday.
    (
        "r6-released-under-investigation",
        ENHANCED,
        "released_under_investigation",
        "2026-03-06T16:59",
        None,
        [],
        "2026-03-09",
    ),
    (
        "r6-released-under-investigation",
        STANDARD,
        "released_under_investigation",
        "2026-03-06T16:59",
        None,
        [],
        "2026-03-13",
    ),
    (
        "r6-bail-conditions-changed",
        ENHANCED,
        "bail_conditions_changed",
        "2026-03-06T17:00",
        None,
        [],
        "2026-03-10",
    ),
    (
        "r6-bail-conditions-changed",
        STANDARD,
        "bail_conditions_changed",
        "2026-03-06T17:00",
        None,
        [],
        "2026-03-16",
    ),
    (
        "r6-not-investigated",
        STANDARD,
        "decision_not_to_investigate",
        "2026-04-03T12:00",
        None,
        [],
        "2026-04-14",
    ),
    (
        "r6-not-investigated",
        ENHANCED,
        "decision_not_to_investigate",
        "2026-04-03T12:00",
        None,
        [],
        "2026-04-08",
    ),
    ("r6-charged", STANDARD, "charged", "2026-12-24T10:00", None, [], "2027-01-05"),
    ("r6-charged", ENHANCED, "charged", "2026-12-24T10:00", None, [], "2026-12-29"),
    (
        "r6-out-of-court-disposal",
        STANDARD,
        "out_of_court_disposal",
        "2026-12-31T10:00",
        None,
        [],
        "2027-01-08",
    ),
    (
        "r6-out-of-court-disposal",
        ENHANCED,
        "out_of_court_disposal",
        "2026-12-31T10:00",
        None,
        [],
        "2027-01-04",
    ),
    # New Year 2022: Monday 3 January is the substitute holiday.
    ("r6-charges-dropped", STANDARD, "charges_dropped", "2021-12-31T10:00", None, [], "2022-01-10"),
    ("r6-charges-dropped", ENHANCED, "charges_dropped", "2021-12-31T10:00", None, [], "2022-01-04"),
    ("r6-charges-altered", STANDARD, "charges_altered", "2026-03-02T10:00", None, [], "2026-03-09"),
    ("r6-charges-altered", ENHANCED, "charges_altered", "2026-03-02T10:00", None, [], "2026-03-03"),
    # Windows count from the decision itself, not from when an agency heard of it.
    (
        "r6-vrr-cps-prompt",
        STANDARD,
        "charges_dropped",
        "2026-12-21T09:00",
        "2026-12-18T15:00",
        [],
        "2027-01-06",
    ),
    (
        "r6-vrr-cps-window",
        STANDARD,
        "charges_dropped",
        "2026-12-01T09:00",
        "2026-11-30T15:00",
        [],
        "2027-02-28",
    ),
    (
        "r6-vrr-police-window",
        STANDARD,
        "no_further_action",
        "2026-03-31T18:00",
        None,
        [event("i1", "suspect_interviewed", "2026-03-20T10:00")],
        "2026-06-30",
    ),
    ("r7-vps-offer", STANDARD, "charged", "2026-03-02T10:00", None, [], None),
    # Hearing details received on Good Friday count from Tuesday 7 April.
    (
        "r8-hearing-details",
        STANDARD,
        "hearing_details_received",
        "2026-04-03T09:00",
        None,
        [],
        "2026-04-08",
    ),
    (
        "r8-hearing-details",
        STANDARD,
        "trial_date_moved",
        "2026-12-24T16:00",
        None,
        [],
        "2026-12-29",
    ),
    ("r8-hearing-details", ENHANCED, "trial_date_set", "2026-03-02T09:00", None, [], "2026-03-03"),
    (
        "r8-bail-or-warrant-outcome",
        STANDARD,
        "bail_or_warrant_outcome",
        "2026-04-01T10:00",
        None,
        [],
        "2026-04-10",
    ),
    (
        "r8-bail-or-warrant-outcome",
        ENHANCED,
        "bail_or_warrant_outcome",
        "2026-04-01T10:00",
        None,
        [],
        "2026-04-02",
    ),
    (
        "r8-witness-required",
        STANDARD,
        "witness_required",
        "2026-12-24T17:00",
        None,
        [],
        "2026-12-30",
    ),
    # Christmas 2027 falls on a weekend: Monday 27th and Tuesday 28th are holidays.
    ("r9-verdict", STANDARD, "verdict", "2027-12-24T10:00", None, [], "2027-12-29"),
    ("r9-sentence", ENHANCED, "sentence", "2026-04-02T16:00", None, [], "2026-04-07"),
    ("r9-appeal", STANDARD, "appeal", "2026-03-02T17:01", None, [], "2026-03-04"),
    # The gov.uk example: sentenced 4 December 2020, the 28 days end on New Year's Day.
    (
        "r9-uls-window",
        CaseFacts(uls_eligible=True),
        "sentence",
        "2020-12-07T09:00",
        "2020-12-04T16:00",
        [],
        "2021-01-01",
    ),
    ("r11-vcs-referral", VCS_CASE, "sentence", "2026-12-14T10:00", None, [], "2026-12-30"),
    ("r11-vlo-contact", STANDARD, "vcs_referral_made", "2026-12-14T10:00", None, [], "2027-01-14"),
    (
        "r5-cica-window",
        CaseFacts(victim_age=30, incident_date=date(2024, 2, 29)),
        "reported",
        "2024-03-01T10:00",
        None,
        [],
        "2026-02-28",
    ),
    (
        "r5-cica-window-child",
        CaseFacts(victim_age=15, incident_date=date(2024, 2, 29)),
        "reported",
        "2024-03-01T10:00",
        None,
        [],
        None,
    ),
    (
        "r12-complaint-acknowledged",
        STANDARD,
        "complaint_received",
        "2026-03-30T10:00",
        None,
        [],
        "2026-04-15",
    ),
]


def test_the_table_covers_every_rule():
    assert {row[0] for row in TABLE} == set(BY_ID)


@pytest.mark.parametrize(
    ("rule_id", "facts", "trigger_type", "received", "occurred", "extra", "due"), TABLE
)
def test_every_rule_with_real_dates(rule_id, facts, trigger_type, received, occurred, extra, due):
    trigger = event("t1", trigger_type, occurred or received, received)
    now = london(received)
    result = only(evaluate(facts, [trigger, *extra], RULES, now), rule_id)
    rule = BY_ID[rule_id]
    assert result.status is Status.DUE
    assert result.due_at == (end_of(due) if due else None)
    assert (result.right, result.duty_holder, result.kind) == (
        rule.right,
        rule.duty_holder,
        rule.kind,
    )
    assert result.trigger_milestone_id == "t1"
    # The day after the deadline, with nothing done, it is overdue (a window: closed).
    if due:
        later = evaluate(facts, [trigger, *extra], RULES, end_of(due) + timedelta(seconds=1))
        assert only(later, rule_id).status is Status.OVERDUE


# --- Met, late, overdue around the 17:00 boundary -------------------------------------------------

ARREST = event("a1", "suspect_arrested", "2026-03-02T16:59")  # Monday, a minute before 17:00


@pytest.mark.parametrize(
    ("acknowledged", "now", "status", "met_at"),
    [
        (None, "2026-03-03T23:59:59", Status.DUE, None),
        (None, "2026-03-04T00:00:00", Status.OVERDUE, None),
        ("2026-03-02T17:30", "2026-03-02T18:00", Status.MET, "2026-03-02T17:30"),
        ("2026-03-03T23:59:59", "2026-03-05T09:00", Status.MET, "2026-03-03T23:59:59"),
        ("2026-03-04T00:00:00", "2026-03-05T09:00", Status.MET_LATE, "2026-03-04T00:00:00"),
        # An acknowledgement the hub has not yet received does not count yet.
        ("2026-03-04T10:00", "2026-03-04T09:00", Status.OVERDUE, None),
    ],
)
def test_enhanced_arrest_notice_around_the_boundary(acknowledged, now, status, met_at):
    milestones = [ARREST]
    if acknowledged:
        milestones.append(told("k1", "r6-suspect-arrested", acknowledged))
    result = only(evaluate(ENHANCED, milestones, RULES, london(now)), "r6-suspect-arrested")
    assert result.due_at == end_of("2026-03-03")
    assert result.status is status
    assert result.met_at == (london(met_at) if met_at else None)


def test_received_at_17_00_moves_the_deadline_a_day():
    arrest = event("a1", "suspect_arrested", "2026-03-02T17:00")
    result = only(
        evaluate(ENHANCED, [arrest], RULES, london("2026-03-02T18:00")), "r6-suspect-arrested"
    )
    assert result.due_at == end_of("2026-03-04")


def test_the_deadline_counts_from_when_the_duty_holder_received_it():
    # The hearing was listed on Monday; the Witness Care Unit heard on Wednesday evening.
    hearing = event("h1", "hearing_details_received", "2026-03-02T10:00", "2026-03-04T18:00")
    result = only(
        evaluate(STANDARD, [hearing], RULES, london("2026-03-04T18:00")), "r8-hearing-details"
    )
    assert result.due_at == end_of("2026-03-06")


# --- Unknown facts: cannot tell, never a false "met" ----------------------------------------------


@pytest.mark.parametrize(
    ("now", "status"),
    [
        ("2026-03-03T12:00", Status.DUE),  # before even the enhanced deadline
        ("2026-03-05T12:00", Status.CANNOT_TELL),  # overdue if enhanced, due if not
        ("2026-03-10T00:00", Status.OVERDUE),  # past both
    ],
)
def test_unknown_enhanced_rights(now, status):
    arrest = event("a1", "suspect_arrested", "2026-03-02T10:00")
    result = only(evaluate(CaseFacts(), [arrest], RULES, london(now)), "r6-suspect-arrested")
    assert result.status is status
    assert result.due_at == end_of("2026-03-03")  # the earliest it could be due
    assert result.unknown_facts == ("enhanced",)


@pytest.mark.parametrize(
    ("acknowledged", "status"),
    [
        ("2026-03-03T12:00", Status.MET),  # on time either way
        ("2026-03-05T12:00", Status.CANNOT_TELL),  # late only if enhanced
        ("2026-03-10T12:00", Status.MET_LATE),  # late either way
    ],
)
def test_unknown_enhanced_rights_once_acknowledged(acknowledged, status):
    milestones = [
        event("a1", "suspect_arrested", "2026-03-02T10:00"),
        told("k1", "r6-suspect-arrested", acknowledged),
    ]
    result = only(
        evaluate(CaseFacts(), milestones, RULES, london("2026-03-11T00:00")), "r6-suspect-arrested"
    )
    assert result.status is status


def test_unknown_receipt_time_counts_from_no_earlier_than_the_event():
    hearing = event("h1", "hearing_details_received", "2026-03-02T10:00", None)
    on_time = told("k1", "r8-hearing-details", "2026-03-03T09:00")
    assert (
        only(
            evaluate(STANDARD, [hearing], RULES, london("2026-03-03T09:00")), "r8-hearing-details"
        ).status
        is Status.DUE
    )
    later = only(
        evaluate(STANDARD, [hearing], RULES, london("2026-03-09T09:00")), "r8-hearing-details"
    )
    assert later.status is Status.CANNOT_TELL
    assert later.unknown_facts == ("received_at",)
    done = evaluate(STANDARD, [hearing, on_time], RULES, london("2026-03-09T09:00"))
    assert only(done, "r8-hearing-details").status is Status.MET


def test_an_undated_trigger_cannot_tell():
    arrest = Milestone("a1", "suspect_arrested")
    result = only(
        evaluate(STANDARD, [arrest], RULES, london("2026-03-09T09:00")), "r6-suspect-arrested"
    )
    assert result.status is Status.CANNOT_TELL
    assert result.due_at is None


def test_an_undated_acknowledgement_is_never_a_false_met():
    milestones = [
        event("a1", "suspect_arrested", "2026-03-02T10:00"),
        Milestone("k1", INFORMATION_DELIVERED, duty="r6-suspect-arrested"),
    ]
    result = only(
        evaluate(STANDARD, milestones, RULES, london("2026-03-20T09:00")), "r6-suspect-arrested"
    )
    assert result.status is Status.CANNOT_TELL
    assert result.met_at is None
    # With no time limit, "it was done" is enough.
    vps = [event("c1", "charged", "2026-03-02T10:00"), Milestone("v1", "vps_offered")]
    assert (
        only(evaluate(STANDARD, vps, RULES, london("2026-03-20T09:00")), "r7-vps-offer").status
        is Status.MET
    )


def test_an_acknowledgement_dated_only_by_receipt_is_met_if_received_in_time():
    milestones = [
        event("a1", "suspect_arrested", "2026-03-02T10:00"),
        event("k1", INFORMATION_DELIVERED, None, "2026-03-04T10:00", duty="r6-suspect-arrested"),
    ]
    result = only(
        evaluate(STANDARD, milestones, RULES, london("2026-03-20T09:00")), "r6-suspect-arrested"
    )
    assert (result.status, result.met_at) == (Status.MET, london("2026-03-04T10:00"))


@pytest.mark.parametrize(
    ("facts", "status", "unknown"),
    [
        (CaseFacts(offence_category="violent", sentence_months=12), Status.DUE, ()),
        (CaseFacts(offence_category="sexual", sentence_months=30), Status.DUE, ()),
        (CaseFacts(offence_category="other", sentence_months=30), Status.NOT_APPLICABLE, ()),
        (CaseFacts(offence_category="violent", sentence_months=11), Status.NOT_APPLICABLE, ()),
        (CaseFacts(offence_category="violent"), Status.CANNOT_TELL, ("sentence_months",)),
        (CaseFacts(sentence_months=24), Status.CANNOT_TELL, ("offence_category",)),
        (CaseFacts(offence_category="other"), Status.NOT_APPLICABLE, ()),
        (
            CaseFacts(offence_category="violent", sentence_months="long"),
            Status.CANNOT_TELL,
            ("sentence_months",),
        ),
    ],
)
def test_victim_contact_scheme_eligibility(facts, status, unknown):
    sentence = event("s1", "sentence", "2026-03-02T10:00")
    result = only(
        evaluate(facts, [sentence], RULES, london("2026-03-02T12:00")), "r11-vcs-referral"
    )
    assert (result.status, result.unknown_facts) == (status, unknown)


@pytest.mark.parametrize(
    ("age", "adult", "child"),
    [
        (30, Status.DUE, Status.NOT_APPLICABLE),
        (17, Status.NOT_APPLICABLE, Status.DUE),
        (None, Status.CANNOT_TELL, Status.CANNOT_TELL),
    ],
)
def test_compensation_windows_by_age(age, adult, child):
    facts = CaseFacts(victim_age=age, incident_date=date(2026, 1, 10))
    results = evaluate(
        facts, [event("r1", "reported", "2026-01-11T10:00")], RULES, london("2026-02-01T00:00")
    )
    assert only(results, "r5-cica-window").status is adult
    assert only(results, "r5-cica-window-child").status is child


def test_compensation_window_without_an_incident_date_cannot_tell():
    results = evaluate(
        CaseFacts(victim_age=30),
        [event("r1", "reported", "2026-01-11T10:00")],
        RULES,
        london("2026-02-01T00:00"),
    )
    result = only(results, "r5-cica-window")
    assert (result.status, result.unknown_facts) == (Status.CANNOT_TELL, ("incident_date",))


def test_police_review_window_needs_an_interview_under_caution():
    nfa = event("n1", "no_further_action", "2026-03-02T10:00")
    alone = only(
        evaluate(STANDARD, [nfa], RULES, london("2026-03-02T12:00")), "r6-vrr-police-window"
    )
    assert alone.status is Status.NOT_APPLICABLE
    interviewed = [nfa, event("i1", "suspect_interviewed", "2026-02-20T10:00")]
    result = only(
        evaluate(STANDARD, interviewed, RULES, london("2026-03-02T12:00")), "r6-vrr-police-window"
    )
    assert (result.status, result.kind) == (Status.DUE, Kind.WINDOW)


# --- One entitlement per trigger ------------------------------------------------------------------


def arrests(now: str, *acks: Milestone):
    milestones = [
        event("a1", "suspect_arrested", "2026-03-02T10:00"),
        event("a2", "suspect_arrested", "2026-03-09T10:00"),
        *acks,
    ]
    found = [
        e
        for e in evaluate(ENHANCED, milestones, RULES, london(now))
        if e.rule_id == "r6-suspect-arrested"
    ]
    return {e.trigger_milestone_id: e.status for e in found}


def test_each_arrest_is_its_own_entitlement():
    assert arrests("2026-03-20T00:00") == {"a1": Status.OVERDUE, "a2": Status.OVERDUE}


def test_an_acknowledgement_covers_only_the_events_before_it():
    between = told("k1", "r6-suspect-arrested", "2026-03-03T09:00")
    assert arrests("2026-03-20T00:00", between) == {"a1": Status.MET, "a2": Status.OVERDUE}
    after_both = told("k2", "r6-suspect-arrested", "2026-03-10T09:00")
    # Not naming its arrest, one acknowledgement discharges the oldest open one only.
    assert arrests("2026-03-20T00:00", after_both) == {
        "a1": Status.MET_LATE,
        "a2": Status.OVERDUE,
    }


def test_untied_acknowledgements_discharge_the_oldest_open_instances_in_turn():
    first = told("k1", "r6-suspect-arrested", "2026-03-10T09:00")
    second = told("k2", "r6-suspect-arrested", "2026-03-10T09:30")
    assert arrests("2026-03-20T00:00", first, second) == {"a1": Status.MET_LATE, "a2": Status.MET}
    # One tied to the second arrest leaves the untied one for the first.
    tied = told("k3", "r6-suspect-arrested", "2026-03-09T11:00", regarding="a2")
    assert arrests("2026-03-20T00:00", tied, first) == {"a1": Status.MET_LATE, "a2": Status.MET}


def test_an_acknowledgement_can_name_the_event_it_is_about():
    about_second = told("k1", "r6-suspect-arrested", "2026-03-10T09:00", regarding="a2")
    assert arrests("2026-03-20T00:00", about_second) == {"a1": Status.OVERDUE, "a2": Status.MET}


def test_an_acknowledgement_of_another_duty_does_not_count():
    other = told("k1", "r6-suspect-interviewed", "2026-03-03T09:00")
    assert arrests("2026-03-20T00:00", other) == {"a1": Status.OVERDUE, "a2": Status.OVERDUE}


def test_a_milestone_the_hub_has_not_received_yet_is_ignored():
    assert arrests("2026-03-05T00:00") == {"a1": Status.OVERDUE}


# --- Interface ------------------------------------------------------------------------------------


def test_naive_datetimes_are_refused_at_the_boundary():
    with pytest.raises(NaiveDatetimeError):
        evaluate(STANDARD, [], RULES, datetime(2026, 3, 2, 10, 0))
    with pytest.raises(NaiveDatetimeError, match="milestone 'a1' occurred_at"):
        Milestone("a1", "suspect_arrested", datetime(2026, 3, 2, 10, 0))


def test_unknown_milestone_types_are_ignored_not_fatal():
    assert (
        evaluate(
            STANDARD,
            [event("x1", "alien_landing", "2026-03-02T10:00")],
            RULES,
            london("2026-03-03T00:00"),
        )
        == []
    )


def test_incremental_evaluation_matches_the_full_one_for_the_affected_rules():
    milestones = [
        event("r1", "reported", "2026-03-01T10:00"),
        event("a1", "suspect_arrested", "2026-03-02T10:00"),
        told("k1", "r6-suspect-arrested", "2026-03-03T09:00"),
    ]
    now = london("2026-03-04T00:00")
    changed = {INFORMATION_DELIVERED}
    affected = {rule.id for rule in rules_affected_by(RULES, changed)}
    partial = evaluate_for(STANDARD, milestones, RULES, now, changed)
    assert partial == [
        e for e in evaluate(STANDARD, milestones, RULES, now) if e.rule_id in affected
    ]
    assert {
        e.rule_id for e in evaluate_for(STANDARD, milestones, RULES, now, {"suspect_arrested"})
    } == {"r6-suspect-arrested"}


# --- Properties -----------------------------------------------------------------------------------

RULE_IDS = sorted(BY_ID)
TYPES = sorted(MILESTONE_TYPES)
ZONES = st.sampled_from(
    [UTC, LONDON, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
)
NEARBY = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 2, 1), timezones=ZONES
)
ANYWHEN = st.datetimes(timezones=ZONES)


def plus_hours(moment: datetime, hours: int) -> datetime:
    try:
        return moment + timedelta(hours=hours)
    except OverflowError:  # at the very end of the calendar
        return moment


def maybe(strategy):
    """Mostly a value, sometimes unknown: all-None histories would test nothing but cannot_tell."""
    return st.one_of(strategy, strategy, strategy, st.none())


@st.composite
def histories(draw, when=NEARBY, size=12):
    """Events, then acknowledgements mostly of duties those events trigger."""
    triggers = draw(st.lists(st.sampled_from(TYPES), max_size=size // 2))
    ids = [f"m{i}" for i in range(len(triggers))]
    milestones = [
        Milestone(i, t, draw(maybe(when)), draw(maybe(when)))
        for i, t in zip(ids, triggers, strict=True)
    ]
    owed = sorted(rule.id for rule in RULES if set(rule.triggers) & set(triggers)) or RULE_IDS
    # Acknowledgements within a few weeks of an event, so that met and late both happen.
    dated = [m.received_at or m.occurred_at for m in milestones]
    soon = when
    if any(dated):
        bases = st.sampled_from([moment for moment in dated if moment is not None])
        soon = st.builds(plus_hours, bases, st.integers(-24, 600))
    for number in range(draw(st.integers(0, size - len(triggers)))):
        milestones.append(
            Milestone(
                f"k{number}",
                INFORMATION_DELIVERED,
                draw(maybe(soon)),
                draw(maybe(soon)),
                duty=draw(st.sampled_from(owed) | st.sampled_from(RULE_IDS)),
                regarding=draw(st.none() | st.sampled_from(ids)) if ids else None,
            )
        )
    return draw(st.permutations(milestones))


@st.composite
def scenarios(draw, when=NEARBY, size=12):
    """A history and a moment to evaluate it at, usually in the weeks after its events."""
    milestones = draw(histories(when, size))
    dated = [m.received_at or m.occurred_at for m in milestones]
    known = [moment for moment in dated if moment is not None]
    if known and draw(st.booleans()):
        return milestones, plus_hours(draw(st.sampled_from(known)), draw(st.integers(0, 800)))
    return milestones, draw(when)


FACTS = st.builds(
    CaseFacts,
    enhanced=st.none() | st.booleans(),
    offence_category=st.none() | st.sampled_from(["violent", "sexual", "other", "unheard-of"]),
    victim_age=st.none() | st.integers(-1, 120),
    sentence_months=st.none() | st.integers(0, 600),
    incident_date=st.none() | st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 1, 1)),
    uls_eligible=st.none() | st.booleans(),
)
WILD_FACTS = st.builds(
    CaseFacts,
    enhanced=st.none() | st.booleans(),
    offence_category=st.none() | st.text(max_size=8),
    victim_age=st.none() | st.integers() | st.text(max_size=3),
    sentence_months=st.none() | st.integers() | st.floats(allow_nan=True),
    incident_date=st.none() | st.dates(),
    uls_eligible=st.none() | st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(FACTS, scenarios(), st.data())
def test_evaluation_is_deterministic_and_independent_of_order(facts, scenario, data):
    milestones, now = scenario
    first = evaluate(facts, milestones, RULES, now)
    assert evaluate(facts, milestones, RULES, now) == first
    shuffled = data.draw(st.permutations(milestones))
    assert evaluate(facts, shuffled, list(reversed(RULES)), now) == first


@settings(max_examples=150, deadline=None)
@given(FACTS, scenarios(), st.data())
def test_an_acknowledgement_never_makes_things_worse(facts, scenario, data):
    milestones, now = scenario
    ack = Milestone(
        "ack",
        INFORMATION_DELIVERED,
        data.draw(st.none() | NEARBY),
        data.draw(st.none() | NEARBY),
        duty=data.draw(st.sampled_from(RULE_IDS)),
        regarding=data.draw(st.none() | st.sampled_from([m.id for m in milestones] or ["none"])),
    )
    before = {
        (e.rule_id, e.trigger_milestone_id): e for e in evaluate(facts, milestones, RULES, now)
    }
    after = {
        (e.rule_id, e.trigger_milestone_id): e
        for e in evaluate(facts, [*milestones, ack], RULES, now)
    }
    assert before.keys() == after.keys()
    for key, earlier in before.items():
        if earlier.status is Status.MET:
            assert after[key].status is Status.MET
        if after[key].status is Status.OVERDUE:
            assert earlier.status is Status.OVERDUE


@settings(max_examples=150, deadline=None)
@given(FACTS, scenarios())
def test_working_day_deadlines_never_fall_on_a_weekend_or_bank_holiday(facts, scenario):
    milestones, now = scenario
    for entitlement in evaluate(facts, milestones, RULES, now):
        rule = BY_ID[entitlement.rule_id]
        units = {d.unit for d in (rule.standard, rule.enhanced) if d is not None}
        if entitlement.due_at is not None and units == {"working_days"}:
            local = entitlement.due_at.astimezone(LONDON)
            assert local.weekday() < 5 and local.date() not in ENGLAND
            assert local.time().isoformat() == "23:59:59"


@settings(max_examples=200, deadline=None)
@given(WILD_FACTS, scenarios(when=ANYWHEN, size=8))
def test_no_crash_whatever_the_facts(facts, scenario):
    milestones, now = scenario
    for entitlement in evaluate(facts, milestones, RULES, now):
        assert entitlement.status in Status
        if entitlement.status is Status.MET:
            assert entitlement.met_at is not None or BY_ID[entitlement.rule_id].standard is None


def test_replace_keeps_facts_frozen():
    with pytest.raises(AttributeError):
        STANDARD.enhanced = True  # type: ignore[misc]
    assert replace(STANDARD, enhanced=True) == ENHANCED
