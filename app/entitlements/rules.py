"""Victims' Code rules as data: the model, and a loader that validates the YAML file at load.

Every problem in the rules file is reported as a ``RulesError`` naming the file, the line and the
rule, so a bad edit stops start-up with a message an editor can act on rather than quietly
dropping a duty from every case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

import yaml

from app.core.vocabulary import (
    DUTY_HOLDERS,
    INFORMATION_DELIVERED,
    MILESTONE_TYPES,
    OFFENCE_CATEGORIES,
    RIGHTS,
)
from app.core.yaml_lines import LineDict, first_duplicate, load_with_lines
from app.entitlements import calendar

DEFAULT_RULES_PATH: Final = Path(__file__).resolve().parents[2] / "content/victims-code/rules.yaml"


class RulesError(ValueError):
    """The rules file is invalid. ``path``, ``line`` and ``rule_id`` say where."""

    def __init__(self, path: Path, line: int | None, rule_id: str | None, message: str) -> None:
        self.path = path
        self.line = line
        self.rule_id = rule_id
        self.message = message
        where = f"{path}:{line}" if line else str(path)
        who = f" rule {rule_id!r}:" if rule_id else ""
        super().__init__(f"{where}:{who} {message}")


class Kind(StrEnum):
    """What a rule describes.

    ``duty``: a service provider owes the victim something by the deadline; late or missed ones
    count against the provider in compliance reports.
    ``window``: a time limit on something the victim may do (ask for a review, claim
    compensation); ``overdue`` means the window has closed and is never a provider's failure.
    """

    DUTY = "duty"
    WINDOW = "window"


class Anchor(StrEnum):
    """The moment a deadline counts from.

    ``received``: when the duty holder received the trigger (the default: the Code's limits run
    from when the provider has the information, e.g. a Witness Care Unit "receiving it from the
    court"). ``occurred``: when the trigger happened (statutory windows such as the 28 days after
    sentence). ``incident_date``: the date of the crime (criminal injuries compensation).
    """

    RECEIVED = "received"
    OCCURRED = "occurred"
    INCIDENT_DATE = "incident_date"


_DEADLINE_FUNCTIONS: Final[Mapping[str, Callable[[datetime, int], datetime]]] = {
    "working_days": calendar.add_working_days,
    "calendar_days": calendar.add_calendar_days,
    "months": calendar.add_months,
    "years": calendar.add_years,
}


@dataclass(frozen=True)
class Deadline:
    """N units after a start moment; ``due`` gives the last moment that still counts as on time."""

    unit: str
    amount: int

    def due(self, start: datetime) -> datetime:
        return _DEADLINE_FUNCTIONS[self.unit](start, self.amount)

    def __str__(self) -> str:
        unit = self.unit.replace("_", " ")
        return (
            f"1 {unit.replace('days', 'day').rstrip('s')}"
            if self.amount == 1
            else f"{self.amount} {unit}"
        )


# The case facts a condition may test, and the kind of value each holds. These mirror the fields
# of ``engine.CaseFacts``; a test in the engine keeps the two in step.
FACTS: Final[Mapping[str, str]] = {
    "enhanced": "bool",
    "offence_category": "category",
    "victim_age": "int",
    "sentence_months": "int",
    "uls_eligible": "bool",
}
_OPERATORS: Final[Mapping[str, frozenset[str]]] = {
    "bool": frozenset({"equals"}),
    "category": frozenset({"equals", "in"}),
    "int": frozenset({"equals", "at_least", "below"}),
}


@dataclass(frozen=True)
class Condition:
    """One test on a case fact. ``test`` answers True, False, or None when the fact is unknown."""

    fact: str
    op: str
    value: Any

    def test(self, actual: object) -> bool | None:
        if actual is None:
            return None
        try:
            if self.op == "equals":
                return bool(actual == self.value)
            if self.op == "in":
                return actual in self.value
            if self.op == "at_least":
                return bool(actual >= self.value)  # type: ignore[operator]
            if self.op == "below":
                return bool(actual < self.value)  # type: ignore[operator]
        except TypeError:
            # A fact of the wrong type (e.g. an age given as text) is as good as unknown.
            return None
        raise AssertionError(f"unvalidated operator {self.op!r}")

    def __str__(self) -> str:
        return f"{self.fact} {self.op.replace('_', ' ')} {self.value!r}"


@dataclass(frozen=True)
class Rule:
    """One Victims' Code duty or time window, as loaded from the rules file."""

    id: str
    right: int
    triggers: tuple[str, ...]
    duty_holder: str
    duty: str
    standard: Deadline | None
    enhanced: Deadline | None
    discharged_by: tuple[str, ...]
    guidance: str
    source: str
    code_edition: str
    kind: Kind = Kind.DUTY
    deadline_from: Anchor = Anchor.RECEIVED
    applies_if: tuple[Condition, ...] = ()
    requires_milestones: tuple[str, ...] = ()
    confirmed: bool = True
    note: str | None = None
    line: int = field(default=0, compare=False)

    def deadline(self, enhanced: bool) -> Deadline | None:
        return self.enhanced if enhanced else self.standard

    @property
    def acknowledgeable(self) -> bool:
        """True when an ``information_delivered`` milestone carrying this id discharges it."""
        return INFORMATION_DELIVERED in self.discharged_by

    @property
    def milestone_types(self) -> frozenset[str]:
        """Every milestone type whose arrival can change this rule's entitlements."""
        return frozenset((*self.triggers, *self.discharged_by, *self.requires_milestones))


