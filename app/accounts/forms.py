"""Account forms. Messages are lazily translated; passwords are never sent back to the page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)

# types-WTForms (3.2) predates SelectChoice (WTForms 3.3).
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import Email, InputRequired, Length, ValidationError

from app.accounts import passwords

PASSWORD_PROBLEMS = {
    "too_short": _l("Your password must be at least 12 characters long"),
    "too_long": _l("Your password must be 256 characters or fewer"),
    "common": _l("That password is too common and easy to guess. Choose a different one"),
    "contains_email": _l("Your password must not contain your e-mail address"),
}


class NewPassword:
    """Length and common-password rules for a password being chosen (NCSC guidance)."""

    def __call__(self, form: FlaskForm, field: PasswordField) -> None:
        email = form.email.data if hasattr(form, "email") else ""
        problem = passwords.problem_with(field.data or "", email=email or "")
        if problem:
            raise ValidationError(PASSWORD_PROBLEMS[problem])


def email_field(label=None, required=None) -> StringField:
    return StringField(
        label or _l("E-mail address"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=required or _l("Enter your e-mail address")),
            Length(max=320, message=_l("Your e-mail address must be 320 characters or fewer")),
            Email(
                message=_l("Enter an e-mail address in the correct format, like name@example.com"),
                check_deliverability=False,
            ),
        ],
    )


def new_password_field(label=None, required=None) -> PasswordField:
    """A password being chosen: the same rules and hint wherever one is set."""
    return PasswordField(
        label or _l("New password"),
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message=required or _l("Enter a new password")),
            NewPassword(),
        ],
        description=_l("At least 12 characters. A few random words together work well."),
    )


class SignUpForm(FlaskForm):
    email = email_field()
    password = new_password_field(_l("Create a password"), _l("Enter a password"))
    submit = SubmitField(_l("Create account"), widget=GovSubmitInput())


class SignInForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        validators=[InputRequired(message=_l("Enter your password"))],
    )
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter the code")),
            Length(max=20, message=_l("The code must be 20 characters or fewer")),
        ],
        description=_l(
            "The 6-digit code from your authenticator app, or one of your recovery codes."
        ),
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Send me a link"), widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    password = new_password_field()
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A form with only a button (and its CSRF token): sign out, sign out everywhere."""

    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


DAYS = [
    SelectChoice("mon", _l("Monday")),
    SelectChoice("tue", _l("Tuesday")),
    SelectChoice("wed", _l("Wednesday")),
    SelectChoice("thu", _l("Thursday")),
    SelectChoice("fri", _l("Friday")),
    SelectChoice("sat", _l("Saturday")),
    SelectChoice("sun", _l("Sunday")),
]
HOURS = [SelectChoice(f"{h:02d}:00", f"{h:02d}:00") for h in range(24)]
# "Until" runs to midnight: 24:00 is the end of the day, so a whole day can be chosen.
UNTIL_HOURS = [*HOURS[1:], SelectChoice("24:00", "24:00")]


class ProfileForm(FlaskForm):
    preferred_name = StringField(
        _l("What should we call you? (optional)"),
        widget=GovTextInput(),
        validators=[Length(max=100, message=_l("Your name must be 100 characters or fewer"))],
    )
    language = SelectField(_l("Language for messages"), widget=GovSelect())
    contact_channel = RadioField(
        _l("How may we contact you about your case?"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("email", _l("E-mail")),
            SelectChoice("sms", _l("Text message")),
            SelectChoice("none", _l("Do not contact me: I will check my account")),
        ],
        validators=[InputRequired(message=_l("Choose how we may contact you"))],
    )
    phone = StringField(
        _l("Mobile phone number"),
        widget=GovTextInput(),
        description=_l("Only if you chose text messages. For example, 07700 900 982"),
        validators=[Length(max=32, message=_l("The phone number must be 32 characters or fewer"))],
    )
    safe_days = SelectMultipleField(
        _l("On which days is it safe to contact you?"),
        widget=GovCheckboxesInput(),
        choices=DAYS,
        validators=[InputRequired(message=_l("Choose at least one day"))],
    )
    safe_from = SelectField(_l("From"), widget=GovSelect(), choices=HOURS)
    safe_to = SelectField(_l("Until"), widget=GovSelect(), choices=UNTIL_HOURS)
    may_name_hub = RadioField(
        _l("May our messages say they come from Victim Care Hub?"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("no", _l("No: messages should not name the service")),
            SelectChoice("yes", _l("Yes")),
        ],
        validators=[InputRequired(message=_l("Choose whether messages may name the service"))],
    )
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def validate_phone(self, field: StringField) -> None:
        if self.contact_channel.data != "sms":
            return
        digits = "".join(ch for ch in field.data or "" if ch.isdigit() or ch == "+")
        if not digits:
            raise ValidationError(_l("Enter a mobile phone number for text messages"))
        if not (digits.startswith(("07", "+447", "447")) and 11 <= len(digits.lstrip("+")) <= 12):
            raise ValidationError(
                _l("Enter a UK mobile phone number, like 07700 900 982 or +44 7700 900 982")
            )

    def validate_safe_to(self, field: SelectField) -> None:
        if self.safe_from.data and field.data and field.data <= self.safe_from.data:
            raise ValidationError(_l("The end of the safe time must be after its start"))


class ReauthenticateForm(FlaskForm):
    """Asked again before showing or deleting everything we hold."""

    secret = PasswordField(
        _l("Code or password"),
        widget=GovPasswordInput(),
        validators=[InputRequired(message=_l("Enter your code or password"))],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class DeleteAccountForm(FlaskForm):
    confirm = RadioField(
        _l("Are you sure you want to delete your account?"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("yes", _l("Yes, delete my account")),
            SelectChoice("no", _l("No, keep my account")),
        ],
        validators=[InputRequired(message=_l("Choose yes or no"))],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


RIGHT_LABELS = {
    "see_updates": _l("See updates about my case"),
    "make_requests": _l("Make requests for me, like asking for a review"),
    "send_messages": _l("Send and read messages for me"),
}


class TrustedPersonForm(FlaskForm):
    name = StringField(
        _l("Their name"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter their name")),
            Length(max=100, message=_l("Their name must be 100 characters or fewer")),
        ],
    )
    email = email_field(_l("Their e-mail address"), _l("Enter their e-mail address"))
    rights = SelectMultipleField(
        _l("What may they do?"),
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(key, label) for key, label in RIGHT_LABELS.items()],
        validators=[InputRequired(message=_l("Choose at least one thing they may do"))],
        description=_l("They can never change your sign-in details or delete your account."),
    )
    submit = SubmitField(_l("Send invitation"), widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        widget=GovPasswordInput(),
        validators=[InputRequired(message=_l("Enter your current password"))],
    )
    password = new_password_field()
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())
