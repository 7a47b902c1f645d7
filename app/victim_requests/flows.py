"""The question flows of a victim's requests: the Victim Personal Statement's pages and the Right
to Review's, each a form (app.questions), saved as a draft on every page. The rules themselves are
in vps.py; the words in questions.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField
from wtforms.validators import ValidationError

from app.languages import KNOWN
from app.questions.fields import Text, radios, select
from app.questions.flow import Flow, Step
from app.questions.forms import DraftForm, QuestionForm
from app.victim_requests import vps
from app.victim_requests.questions import (
    CONTACT_CHOICES,
    KIND_CHOICES,
    READING_CHOICES,
    STATEMENT_PAGES,
    YES_NO,
    problem_text,
)

MORE = _l("Write as much or as little as you want.")


def _choose(field: str) -> str:
    return problem_text(vps.Problem(field, "choose"))


def _too_long(field: str, over: int) -> ValidationError:
    return ValidationError(problem_text(vps.Problem(field, "too_long", over)))


# --- Victim Personal Statement ------------------------------------------------------------------


def _within_statement(form: QuestionForm, field: Field) -> None:
    """The statement's parts together are within the limit (the other parts as saved)."""
    total = vps.statement_length({**form.answers, field.name: field.data})
    if total > vps.MAX_CHARACTERS:
        raise _too_long(field.name, total - vps.MAX_CHARACTERS)


def _within_limit(form: QuestionForm, field: Field) -> None:
    if len(field.data) > vps.MAX_CHARACTERS:
        raise _too_long(field.name, len(field.data) - vps.MAX_CHARACTERS)


class KindForm(DraftForm):
    title = STATEMENT_PAGES["new-or-update"][0]
    kind = radios(
        title,
        list(KIND_CHOICES.items()),
        LazyString(_choose, "kind"),
        hint=_l(
            "A statement says in your own words how the crime has affected you. "
            "You can update it at any time until the sentence."
        ),
    )


class ReadingForm(DraftForm):
    title = STATEMENT_PAGES["reading"][0]
    reading = radios(
        title,
        list(READING_CHOICES.items()),
        LazyString(_choose, "reading"),
        hint=_l(
            "The judge or magistrates will read your statement before they "
            "decide the sentence. You can change your mind later."
        ),
    )


class LanguageForm(DraftForm):
    title = STATEMENT_PAGES["language"][0]
    heading = True
    statement_language = select(
        _l("Which language is your statement in?"),
        [(code, KNOWN[code].native_name, {"lang": code}) for code in sorted(KNOWN)],
        LazyString(_choose, "statement_language"),
    )
    interpreter = radios(
        _l("Do you need an interpreter at court?"),
        list(YES_NO.items()),
        LazyString(_choose, "interpreter"),
        heading=False,
    )


def _text_page(slug: str, field: str) -> type[DraftForm]:
    """A page of free text: one part of the statement, or the support needed at court."""
    question, hint = STATEMENT_PAGES[slug]
    part = field in vps.STATEMENT_PARTS

    def prepare(self: DraftForm) -> None:
        if part:  # what is left of the whole statement, the other parts as saved
            others = vps.statement_length({k: v for k, v in self.answers.items() if k != field})
            self[field].limit = max(vps.MAX_CHARACTERS - others, 0)  # type: ignore[attr-defined]

    text = Text(
        question,
        [_within_statement if part else _within_limit],
        limit=vps.MAX_CHARACTERS,
        heading=True,
        rows=10,
        filters=[vps.clean_text],
        description=LazyString(lambda: f"{hint} {MORE}"),
    )
    return type(f"{field}Form", (DraftForm,), {"title": question, field: text, "prepare": prepare})


_CHOICE_PAGES: dict[str, type[DraftForm]] = {
    "new-or-update": KindForm,
    "reading": ReadingForm,
    "language": LanguageForm,
}
STATEMENT = Flow(
    "requests.statement_step",
    "requests/statement_step.html",
    [
        Step(step.slug, _CHOICE_PAGES.get(step.slug) or _text_page(step.slug, step.fields[0]))
        for step in vps.STEPS
    ],
    check=vps.CHECK,
)


# --- Right to Review ----------------------------------------------------------------------------


def _reasons(form: QuestionForm, field: Field) -> None:
    if not field.data:
        raise ValidationError(problem_text(vps.Problem("reasons", "reasons_empty")))
    if len(field.data) > vps.MAX_CHARACTERS:
        over = len(field.data) - vps.MAX_CHARACTERS
        raise ValidationError(problem_text(vps.Problem("reasons", "reasons_too_long", over)))


class ReasonsForm(DraftForm):
    title = _l("Why do you think the decision was wrong?")
    reasons = Text(
        title,
        [_reasons],
        limit=vps.MAX_CHARACTERS,
        heading=True,
        rows=12,
        filters=[vps.clean_text],
        description=_l(
            "Say what you think was missed or got wrong. You do not need to use legal words."
        ),
    )


class ContactForm(DraftForm):
    title = _l("How would you like to hear back?")
    contact = radios(title, list(CONTACT_CHOICES.items()), LazyString(_choose, "contact"))


REVIEW = Flow(
    "requests.review_step",
    "requests/review_step.html",
    [Step("reasons", ReasonsForm), Step("contact", ContactForm)],
    check=vps.CHECK,
)


class SendForm(FlaskForm):
    """The check page's button: only its CSRF token."""


class DecisionForm(FlaskForm):
    """The decision a Right to Review is about (one button per decision)."""

    decision = HiddenField()
