"""Fields of question pages: one question each, with its GOV.UK widget and its own error words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from wtforms import Field, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from app.questions.widgets import CharacterCount, Checkboxes, DateInput, Radios, Select

# (value, label) or (value, label, GOV.UK item options such as a hint)
Choices = Sequence[tuple[str, Any] | tuple[str, Any, dict[str, Any]]]


def options(choices: Choices) -> list[SelectChoice]:
    """Choices as WTForms wants them: (value, label) or (value, label, GOV.UK item options)."""
    return [SelectChoice(*choice) for choice in choices]


def _options(choices: Choices | Callable[[], Choices]) -> Any:
    return (lambda: options(choices())) if callable(choices) else options(choices)


def radios(
    label: Any,
    choices: Choices | Callable[[], Choices],
    message: Any | None = None,
    *,
    hint: Any = None,
    heading: bool = True,
) -> RadioField:
    """One choice. With `message`, a choice must be made (the message says which); without,
    the question may be left unanswered."""
    return RadioField(
        label,
        choices=_options(choices),
        description=hint or "",
        widget=Radios(heading),
        validate_choice=message is not None,
        invalid_choice_message=message,  # type: ignore[call-arg]  # WTForms 3.3 has it, stubs 3.2 not
    )


def checkboxes(
    label: Any,
    choices: Choices | Callable[[], Choices],
    *,
    hint: Any = None,
    heading: bool = False,
    default: Sequence[str] = (),
) -> SelectMultipleField:
    """Any number of choices, or none (values not offered are dropped, not refused)."""
    return SelectMultipleField(
        label,
        choices=_options(choices),
        description=hint or "",
        widget=Checkboxes(heading),
        validate_choice=False,
        default=list(default),
    )


def select(
    label: Any,
    choices: Choices | Callable[[], Choices],
    message: Any | None = None,
    *,
    heading: bool = False,
) -> SelectField:
    return SelectField(
        label,
        choices=_options(choices),
        widget=Select(heading),
        validate_choice=message is not None,
        invalid_choice_message=message,  # type: ignore[call-arg]  # WTForms 3.3 has it, stubs 3.2 not
    )


class Text(TextAreaField):
    """Free text with a character count. `limit` is shown, and the form's validators refuse more
    (with its own words: how much too long, of what)."""

    def __init__(
        self,
        label: Any = None,
        validators: Iterable[Any] = (),
        *,
        limit: int,
        heading: bool = False,
        rows: int = 8,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, list(validators), widget=CharacterCount(heading, rows), **kwargs)
        self.limit = limit


class DateParts(Field):
    """A date typed as day, month and year (`<name>-day`, `-month`, `-year`), kept as typed when
    it is not a real date so nothing is lost. Empty is allowed (data None); see `PastDate`."""

    widget = DateInput()

    def __init__(
        self, label: Any = None, validators: Iterable[Any] = (), *, message: Any, **kwargs: Any
    ) -> None:
        super().__init__(label, list(validators), **kwargs)
        self.message = message
        self.parts: tuple[str, str, str] = ("", "", "")

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(None, data, extra_filters)
        if formdata is None:
            return
        self.parts = tuple(  # type: ignore[assignment]
            (formdata.get(f"{self.name}-{part}") or "").strip()[:4]
            for part in ("day", "month", "year")
        )
        self.raw_data = list(self.parts)
        self.data = None
        if any(self.parts):
            day, month, year = self.parts
            try:
                self.data = dt.date(int(year), int(month), int(day))
            except ValueError:
                self.process_errors = [*self.process_errors, self.message]

    def process_data(self, value: Any) -> None:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value) if value else None
            except ValueError:
                value = None
        self.data = value
        if value is not None:
            self.parts = (str(value.day), str(value.month), str(value.year))

    def _value(self) -> str:
        return self.data.isoformat() if self.data else ""


class PastDate:
    """A date, if given, on or before `today()` and not before 1900."""

    def __init__(self, today: Callable[[], dt.date], message: Any) -> None:
        self.today = today
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if field.data is not None and (field.data > self.today() or field.data.year < 1900):
            raise ValidationError(self.message)