# --- Validation -----------------------------------------------------------------------------------

_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SLUG: Final = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_EDITION: Final = re.compile(r"^\d{4}$")
_REQUIRED: Final = (
    "id",
    "right",
    "trigger",
    "duty_holder",
    "duty",
    "deadline",
    "discharged_by",
    "guidance",
    "source",
    "code_edition",
)
_OPTIONAL: Final = ("kind", "deadline_from", "applies_if", "confirmed", "note")


class _Problem(Exception):
    """Internal: a validation failure at ``line`` (None = the rule's own line)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _RuleReader:
    """Reads one rule mapping, turning every mistake into a ``_Problem`` with a line."""

    def __init__(self, raw: LineDict, guidance_slugs: frozenset[str]) -> None:
        self.raw = raw
        self.guidance_slugs = guidance_slugs

    def line_of(self, key: str) -> int:
        return self.raw.key_lines.get(key, self.raw.line)

    def text(self, key: str) -> str:
        value = self.raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise _Problem(f"'{key}' must be non-empty text", self.line_of(key))
        return value.strip()

    def milestones(self, key: str, value: object) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise _Problem(f"'{key}' must name one or more milestone types", self.line_of(key))
        for item in items:
            if not isinstance(item, str) or item not in MILESTONE_TYPES:
                raise _Problem(f"unknown milestone type {item!r} in '{key}'", self.line_of(key))
        return tuple(dict.fromkeys(items))  # keep the file's order, drop repeats

    def read(self, rule_id: str) -> Rule:
        repeated = first_duplicate(self.raw)
        if repeated:
            raise _Problem(f"duplicate key {repeated[0]!r}", repeated[1])
        missing = [key for key in _REQUIRED if key not in self.raw]
        if missing:
            raise _Problem("missing " + ", ".join(missing))
        unknown = sorted(set(self.raw) - set(_REQUIRED) - set(_OPTIONAL), key=str)
        if unknown:
            raise _Problem(f"unknown key {unknown[0]!r}", self.line_of(unknown[0]))
        triggers = self.milestones("trigger", self.raw["trigger"])
        if INFORMATION_DELIVERED in triggers:
            raise _Problem("an acknowledgement cannot trigger a duty", self.line_of("trigger"))
        standard, enhanced = self.deadlines()
        conditions, required = self.conditions()
        confirmed = self.raw.get("confirmed", True)
        if not isinstance(confirmed, bool):
            raise _Problem("'confirmed' must be true or false", self.line_of("confirmed"))
        note = self.text("note") if "note" in self.raw else None
        if not confirmed and note is None:
            raise _Problem("an unconfirmed rule needs a 'note' saying what is unconfirmed")
        return Rule(
            id=rule_id,
            right=self.right(),
            triggers=triggers,
            duty_holder=self.duty_holder(),
            duty=self.text("duty"),
            standard=standard,
            enhanced=enhanced,
            discharged_by=self.milestones("discharged_by", self.raw["discharged_by"]),
            guidance=self.guidance(),
            source=self.source(),
            code_edition=self.code_edition(),
            kind=self.choice("kind", Kind, Kind.DUTY),
            deadline_from=self.choice("deadline_from", Anchor, Anchor.RECEIVED),
            applies_if=conditions,
            requires_milestones=required,
            confirmed=confirmed,
            note=note,
            line=self.raw.line,
        )

    def right(self) -> int:
        value = self.raw["right"]
        if isinstance(value, bool) or not isinstance(value, int) or value not in RIGHTS:
            raise _Problem(f"unknown right {value!r} (rights are 1 to 12)", self.line_of("right"))
        return value

    def duty_holder(self) -> str:
        value = self.raw["duty_holder"]
        if value not in DUTY_HOLDERS:
            known = ", ".join(DUTY_HOLDERS)
            raise _Problem(
                f"unknown duty holder {value!r} (one of {known})", self.line_of("duty_holder")
            )
        return str(value)

    def source(self) -> str:
        value = self.raw.get("source")
        if not isinstance(value, str) or not value.startswith("https://"):
            raise _Problem(
                "missing source: give a web address starting https://", self.line_of("source")
            )
        return value

    def code_edition(self) -> str:
        value = str(self.raw["code_edition"])
        if not _EDITION.match(value):
            raise _Problem(
                f'bad code_edition {value!r} (a year, e.g. "2021")', self.line_of("code_edition")
            )
        return value

    def guidance(self) -> str:
        value = self.raw["guidance"]
        if not isinstance(value, str) or not _SLUG.match(value) or value not in self.guidance_slugs:
            raise _Problem(
                f"unknown guidance slug {value!r} (no content/en/**/{value}.md)",
                self.line_of("guidance"),
            )
        return value

    def choice(self, key: str, enum: type[StrEnum], default: StrEnum) -> Any:
        value = self.raw.get(key, default.value)
        try:
            return enum(value)
        except ValueError:
            known = ", ".join(member.value for member in enum)
            raise _Problem(f"bad {key} {value!r} (one of {known})", self.line_of(key)) from None

    def deadlines(self) -> tuple[Deadline | None, Deadline | None]:
        value = self.raw["deadline"]
        if value is None:
            return None, None
        line = self.line_of("deadline")
        if not isinstance(value, dict) or set(value) != {"standard", "enhanced"}:
            raise _Problem(
                "bad deadline: give both 'standard' and 'enhanced' (either may be null)", line
            )
        return self.deadline(value, "standard"), self.deadline(value, "enhanced")

    def deadline(self, parent: LineDict, key: str) -> Deadline | None:
        value = parent[key]
        if value is None:
            return None
        line = parent.key_lines.get(key, parent.line)
        units = ", ".join(_DEADLINE_FUNCTIONS)
        if not isinstance(value, dict) or len(value) != 1:
            raise _Problem(
                f"bad deadline: {key} must be one of {units} with a number, or null", line
            )
        ((unit, amount),) = value.items()
        if unit not in _DEADLINE_FUNCTIONS:
            raise _Problem(f"bad deadline: unknown unit {unit!r} (one of {units})", line)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise _Problem(f"bad deadline: {key} {unit} must be a whole number >= 0", line)
        return Deadline(unit, amount)

    def conditions(self) -> tuple[tuple[Condition, ...], tuple[str, ...]]:
        value = self.raw.get("applies_if", {})
        if value is None:
            return (), ()
        if not isinstance(value, dict):
            raise _Problem("'applies_if' must map facts to conditions", self.line_of("applies_if"))
        conditions: list[Condition] = []
        required: tuple[str, ...] = ()
        for fact, test in value.items():
            line = value.key_lines.get(fact, value.line)
            if fact == "has_milestone":
                required = self.milestones("applies_if", test)
                continue
            conditions.append(_condition(fact, test, line))
        return tuple(conditions), required


def _condition(fact: object, test: object, line: int) -> Condition:
    if fact not in FACTS:
        known = ", ".join([*FACTS, "has_milestone"])
        raise _Problem(f"unknown fact {fact!r} in applies_if (one of {known})", line)
    kind = FACTS[str(fact)]
    op, value = (
        next(iter(test.items())) if isinstance(test, dict) and len(test) == 1 else ("equals", test)
    )
    if op not in _OPERATORS[kind]:
        allowed = ", ".join(sorted(_OPERATORS[kind]))
        raise _Problem(f"bad condition on {fact}: {op!r} (use {allowed})", line)
    return Condition(str(fact), op, _condition_value(str(fact), kind, op, value, line))


def _condition_value(fact: str, kind: str, op: str, value: object, line: int) -> Any:
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "category":
        values = value if op == "in" else [value]
        if isinstance(values, list) and values and all(v in OFFENCE_CATEGORIES for v in values):
            return tuple(values) if op == "in" else value
    raise _Problem(f"bad condition on {fact}: {value!r} is not a valid {kind} value", line)


def guidance_slugs(content_root: Path) -> frozenset[str]:
    """The slugs of the English guidance pages under ``content_root``/en."""
    return frozenset(page.stem for page in (content_root / "en").rglob("*.md"))


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RulesError(path, None, None, f"cannot read the rules file: {error}") from error
    try:
        return load_with_lines(text)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise RulesError(path, line, None, f"not valid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise RulesError(path, None, None, f"not valid YAML: {error}") from None


def _rule_id(raw: LineDict) -> str:
    value = raw.get("id")
    if not isinstance(value, str) or not _ID.match(value):
        raise _Problem(
            f"missing or bad id {value!r} (lower-case letters, digits and hyphens)",
            raw.key_lines.get("id", raw.line),
        )
    return value


def load_rules(
    path: str | Path = DEFAULT_RULES_PATH, content_root: Path | None = None
) -> list[Rule]:
    """Load and validate the rules file; raise ``RulesError`` on the first problem.

    ``content_root`` is the folder holding ``en/<section>/<slug>.md``; by default the rules
    file's grandparent (``content/victims-code/rules.yaml`` -> ``content/``).
    """
    path = Path(path)
    root = content_root if content_root is not None else path.resolve().parent.parent
    document = _parse(path)
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise RulesError(path, 1, None, "the file must be a mapping with a 'rules' list")
    if document.duplicates:
        key, line = document.duplicates[0]
        raise RulesError(path, line, None, f"duplicate key {key!r}")
    slugs = guidance_slugs(root)
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for raw in document["rules"]:
        if not isinstance(raw, LineDict):
            raise RulesError(
                path, document.key_lines.get("rules"), None, "each rule must be a mapping"
            )
        rule_id: str | None = None
        try:
            rule_id = _rule_id(raw)
            if rule_id in seen:
                raise _Problem(f"duplicate id (first used on line {seen[rule_id]})")
            seen[rule_id] = raw.line
            rules.append(_RuleReader(raw, slugs).read(rule_id))
        except _Problem as problem:
            raise RulesError(path, problem.line or raw.line, rule_id, problem.message) from None
    return rules
