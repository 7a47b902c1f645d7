"""The rules file: the real one loads and covers the Code's deadlines; every kind of mistake in a
rules file is refused with the file, the line and the rule named."""

from pathlib import Path

import pytest

from app.core.vocabulary import MILESTONE_TYPES, RIGHTS
from app.entitlements.engine import CASE_FACT_NAMES
from app.entitlements.rules import FACTS, Deadline, Kind, RulesError, load_rules

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def rules():
    return load_rules(CONTENT / "victims-code" / "rules.yaml")


def test_the_real_rules_file_loads(rules):
    assert len(rules) >= 25
    assert len({rule.id for rule in rules}) == len(rules)
    for rule in rules:
        assert rule.source.startswith("https://")
        assert rule.code_edition == "2021"
        assert rule.right in RIGHTS
        assert set(rule.triggers) <= set(MILESTONE_TYPES)
        if not rule.confirmed:
            assert rule.note, rule.id


# Every deadline row and scheme window in shared/victims-code.md, by the rule that encodes it.
EXPECTED = {
    "r3-written-confirmation": ("police", Deadline("working_days", 5), Deadline("working_days", 1)),
    "r4-support-referral": ("police", Deadline("working_days", 2), Deadline("working_days", 2)),
    "r6-suspect-arrested": ("police", Deadline("working_days", 5), Deadline("working_days", 1)),
    "r6-suspect-interviewed": ("police", Deadline("working_days", 5), Deadline("working_days", 1)),
    "r6-released-without-charge": (
        "police",
        Deadline("working_days", 5),
        Deadline("working_days", 1),
    ),
    "r6-released-on-bail": ("police", Deadline("working_days", 5), Deadline("working_days", 1)),
    "r6-released-under-investigation": (
        "police",
        Deadline("working_days", 5),
        Deadline("working_days", 1),
    ),
    "r6-bail-conditions-changed": (
        "police",
        Deadline("working_days", 5),
        Deadline("working_days", 1),
    ),
    "r6-not-investigated": ("police", Deadline("working_days", 5), Deadline("working_days", 1)),
    "r6-charged": ("police", Deadline("working_days", 5), Deadline("working_days", 1)),
    "r6-out-of-court-disposal": (
        "police",
        Deadline("working_days", 5),
        Deadline("working_days", 1),
    ),
    "r6-charges-dropped": ("cps", Deadline("working_days", 5), Deadline("working_days", 1)),
    "r6-charges-altered": ("cps", Deadline("working_days", 5), Deadline("working_days", 1)),
    "r8-hearing-details": ("wcu", Deadline("working_days", 1), Deadline("working_days", 1)),
    "r8-bail-or-warrant-outcome": ("wcu", Deadline("working_days", 5), Deadline("working_days", 1)),
    "r8-witness-required": ("wcu", Deadline("working_days", 1), Deadline("working_days", 1)),
    "r9-verdict": ("wcu", Deadline("working_days", 1), Deadline("working_days", 1)),
    "r9-sentence": ("wcu", Deadline("working_days", 1), Deadline("working_days", 1)),
    "r11-vcs-referral": ("wcu", Deadline("working_days", 10), Deadline("working_days", 10)),
    "r11-vlo-contact": ("probation", Deadline("working_days", 20), Deadline("working_days", 20)),
    "r12-complaint-acknowledged": (
        "any",
        Deadline("working_days", 10),
        Deadline("working_days", 10),
    ),
    "r7-vps-offer": ("police", None, None),
    "r9-uls-window": ("any", Deadline("calendar_days", 28), Deadline("calendar_days", 28)),
    "r5-cica-window": ("cica", Deadline("years", 2), Deadline("years", 2)),
    "r6-vrr-cps-prompt": ("cps", Deadline("working_days", 10), Deadline("working_days", 10)),
    "r6-vrr-cps-window": ("cps", Deadline("months", 3), Deadline("months", 3)),
    "r6-vrr-police-window": ("police", Deadline("months", 3), Deadline("months", 3)),
}


@pytest.mark.parametrize(("rule_id", "expected"), sorted(EXPECTED.items()))
def test_each_code_deadline_is_encoded(rules, rule_id, expected):
    rule = {rule.id: rule for rule in rules}[rule_id]
    assert (rule.duty_holder, rule.standard, rule.enhanced) == expected


