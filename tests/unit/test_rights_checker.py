"""The anonymous rights checker's rules: enhanced rights, which time limits apply and by when,
answers parsed strictly."""

import datetime as dt

import pytest

from app.entitlements import load_rules
from app.entitlements.checker import Answers, BadAnswer, check, enhanced_rights

RULES = load_rules()
NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
TODAY = NOW.date()


def answers(**kw) -> Answers:
    return Answers(**{"crime": "property", "reported": True, "under_18": False, **kw})


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"crime": "sexual"}, ("most_serious",)),
        ({"crime": "domestic"}, ("most_serious",)),
        ({"crime": "bereaved"}, ("most_serious",)),
        ({"under_18": True}, ("under_18",)),
        ({"vulnerable": True, "intimidated": True}, ("vulnerable", "intimidated")),
        ({"targeted": True}, ("targeted",)),
        ({}, ()),
    ],
)
def test_enhanced_rights(kw, expected):
    assert enhanced_rights(answers(**kw)) == (bool(expected), expected)


def test_cps_stopping_the_case_gives_review_windows_in_working_days():
    result = check(answers(stage="cps_stopped", decision_date=dt.date(2026, 11, 20)), RULES, NOW)
    limits = {t.rule_id: t for t in result.time_limits}
    # 10 working days from Friday 20 November 2026 (received at noon): Friday 4 December.
    assert limits["r6-vrr-cps-prompt"].due_at.date() == dt.date(2026, 12, 4)
    assert limits["r6-vrr-cps-window"].due_at.date() == dt.date(2027, 2, 20)


def test_a_sentence_in_the_crown_court_has_28_days_for_a_review():
    result = check(
        answers(stage="sentenced", decision_date=dt.date(2026, 11, 10), crown_court=True),
        RULES,
        NOW,
    )
    uls = next(t for t in result.time_limits if t.rule_id == "r9-uls-window")
    assert uls.due_at.date() == dt.date(2026, 12, 8) and not uls.closed
    assert 11 in result.rights  # information about the offender


def test_without_dates_the_length_is_given_not_a_date():
    result = check(answers(stage="no_further_action"), RULES, NOW)
    police = next(t for t in result.time_limits if t.rule_id == "r6-vrr-police-window")
    assert police.due_at is None and police.deadline == "3 months"
    assert police.condition == "suspect_interviewed"


def test_a_closed_window_is_said_to_be_closed():
    result = check(
        answers(stage="sentenced", decision_date=dt.date(2026, 9, 1), crown_court=True), RULES, NOW
    )
    assert next(t for t in result.time_limits if t.rule_id == "r9-uls-window").closed


def test_children_get_the_longer_compensation_window():
    result = check(
        answers(under_18=True, stage="investigating", incident_date=dt.date(2025, 1, 10)),
        RULES,
        NOW,
    )
    ids = {t.rule_id for t in result.time_limits}
    assert "r5-cica-window-child" in ids and "r5-cica-window" not in ids


def test_not_reported_has_no_case_time_limits_yet():
    result = check(Answers(crime="violent", reported=False, under_18=False), RULES, NOW)
    assert result.time_limits == () and result.duties == ()
    assert {1, 2, 3, 4} <= set(result.rights)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "reported"),
        ({"reported": "maybe"}, "reported"),
        ({"reported": "no", "crime": "x"}, "crime"),
        ({"reported": "yes", "crime": "fraud", "under_18": "no"}, "stage"),
        (
            {"reported": "no", "crime": "fraud", "under_18": "no", "incident_date": "2099-01-01"},
            "incident_date",
        ),
        (
            {"reported": "no", "crime": "fraud", "under_18": "no", "incident_date": "31-02"},
            "incident_date",
        ),
    ],
)
def test_bad_answers_name_the_field(data, field):
    with pytest.raises(BadAnswer) as problem:
        Answers.parse(data, TODAY)
    assert problem.value.field == field
