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

from marshmallow import ValidationError, post_load, validates, validates_schema

from app.core.vocabulary import (
    DUTY_HOLDERS,
    INFORMATION_DELIVERED,
    MILESTONE_TYPES,
    OFFENCE_CATEGORIES,
    RIGHTS,
)
from app.core.yaml_lines import LineDict
from app.core.yaml_schema import (
    Choice,
    Flag,
    Https,
    Id,
    Items,
    LineField,
    LineSchema,
    Nested,
    Pattern,
    Text,
    YamlProblem,
    load_records,
    record_id,
    whole,
)
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
                return bool(actual >= self.value)
            if self.op == "below":
                return bool(actual < self.value)
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

_SLUG: Final = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_EDITION: Final = re.compile(r"^\d{4}$")
_BOTH: Final = "bad deadline: give both 'standard' and 'enhanced' (either may be null)"
_GUIDANCE: Final = "unknown guidance slug {value!r} (no content/en/**/{value}.md)"


def _milestones(**kwargs: Any) -> Items:
    """One or more milestone types (``trigger``, ``discharged_by``, ``has_milestone``)."""
    return Items(Choice(MILESTONE_TYPES, "milestone type"), "milestone types", **kwargs)


class _Deadline(LineField):
    """``{<unit>: <whole number>}``; null (no deadline) never reaches here."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Deadline:
        key, units = self.key(attr), ", ".join(_DEADLINE_FUNCTIONS)
        if not isinstance(value, dict) or len(value) != 1:
            raise ValidationError(
                f"bad deadline: {key} must be one of {units} with a number, or null"
            )
        ((unit, amount),) = value.items()
        if unit not in _DEADLINE_FUNCTIONS:
            raise ValidationError(f"bad deadline: unknown unit {unit!r} (one of {units})")
        if not whole(amount):
            raise ValidationError(f"bad deadline: {key} {unit} must be a whole number >= 0")
        return Deadline(unit, amount)


class _Deadlines(LineSchema):
    error_messages = {"type": _BOTH, "unknown": _BOTH}  # noqa: RUF012 (see LineSchema)
    standard = _Deadline(required=True, allow_none=True, error_messages={"required": _BOTH})
    enhanced = _Deadline(required=True, allow_none=True, error_messages={"required": _BOTH})

    @post_load
    def _pair(self, data: dict[str, Any], **_kwargs: Any) -> tuple[Deadline | None, ...]:
        return data["standard"], data["enhanced"]


class _Conditions(LineField):
    """``applies_if``: facts to conditions, and ``has_milestone``; gives both, as tuples."""

    has_milestone = _milestones()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise ValidationError("'applies_if' must map facts to conditions")
        conditions: list[Condition] = []
        required: tuple[str, ...] = ()
        errors: dict[str, Any] = {}
        for fact, test in value.items():
            try:
                if fact == "has_milestone":
                    required = self.has_milestone.deserialize(test, fact, value)
                else:
                    conditions.append(_condition(fact, test))
            except ValidationError as error:
                errors[fact] = error.messages
        if errors:
            raise ValidationError(errors)
        return tuple(conditions), required


def _condition(fact: object, test: object) -> Condition:
    if fact not in FACTS:
        known = ", ".join([*FACTS, "has_milestone"])
        raise ValidationError(f"unknown fact {fact!r} in applies_if (one of {known})")
    kind = FACTS[str(fact)]
    op, value = (
        next(iter(test.items())) if isinstance(test, dict) and len(test) == 1 else ("equals", test)
    )
    if op not in _OPERATORS[kind]:
        allowed = ", ".join(sorted(_OPERATORS[kind]))
        raise ValidationError(f"bad condition on {fact}: {op!r} (use {allowed})")
    return Condition(str(fact), op, _condition_value(str(fact), kind, op, value))


def _condition_value(fact: str, kind: str, op: str, value: object) -> Any:
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and whole(value, low=None):
        return value
    if kind == "category":
        values = value if op == "in" else [value]
        if isinstance(values, list) and values and all(v in OFFENCE_CATEGORIES for v in values):
            return tuple(values) if op == "in" else value
    raise ValidationError(f"bad condition on {fact}: {value!r} is not a valid {kind} value")


def _no_acknowledgement(triggers: tuple[str, ...]) -> None:
    if INFORMATION_DELIVERED in triggers:
        raise ValidationError("an acknowledgement cannot trigger a duty")


class _Rule(LineSchema):
    """One rule; the guidance slugs it may name are given per load (they depend on the content)."""

    error_messages = {"type": "each rule must be a mapping"}  # noqa: RUF012 (see LineSchema)
    id = Id()
    right = Choice(RIGHTS, "right", required=True)
    trigger = _milestones(required=True, validate=_no_acknowledgement)
    duty_holder = Choice(DUTY_HOLDERS, "duty holder", required=True)
    duty = Text(required=True)
    deadline = Nested(_Deadlines, required=True, allow_none=True)
    discharged_by = _milestones(required=True)
    guidance = Text(required=True)
    source = Https(required=True)
    code_edition = Pattern(
        _EDITION, 'bad code_edition {value} (a year, e.g. "2021")', numbers=True, required=True
    )
    kind = Choice(Kind, "kind")
    deadline_from = Choice(Anchor, "deadline_from")
    applies_if = _Conditions(allow_none=True)
    confirmed = Flag(load_default=True)
    note = Text()

    def __init__(self, slugs: frozenset[str]) -> None:
        super().__init__()
        self.slugs = slugs

    @validates("guidance")
    def _guidance(self, value: str, **_kwargs: Any) -> None:
        if not _SLUG.match(value) or value not in self.slugs:
            raise ValidationError(_GUIDANCE.format(value=value))

    @validates_schema
    def _note(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data["confirmed"] and "note" not in data:
            raise ValidationError("an unconfirmed rule needs a 'note' saying what is unconfirmed")

    @post_load(pass_original=True)
    def _rule(self, data: dict[str, Any], raw: LineDict, **_kwargs: Any) -> Rule:
        standard, enhanced = data.pop("deadline") or (None, None)
        conditions, required = data.pop("applies_if", None) or ((), ())
        return Rule(
            triggers=data.pop("trigger"),
            standard=standard,
            enhanced=enhanced,
            applies_if=conditions,
            requires_milestones=required,
            line=raw.line,
            **data,
        )


def guidance_slugs(content_root: Path) -> frozenset[str]:
    """The slugs of the English guidance pages under ``content_root``/en."""
    return frozenset(page.stem for page in (content_root / "en").rglob("*.md"))


def load_rules(
    path: str | Path = DEFAULT_RULES_PATH, content_root: Path | None = None
) -> list[Rule]:
    """Load and validate the rules file; raise ``RulesError`` on the first problem.

    ``content_root`` is the folder holding ``en/<section>/<slug>.md``; by default the rules
    file's grandparent (``content/victims-code/rules.yaml`` -> ``content/``).
    """
    path = Path(path)
    root = content_root if content_root is not None else path.resolve().parent.parent
    try:
        return load_records(path, "rules", _Rule(guidance_slugs(root)))
    except YamlProblem as problem:
        raise RulesError(path, problem.line, record_id(problem.record), problem.message) from None
