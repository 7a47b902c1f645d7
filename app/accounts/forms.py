"""Account forms. Messages are lazily translated; passwords are never sent back to the page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from . import passwords

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


def email_field() -> StringField:
    return StringField(
        _l("E-mail address"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter your e-mail address")),
            Length(max=320, message=_l("Your e-mail address must be 320 characters or fewer")),
            Email(
                message=_l("Enter an e-mail address in the correct format, like name@example.com"),
                check_deliverability=False,
            ),
        ],
    )


class SignUpForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Create a password"),
        widget=GovPasswordInput(),
        validators=[InputRequired(message=_l("Enter a password")), NewPassword()],
        description=_l("At least 12 characters. A few random words together work well."),
    )
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
    password = PasswordField(
        _l("New password"),
        widget=GovPasswordInput(),
        validators=[InputRequired(message=_l("Enter a new password")), NewPassword()],
        description=_l("At least 12 characters. A few random words together work well."),
    )
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A form with only a button (and its CSRF token): sign out, sign out everywhere."""

    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())
