"""govuk-frontend-wtf's widgets, with the hidden "Error:" before an error message in the page's
language (the library leaves the GOV.UK macro's English default)."""

from __future__ import annotations

from flask_babel import gettext as _
from govuk_frontend_wtf import wtforms_widgets as govuk


class _TranslatedError:
    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if params.get("errorMessage"):
            params["errorMessage"]["visuallyHiddenText"] = _("Error")
        return params


class GovRadioInput(_TranslatedError, govuk.GovRadioInput):
    pass


class GovSelect(_TranslatedError, govuk.GovSelect):
    pass


class GovTextArea(_TranslatedError, govuk.GovTextArea):
    pass


class GovTextInput(_TranslatedError, govuk.GovTextInput):
    pass