def test_windows_are_marked_as_the_victims_own_time_limits(rules):
    windows = {rule.id for rule in rules if rule.kind is Kind.WINDOW}
    assert windows == {
        "r5-cica-window",
        "r5-cica-window-child",
        "r6-vrr-cps-prompt",
        "r6-vrr-cps-window",
        "r6-vrr-police-window",
        "r9-uls-window",
    }


def test_the_facts_rules_may_test_are_fields_of_case_facts():
    assert set(FACTS) <= CASE_FACT_NAMES


# --- Validation -----------------------------------------------------------------------------------

GOOD = """\
rules:
  - id: first-rule
    right: 6
    trigger: suspect_arrested
    duty_holder: police
    duty: Tell the victim of the arrest.
    deadline:
      standard: {working_days: 5}
      enhanced: {working_days: 1}
    discharged_by: [information_delivered]
    guidance: the-investigation
    source: https://www.gov.uk/example
    code_edition: "2021"
  - id: second-rule
    right: 11
    trigger: sentence
    duty_holder: wcu
    duty: Refer the victim to the Victim Contact Scheme.
    deadline:
      standard: {working_days: 10}
      enhanced: null
    applies_if:
      offence_category: {in: [violent, sexual]}
      sentence_months: {at_least: 12}
    discharged_by: [vcs_referral_made, information_delivered]
    guidance: the-investigation
    source: https://www.gov.uk/example
    code_edition: "2021"
"""


@pytest.fixture
def content_root(tmp_path):
    page = tmp_path / "content" / "en" / "investigation" / "the-investigation.md"
    page.parent.mkdir(parents=True)
    page.write_text("---\ntitle: x\n---\n")
    return tmp_path / "content"


def write(content_root: Path, text: str) -> Path:
    path = content_root / "victims-code" / "rules.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    position = -1
    for _ in range(occurrence):
        position = text.index(needle, position + 1)
    return text.count("\n", 0, position) + 1


def test_a_good_file_loads(content_root):
    first, second = load_rules(write(content_root, GOOD))
    assert first.line == 2
    assert first.deadline(enhanced=True) == Deadline("working_days", 1)
    assert second.enhanced is None
    assert [str(c) for c in second.applies_if] == [
        "offence_category in ('violent', 'sexual')",
        "sentence_months at least 12",
    ]


