"""Linking a case to an account."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSubmitInput, GovTextInput
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import InputRequired, Length


class DayMonthYearField(DateField):
    """A date from GOV.UK's three boxes, with our own message for anything that is not a date
    (and no crash when a box is missing from the request)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        # Always three parts: the GOV.UK widget shows the form again from them (a request with
        # none of the boxes, which no browser sends, would otherwise make it raise).
        parts = [*valuelist, "", "", ""][:3]
        if not any(v.strip() for v in parts):
            self.raw_data = parts
            return  # InputRequired says what to do
        try:
            self.data = dt.datetime.strptime(" ".join(p.strip() for p in parts), "%d %m %Y").date()
        except ValueError as exc:
            self.raw_data = parts
            self.data = None
            raise ValueError(_l("Enter a real date, like 27 3 1985")) from exc


class LinkCaseForm(FlaskForm):
    reference = StringField(
        _l("Reference"),
        widget=GovTextInput(),
        description=_l("It starts with HUB-, for example HUB-7KP2QX"),
        validators=[
            InputRequired(message=_l("Enter the reference")),
            Length(max=12, message=_l("The reference must be 12 characters or fewer")),
        ],
    )
    code = StringField(
        _l("Code"),
        widget=GovTextInput(),
        description=_l("10 letters and numbers"),
        validators=[
            InputRequired(message=_l("Enter the code")),
            Length(max=20, message=_l("The code must be 20 characters or fewer")),
        ],
    )
    date_of_birth = DayMonthYearField(
        _l("Your date of birth"),
        widget=GovDateInput(),
        format="%d %m %Y",
        description=_l("For example, 27 3 1985"),
        validators=[InputRequired(message=_l("Enter your date of birth"))],
    )
    submit = SubmitField(_l("Link this case"), widget=GovSubmitInput())
