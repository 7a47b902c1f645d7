"""GOV.UK widgets for question pages: govuk-frontend-wtf's, with what a question page needs on top.

- The question is the page's heading (`heading=True`), or a smaller legend or label below one.
- Error messages and the character count speak the page's language, not only English.
- A choice can carry GOV.UK item options (a hint, attributes such as `lang`) as the third member
  of its `(value, label, options)` tuple.
- Free text is typed in any direction (`dir="auto"`).

Parameters a template passes (`form.field(params={...})`) still win over all of these."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from govuk_frontend_wtf.main import merger
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
)
from wtforms import Field
from wtforms.fields.choices import SelectFieldBase

Params = dict[str, Any]


def _merged(defaults: Params, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The widget's defaults under the template's params (both fresh dicts: nothing is shared
    between requests)."""
    kwargs["params"] = merger.merge(defaults, dict(kwargs.get("params") or {}))
    return kwargs


def _translated_error(params: Params) -> Params:
    if params.get("errorMessage"):
        params["errorMessage"]["visuallyHiddenText"] = _("Error")
    return params


def legend(text: Any, heading: bool) -> Params:
    size = "l" if heading else "m"
    return {
        "legend": {
            "text": text,
            "isPageHeading": heading,
            "classes": f"govuk-fieldset__legend--{size}",
        }
    }


def label(text: Any, heading: bool) -> Params:
    return {
        "text": text,
        "isPageHeading": heading,
        "classes": "govuk-label--l" if heading else "govuk-label--m",
    }


class _Choices:
    """Radios and checkboxes: the legend, no empty hint, and each choice's own item options."""

    heading: bool

    def __call__(self, field: Field, **kwargs: Any) -> Any:
        defaults: Params = {"fieldset": legend(field.label.text, self.heading)}
        if not field.description:
            defaults["hint"] = None
        return super().__call__(field, **_merged(defaults, kwargs))  # type: ignore[misc]

    def map_gov_params(self, field: SelectFieldBase, **kwargs: Any) -> Params:
        params = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
        for item, option in zip(params["items"], field, strict=False):
            extra = getattr(option, "choice", None)
            if extra is not None and extra.render_kw:
                merger.merge(item, {**extra.render_kw})
        return _translated_error(params)


class Radios(_Choices, GovRadioInput):
    def __init__(self, heading: bool = True) -> None:
        self.heading = heading


class Checkboxes(_Choices, GovCheckboxesInput):
    def __init__(self, heading: bool = False) -> None:
        self.heading = heading


class Select(GovSelect):
    """A select whose options may carry attributes (for example each language's `lang`)."""

    def __init__(self, heading: bool = False) -> None:
        super().__init__()
        self.heading = heading

    def __call__(self, field: Field, **kwargs: Any) -> Any:
        defaults = {"label": label(field.label.text, self.heading)}
        return super().__call__(field, **_merged(defaults, kwargs))

    def map_gov_params(self, field: SelectFieldBase, **kwargs: Any) -> Params:
        params = super().map_gov_params(field, **kwargs)
        for item, choice in zip(params["items"], field.iter_choices(), strict=False):
            _value, _label, _selected, render_kw = choice  # a 4-tuple, `Choice` in WTForms 3.3
            if render_kw:
                item["attributes"] = dict(render_kw)
        return _translated_error(params)


class CharacterCount(GovCharacterCount):
    """A textarea with GOV.UK's character count, its words translated. The limit is the field's
    `limit` (a form may change it for one page, for example what is left of a whole statement)."""

    def __init__(self, heading: bool = False, rows: int = 8) -> None:
        self.heading = heading
        self.rows = rows

    def __call__(self, field: Field, **kwargs: Any) -> Any:
        limit: int = field.limit  # type: ignore[attr-defined]
        count = "%{count}"
        defaults: Params = {
            "label": label(field.label.text, self.heading),
            "rows": self.rows,
            "maxlength": limit,
            "textareaDescriptionText": _(
                "You can enter up to %(count)s characters", count=f"{limit:,}"
            ),
            "charactersUnderLimitText": {
                "one": _("You have %(count)s character remaining", count=count),
                "other": _("You have %(count)s characters remaining", count=count),
            },
            "charactersAtLimitText": _("You have 0 characters remaining"),
            "charactersOverLimitText": {
                "one": _("You have %(count)s character too many", count=count),
                "other": _("You have %(count)s characters too many", count=count),
            },
        }
        kwargs.setdefault("dir", "auto")
        return super().__call__(field, **_merged(defaults, kwargs))

    def map_gov_params(self, field: Field, **kwargs: Any) -> Params:
        return _translated_error(super().map_gov_params(field, **kwargs))


class DateInput(GovDateInput):
    """Day, month and year, posted as `<name>-day`, `<name>-month` and `<name>-year` (see
    `fields.DateParts`), with translated labels."""

    def __call__(self, field: Field, **kwargs: Any) -> Any:
        wrong = " govuk-input--error" if field.errors else ""
        parts = getattr(field, "parts", ("", "", ""))
        items = [
            {
                "label": text,
                "id": f"{field.name}-{part}",
                "name": f"{field.name}-{part}",
                "classes": f"govuk-input--width-{width}{wrong}",
                "value": value,
            }
            for (part, text, width), value in zip(
                (("day", _("Day"), 2), ("month", _("Month"), 2), ("year", _("Year"), 4)),
                parts,
                strict=True,
            )
        ]
        defaults: Params = {"fieldset": legend(field.label.text, False), "items": items}
        if not field.description:
            defaults["hint"] = None
        return super().__call__(field, **_merged(defaults, kwargs))

    def map_gov_params(self, field: Field, **kwargs: Any) -> Params:
        params = super().map_gov_params(field, **kwargs)
        params.pop("name", None)
        params.pop("value", None)
        return _translated_error(params)
