"""What a form holds once it has validated."""

from __future__ import annotations

from typing import TypeVar

from wtforms import Field

T = TypeVar("T")


def required(value: T | None) -> T:
    """The value of a field the form requires (InputRequired), read after `validate_on_submit()`:
    the validator has made sure the request sent one, so it is never None here."""
    if value is None:
        raise ValueError("a required form field has no value: read it only after validating")
    return value


def add_error(field: Field, message: str) -> None:
    """One more error on a field, from a check of the whole form after `validate()`: validating
    made the field's `errors` a list (a tuple before, hence the stubs' `Sequence`)."""
    if not isinstance(field.errors, list):
        raise TypeError("add an error to a form field only after validating")
    field.errors.append(message)
