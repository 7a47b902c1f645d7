"""The form of one question page: a Flask-WTF form that knows the answers saved so far (for checks
across pages) and which of its fields are answers (what is saved)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import Field, SubmitField


class QuestionForm(FlaskForm):
    """Subclasses declare their questions as fields. `title` is the page's title (and heading
    when no field is the heading); `answers` holds what was saved on the other pages."""

    title: ClassVar[Any] = None
    heading: ClassVar[bool] = False  # True: the title is the page's heading, above the fields
    answers: Mapping[str, Any]

    def __init__(self, *args: Any, answers: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers = answers or {}
        self.prepare()

    def prepare(self) -> None:
        """Adjust the fields to the saved answers (a limit, a choice); nothing by default."""

    def questions(self) -> list[Field]:
        """The fields that are answers, in order (not the CSRF token)."""
        return [field for field in self if field.type not in ("CSRFTokenField", "SubmitField")]

    def values(self) -> dict[str, Any]:
        """What this page's answers are, ready to save (dates as ISO text)."""
        found = {}
        for field in self.questions():
            value = field.data
            found[field.name] = value.isoformat() if hasattr(value, "isoformat") else value
        return found


class DraftForm(QuestionForm):
    """A page of a flow kept as a draft: "Save and come back later" beside "Save and continue"."""

    later = SubmitField(_l("Save and come back later"), widget=GovSubmitInput())
