"""The content editor's form: front matter as fields, the body as text."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError


def _words(value: str) -> list[str]:
    return [w.strip() for w in (value or "").replace("\n", ",").split(",") if w.strip()]


class PageForm(FlaskForm):
    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter a title")), Length(max=200)],
    )
    summary = TextAreaField(
        _l("Summary"),
        widget=GovTextArea(),
        validators=[InputRequired(message=_l("Enter a summary")), Length(max=400)],
    )
    order = IntegerField(
        _l("Order in its section"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter a whole number, like 10")),
            NumberRange(min=0, max=10000, message=_l("Enter a whole number from 0 to 10000")),
        ],
    )
    rights = StringField(
        _l("Victims' Code rights (numbers, separated by commas)"), widget=GovTextInput()
    )
    audience = StringField(_l("Audience (separated by commas)"), widget=GovTextInput())
    crime_types = StringField(_l("Crime types (separated by commas)"), widget=GovTextInput())
    related = StringField(
        _l("Related pages (page names, separated by commas)"), widget=GovTextInput()
    )
    sources = TextAreaField(
        _l("Sources (one web address per line)"),
        widget=GovTextArea(),
        validators=[InputRequired(message=_l("Enter at least one source"))],
    )
    reviewed = StringField(
        _l("Last checked (YYYY-MM-DD)"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter the date the page was last checked"))],
    )
    translation_reviewed = BooleanField(
        _l("A person has checked this translation"), widget=GovCheckboxInput()
    )
    body = TextAreaField(
        _l("Page text (Markdown)"),
        widget=GovTextArea(),
        validators=[InputRequired(message=_l("Enter the page text")), Length(max=100_000)],
    )
    base_hash = HiddenField()
    source_hash = HiddenField()
    save = SubmitField(_l("Save page"), widget=GovSubmitInput())

    def validate_rights(self, field: StringField) -> None:
        try:
            [int(w) for w in _words(field.data)]
        except ValueError as exc:
            raise ValidationError(_l("Rights must be numbers, like 4, 6")) from exc

    def validate_reviewed(self, field: StringField) -> None:
        try:
            dt.date.fromisoformat((field.data or "").strip())
        except ValueError as exc:
            raise ValidationError(_l("Enter the date as YYYY-MM-DD, like 2026-11-24")) from exc

    def fill(self, meta: dict, body: str) -> None:
        self.title.data = meta.get("title", "")
        self.summary.data = meta.get("summary", "")
        self.order.data = meta.get("order", 10)
        self.rights.data = ", ".join(str(r) for r in meta.get("rights", []))
        self.audience.data = ", ".join(meta.get("audience", []) or [])
        self.crime_types.data = ", ".join(meta.get("crime_types", []) or [])
        self.related.data = ", ".join(meta.get("related", []) or [])
        self.sources.data = "\n".join(meta.get("sources", []) or [])
        self.reviewed.data = str(meta.get("reviewed", dt.date.today()))
        self.translation_reviewed.data = bool(meta.get("translation_reviewed", False))
        self.source_hash.data = meta.get("source_hash") or ""
        self.body.data = body

    def front_matter(self, section: str, *, translation: bool) -> dict:
        meta = {
            "title": self.title.data.strip(),
            "summary": " ".join(self.summary.data.split()),
            "section": section,
            "order": self.order.data,
            "audience": _words(self.audience.data),
            "crime_types": _words(self.crime_types.data),
            "rights": [int(w) for w in _words(self.rights.data)],
            "sources": [s.strip() for s in self.sources.data.splitlines() if s.strip()],
            "reviewed": dt.date.fromisoformat(self.reviewed.data.strip()),
            "related": _words(self.related.data),
        }
        if translation:
            meta["source_hash"] = self.source_hash.data
            meta["translation_reviewed"] = bool(self.translation_reviewed.data)
        return meta


class PreviewForm(FlaskForm):
    body = TextAreaField()
