"""The rules of requests, without Flask: each state machine refuses illegal moves and wrong
actors; the statement's pages check their answers (the 20,000-character limit across every
part, with the count); the Right to Review's decisions and time limits on real dates (Christmas,
Easter, the 17:00 rule, a month end)."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.entitlements.calendar import LONDON
from app.entitlements.engine import Milestone
from app.entitlements.rules import load_rules
from app.victim_requests import states, vps, vrr
from app.victim_requests.states import AGENCY, HUB, NAVIGATOR, VICTIM, IllegalTransition

# --- State machines -----------------------------------------------------------------------------

LEGAL = [
    (states.VPS, "draft", "submitted", VICTIM),
    (states.VPS, "submitted", "received", AGENCY),
    (states.VPS, "received", "taken", NAVIGATOR),
    (states.VPS, "taken", "used_in_court", AGENCY),
    (states.VPS, "submitted", "withdrawn", VICTIM),
    (states.VRR, "submitted", "acknowledged", AGENCY),
    (states.VRR, "acknowledged", "decision_overturned", AGENCY),
    (states.VRR, "acknowledged", "decision_upheld", NAVIGATOR),
    (states.VRR, "submitted", "not_eligible", AGENCY),
    (states.REFERRAL, "requested", "sent", HUB),
    (states.REFERRAL, "sent", "accepted", NAVIGATOR),
    (states.REFERRAL, "accepted", "contacted", NAVIGATOR),
    (states.REFERRAL, "contacted", "closed", NAVIGATOR),
    (states.REFERRAL, "requested", "withdrawn", VICTIM),
]
ILLEGAL = [
    (states.VPS, "draft", "received", AGENCY),  # nothing to receive before it is sent
    (states.VPS, "draft", "submitted", AGENCY),  # only the victim sends their statement
    (states.VPS, "submitted", "used_in_court", AGENCY),  # skipping "taken"
    (states.VPS, "used_in_court", "withdrawn", VICTIM),  # an end is an end
    (states.VPS, "received", "taken", VICTIM),  # the victim cannot say it was taken
    (states.VRR, "submitted", "decision_upheld", AGENCY),  # acknowledged first
    (states.VRR, "decision_upheld", "acknowledged", AGENCY),
    (states.VRR, "acknowledged", "withdrawn", AGENCY),  # only the victim (or for them) withdraws
    (states.REFERRAL, "requested", "sent", VICTIM),
    (states.REFERRAL, "requested", "accepted", NAVIGATOR),  # it must be sent first
    (states.REFERRAL, "closed", "contacted", NAVIGATOR),
    (states.REFERRAL, "sent", "nonsense", NAVIGATOR),
]


@pytest.mark.parametrize(("machine", "current", "target", "actor"), LEGAL)
def test_legal_moves_pass(machine, current, target, actor):
    machine.check(current, target, actor)
    assert target in machine.next_for(current, actor)


@pytest.mark.parametrize(("machine", "current", "target", "actor"), ILLEGAL)
def test_illegal_moves_are_refused(machine, current, target, actor):
    with pytest.raises(IllegalTransition) as raised:
        machine.check(current, target, actor)
    assert (raised.value.current, raised.value.target, raised.value.actor) == (
        current,
        target,
        actor,
    )


@pytest.mark.parametrize("machine", list(states.MACHINES.values()))
def test_every_status_but_the_ends_leads_somewhere_and_ends_lead_nowhere(machine):
    for status in machine.statuses:
        moves = [
            t for who in (VICTIM, NAVIGATOR, AGENCY, HUB) for t in machine.next_for(status, who)
        ]
        assert bool(moves) == machine.is_open(status), status


# --- The statement's pages ----------------------------------------------------------------------

LANGS = frozenset({"en", "ar"})


def test_a_text_page_may_be_left_empty_and_keeps_what_was_typed():
    values, problems = vps.check_step(
        vps.BY_SLUG["physical"], {"effects_physical": "  \r\n"}, {}, LANGS
    )
    assert values == {"effects_physical": ""} and problems == []
    values, _ = vps.check_step(vps.BY_SLUG["family"], {"effects_family": "a\r\nb"}, {}, LANGS)
    assert values["effects_family"] == "a\nb"


def test_the_limit_counts_every_part_of_the_statement_and_says_how_much_is_over():
    saved = {"effects_physical": "x" * 12_000, "effects_emotional": "y" * 7_000}
    _, problems = vps.check_step(vps.BY_SLUG["concerns"], {"concerns": "z" * 1_001}, saved, LANGS)
    assert problems == [vps.Problem("concerns", "too_long", 1)]
    _, problems = vps.check_step(vps.BY_SLUG["concerns"], {"concerns": "z" * 1_000}, saved, LANGS)
    assert problems == []
    # Replacing a part counts the new text, not the old.
    _, problems = vps.check_step(
        vps.BY_SLUG["physical"],
        {"effects_physical": "short"},
        {**saved, "concerns": "z" * 1_000},
        LANGS,
    )
    assert problems == []


def test_court_support_is_not_part_of_the_statement_but_has_its_own_limit():
    full = {"effects_physical": "x" * 20_000}
    _, problems = vps.check_step(
        vps.BY_SLUG["court-support"], {"court_support": "a screen"}, full, LANGS
    )
    assert problems == []
    _, problems = vps.check_step(
        vps.BY_SLUG["court-support"], {"court_support": "a" * 20_001}, {}, LANGS
    )
    assert problems == [vps.Problem("court_support", "too_long", 1)]


@pytest.mark.parametrize(
    ("slug", "posted", "field"),
    [
        ("new-or-update", {"kind": "replace"}, "kind"),
        ("reading", {}, "reading"),
        ("language", {"statement_language": "xx", "interpreter": "no"}, "statement_language"),
        ("language", {"statement_language": "ar", "interpreter": "maybe"}, "interpreter"),
    ],
)
def test_choices_must_be_one_of_the_choices(slug, posted, field):
    _, problems = vps.check_step(vps.BY_SLUG[slug], posted, {}, LANGS)
    assert [p.field for p in problems] == [field]


def test_the_whole_statement_needs_something_said_and_every_choice():
    problems = vps.check_whole({}, LANGS)
    assert {p.code for p in problems} == {"choose", "empty"}
    done = {
        "kind": "make",
        "effects_family": "It hurt us all.",
        "reading": "self",
        "statement_language": "ar",
        "interpreter": "yes",
    }
    assert vps.check_whole(done, LANGS) == []


def test_the_pages_run_in_order_to_check_your_answers():
    slugs = [step.slug for step in vps.STEPS]
    assert [vps.next_slug(s) for s in slugs] == [*slugs[1:], vps.CHECK]
    assert vps.previous_slug(vps.CHECK) == slugs[-1] and vps.previous_slug(slugs[0]) is None


# --- The Right to Review ------------------------------------------------------------------------

RULES = load_rules()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def event(id_: str, type_: str, when: str) -> Milestone:
    return Milestone(id_, type_, at(when), at(when))


def decisions(*events):
    return {d.scheme: d for d in vrr.decisions(list(events), RULES, None)}


@pytest.mark.parametrize(
    ("decided", "prompt", "last"),
    [
        # Christmas: 25, 26 December and 1 January are not working days.
        ("2025-12-18T10:00", "2026-01-06", "2026-03-18"),
        # After 17:00 the count starts the next working day.
        ("2025-12-18T17:30", "2026-01-07", "2026-03-18"),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        ("2026-04-02T09:00", "2026-04-20", "2026-07-02"),
        # Three months from 30 November end on the last day of February.
        ("2026-11-30T12:00", "2026-12-14", "2027-02-28"),
    ],
)
def test_cps_review_time_limits_on_real_dates(decided, prompt, last):
    found = decisions(event("9", "charges_dropped", decided))["cps"]
    assert found.eligible
    assert found.prompt_by == at(f"{prompt}T23:59:59")
    assert found.last_by == at(f"{last}T23:59:59")
    assert found.prompt_by.weekday() < 5


def test_a_police_decision_qualifies_only_after_an_interview_under_caution():
    alone = decisions(event("2", "no_further_action", "2026-03-02T10:00"))["police"]
    assert not alone.eligible and alone.why_not == "not_interviewed"
    after = decisions(
        event("1", "suspect_interviewed", "2026-02-20T10:00"),
        event("2", "no_further_action", "2026-03-02T10:00"),
    )["police"]
    assert after.eligible and after.prompt_by is None
    assert after.last_by == at("2026-06-02T23:59:59")
    # An interview after the decision does not make that decision reviewable.
    later = decisions(
        event("2", "no_further_action", "2026-03-02T10:00"),
        event("3", "suspect_interviewed", "2026-03-05T10:00"),
    )["police"]
    assert not later.eligible


def test_late_is_after_the_last_day():
    found = decisions(event("9", "charges_dropped", "2026-01-05T10:00"))["cps"]
    assert not found.late(at("2026-04-05T23:59:59"))
    assert found.late(at("2026-04-06T00:00:01"))


def test_other_events_are_not_reviewable_decisions():
    assert vrr.decisions([event("1", "charged", "2026-01-05T10:00")], RULES, None) == []
