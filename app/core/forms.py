"""What a form holds once it has validated."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def required(value: T | None) -> T:
    """The value of a field the form requires (InputRequired), read after `validate_on_submit()`:
    the validator has made sure the request sent one, so it is never None here."""
    if value is None:
        raise ValueError("a required form field has no value: read it only after validating")
    return value
