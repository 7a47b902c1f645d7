"""The Victim Personal Statement as a question flow: the pages in order, what each keeps, and the
checks on the answers. Plain Python: the views ask it which page comes next and what is wrong.

One question per page (trauma-informed: short pages, every one but the first skippable), saved as
a draft on every page, so a victim can stop at any point and nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

MAX_CHARACTERS: Final = 20_000  # the whole statement, all its parts together

# The parts of the statement itself (the victim's words about the harm), in order.
STATEMENT_PARTS: Final = (
    "effects_physical",
    "effects_emotional",
    "effects_financial",
    "effects_family",
    "concerns",
)
READING: Final = ("self", "someone_else", "not_read", "undecided")
YES_NO: Final = ("yes", "no")


@dataclass(frozen=True)
class Step:
    slug: str  # in the URL
    fields: tuple[str, ...]
    kind: str  # text | choice | language


STEPS: Final = (
    Step("new-or-update", ("kind",), "choice"),
    Step("physical", ("effects_physical",), "text"),
    Step("emotional", ("effects_emotional",), "text"),
    Step("financial", ("effects_financial",), "text"),
    Step("family", ("effects_family",), "text"),
    Step("concerns", ("concerns",), "text"),
    Step("reading", ("reading",), "choice"),
    Step("court-support", ("court_support",), "text"),
    Step("language", ("statement_language", "interpreter"), "language"),
)
BY_SLUG: Final = {step.slug: step for step in STEPS}
CHECK: Final = "check-your-answers"


def next_slug(slug: str) -> str:
    index = [s.slug for s in STEPS].index(slug)
    return STEPS[index + 1].slug if index + 1 < len(STEPS) else CHECK


def previous_slug(slug: str) -> str | None:
    slugs = [s.slug for s in STEPS] + [CHECK]
    index = slugs.index(slug)
    return slugs[index - 1] if index > 0 else None


def statement_length(answers: Mapping[str, str]) -> int:
    return sum(len(answers.get(part) or "") for part in STATEMENT_PARTS)


@dataclass(frozen=True)
class Problem:
    field: str
    code: str  # the views turn codes into translated messages
    count: int = 0  # characters over the limit, for "too_long"


def clean_text(value: str | None) -> str:
    """Keep what was typed; only normalise line ends and trim the ends (a textarea sends CRLF).
    Every free text a victim or navigator sends goes through this: statements, reasons, needs,
    messages, notes."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def check_step(
    step: Step, posted: Mapping[str, str], saved: Mapping[str, str], languages: frozenset[str]
) -> tuple[dict[str, str], list[Problem]]:
    """The answers this page gives, and what is wrong with them. Text pages may be left empty
    (the victim chooses what to say); a too-long statement is refused with a count."""
    values: dict[str, str] = {}
    problems: list[Problem] = []
    if step.kind == "text":
        field = step.fields[0]
        values[field] = clean_text(posted.get(field))
        if field in STATEMENT_PARTS:
            total = statement_length({**saved, **values})
            if total > MAX_CHARACTERS:
                problems.append(Problem(field, "too_long", total - MAX_CHARACTERS))
        elif len(values[field]) > MAX_CHARACTERS:
            problems.append(Problem(field, "too_long", len(values[field]) - MAX_CHARACTERS))
    elif step.slug == "new-or-update":
        values["kind"] = (posted.get("kind") or "").strip()
        if values["kind"] not in ("make", "update"):
            problems.append(Problem("kind", "choose"))
    elif step.slug == "reading":
        values["reading"] = (posted.get("reading") or "").strip()
        if values["reading"] not in READING:
            problems.append(Problem("reading", "choose"))
    else:  # language
        values["statement_language"] = (posted.get("statement_language") or "").strip()
        values["interpreter"] = (posted.get("interpreter") or "").strip()
        if values["statement_language"] not in languages:
            problems.append(Problem("statement_language", "choose"))
        if values["interpreter"] not in YES_NO:
            problems.append(Problem("interpreter", "choose"))
    return values, problems


def check_whole(answers: Mapping[str, str], languages: frozenset[str]) -> list[Problem]:
    """Before sending: the choices made, something said, and not too long. Each problem names
    the page to go back to (its first field)."""
    problems: list[Problem] = []
    if answers.get("kind") not in ("make", "update"):
        problems.append(Problem("kind", "choose"))
    if not any((answers.get(part) or "").strip() for part in STATEMENT_PARTS):
        problems.append(Problem("effects_physical", "empty"))
    total = statement_length(answers)
    if total > MAX_CHARACTERS:
        problems.append(Problem("effects_physical", "too_long", total - MAX_CHARACTERS))
    if answers.get("reading") not in READING:
        problems.append(Problem("reading", "choose"))
    if answers.get("statement_language") not in languages:
        problems.append(Problem("statement_language", "choose"))
    if answers.get("interpreter") not in YES_NO:
        problems.append(Problem("interpreter", "choose"))
    return problems


def step_of(field: str) -> Step:
    return next(step for step in STEPS if field in step.fields)