@pytest.mark.parametrize(
    ("old", "new", "rule_id", "line_at", "message"),
    [
        (
            "trigger: suspect_arrested",
            "trigger: suspect_arested",
            "first-rule",
            "trigger: suspect_arested",
            "unknown milestone type 'suspect_arested' in 'trigger'",
        ),
        (
            "[vcs_referral_made, information_delivered]",
            "[vcs_referal, information_delivered]",
            "second-rule",
            "discharged_by: [vcs_referal",
            "unknown milestone type 'vcs_referal' in 'discharged_by'",
        ),
        ("right: 11", "right: 13", "second-rule", "right: 13", "unknown right 13"),
        ("right: 6", "right: six", "first-rule", "right: six", "unknown right 'six'"),
        (
            '    source: https://www.gov.uk/example\n    code_edition: "2021"\n  - id: second',
            '    code_edition: "2021"\n  - id: second',
            "first-rule",
            "- id: first-rule",
            "missing source",
        ),
        (
            'source: https://www.gov.uk/example\n    code_edition: "2021"\n  - id: second',
            'source: the Code\n    code_edition: "2021"\n  - id: second',
            "first-rule",
            "source: the Code",
            "'source' must be a web address starting https://",
        ),
        (
            "standard: {working_days: 5}",
            "standard: {weeks: 1}",
            "first-rule",
            "standard: {weeks: 1}",
            "bad deadline: unknown unit 'weeks'",
        ),
        (
            "standard: {working_days: 5}",
            "standard: {working_days: -5}",
            "first-rule",
            "standard: {working_days: -5}",
            "bad deadline: standard working_days must be a whole number >= 0",
        ),
        (
            "      enhanced: {working_days: 1}\n",
            "",
            "first-rule",
            "deadline:",
            "bad deadline: give both 'standard' and 'enhanced'",
        ),
        (
            "standard: {working_days: 10}",
            "standard: 10",
            "second-rule",
            "standard: 10",
            "bad deadline: standard must be one of working_days",
        ),
        (
            "guidance: the-investigation\n    source: https://www.gov.uk/example\n"
            '    code_edition: "2021"\n  - id: second',
            "guidance: the-investigaton\n    source: https://www.gov.uk/example\n"
            '    code_edition: "2021"\n  - id: second',
            "first-rule",
            "guidance: the-investigaton",
            "unknown guidance slug 'the-investigaton' (no content/en/**/the-investigaton.md)",
        ),
        (
            "id: second-rule",
            "id: first-rule",
            "first-rule",
            "- id: first-rule\n    right: 11",
            "duplicate id (first used on line 2)",
        ),
        (
            "duty_holder: wcu",
            "duty_holder: witness-care",
            "second-rule",
            "duty_holder: witness-care",
            "unknown duty holder 'witness-care'",
        ),
        (
            "sentence_months: {at_least: 12}",
            "sentence_length: {at_least: 12}",
            "second-rule",
            "sentence_length:",
            "unknown fact 'sentence_length' in applies_if",
        ),
        (
            "offence_category: {in: [violent, sexual]}",
            "offence_category: {in: [violent, sexy]}",
            "second-rule",
            "offence_category:",
            "bad condition on offence_category",
        ),
        (
            "duty: Tell the victim of the arrest.",
            "duty: Tell the victim of the arrest.\n    colour: blue",
            "first-rule",
            "colour: blue",
            "unknown key 'colour'",
        ),
        (
            'code_edition: "2021"\n  - id: second',
            'code_edition: "2021"\n    confirmed: false\n  - id: second',
            "first-rule",
            "- id: first-rule",
            "an unconfirmed rule needs a 'note'",
        ),
        (
            "    duty_holder: police\n",
            "",
            "first-rule",
            "- id: first-rule",
            "missing duty_holder",
        ),
        (
            "id: second-rule",
            "id: Second Rule",
            None,
            "id: Second Rule",
            "missing or bad id 'Second Rule'",
        ),
    ],
)
def test_errors_name_the_file_the_line_and_the_rule(
    content_root, old, new, rule_id, line_at, message
):
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    path = write(content_root, text)
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    error = caught.value
    assert message in error.message
    assert error.path == path
    assert error.rule_id == rule_id
    assert error.line == line_of(text, line_at)
    assert str(error).startswith(f"{path}:{error.line}:")
    if rule_id:
        assert f"rule {rule_id!r}" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "repeated"),
    [
        ("right: 6", "right: 6\n    right: 7", "right: 7"),
        (
            "enhanced: {working_days: 1}",
            "enhanced: {working_days: 1}\n      standard: null",
            "standard: null",
        ),
    ],
)
def test_a_duplicate_key_is_refused_not_silently_replaced(content_root, old, new, repeated):
    text = GOOD.replace(old, new, 1)
    path = write(content_root, text)
    with pytest.raises(RulesError, match="duplicate key") as caught:
        load_rules(path)
    assert (caught.value.line, caught.value.rule_id) == (line_of(text, repeated), "first-rule")


def test_invalid_yaml_names_the_file_and_line(content_root):
    text = GOOD.replace("duty: Tell the victim of the arrest.", "duty: [unclosed")
    path = write(content_root, text)
    with pytest.raises(RulesError, match="not valid YAML") as caught:
        load_rules(path)
    assert caught.value.path == path
    assert caught.value.line is not None
    assert caught.value.line >= line_of(text, "duty: [unclosed")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "rules: nothing\n"])
def test_a_file_without_a_rules_list_is_refused(content_root, text):
    with pytest.raises(RulesError, match="'rules' list"):
        load_rules(write(content_root, text))


def test_a_missing_file_is_a_rules_error(tmp_path):
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "nowhere.yaml")


def test_guidance_is_checked_against_the_given_content_root(content_root, tmp_path):
    path = write(content_root, GOOD)
    empty = tmp_path / "empty"
    (empty / "en").mkdir(parents=True)
    with pytest.raises(RulesError, match="unknown guidance slug"):
        load_rules(path, content_root=empty)
