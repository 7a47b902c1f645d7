"""The words of the messages a victim receives. Neutral by design: they never name the crime, the
agency or the case, and name the hub only if the victim said that was safe. Rendered at send time
in the victim's language, so a change of language or preference applies to messages waiting."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.accounts import tokens
from app.accounts.models import User
from app.accounts.service import ACCOUNT_EXISTS, CONFIRM_EMAIL, PASSWORD_RESET, external_url
from app.notify.messages import Message


def _language(user: User) -> str:
    return user.language if user.language in current_app.config["HUB_LANGUAGES"] else "en"


def compose(kind: str, user: User) -> Message:
    lang = _language(user)
    with force_locale(lang):
        link = external_url("accounts.sign_in", lang=lang)
        named = user.may_name_hub
        # The subject is all a watched phone's lock screen shows: the hub is named only if the
        # victim said that was safe.
        update = (
            _("You have a new update on the Victim Care Hub")
            if named
            else _("You have a new update")
        )
        if kind == "critical_update":
            subject = (
                _("Important: please sign in to the Victim Care Hub today")
                if named
                else _("Important: please sign in today")
            )
            body = _(
                "There is an important update for you. Please sign in today to read it and "
                "to tell us you have seen it:\n%(link)s\n\n"
                "If we do not hear from you, someone from our team will try to contact you at "
                "the times you said are safe.",
                link=link,
            )
            short = _("Important update. Please sign in today: %(link)s", link=link)
        elif kind == "time_limit":
            subject = update
            body = _(
                "There is a time limit on something you can choose to do. Sign in to see what "
                "it is and by when:\n%(link)s",
                link=link,
            )
            short = _("There is a time limit on something you can do. Sign in: %(link)s", link=link)
        else:
            subject = update
            body = _("There is something new for you. Sign in to see it:\n%(link)s", link=link)
            short = _("You have a new update. Sign in to see it: %(link)s", link=link)
        footer = _("You can change how and when we contact you after signing in.")
        return Message(subject=subject, body=f"{body}\n\n{footer}", short=short)


def compose_account(kind: str, user: User) -> Message:
    """E-mails about the account itself. Anyone can ask for one to be sent to an address (a reset
    link, "this address already has an account"), so they are as neutral as the updates: the
    hub is named only if the account holder said that was safe. Links are made now, at send
    time, so a reset link's hour starts when it is sent."""
    lang = _language(user)
    with force_locale(lang):
        named = user.may_name_hub
        if kind == CONFIRM_EMAIL:
            token = tokens.confirm_token(user)
            link = external_url("accounts.confirm_email", token=token, lang=lang)
            subject = _("Confirm your e-mail address")
            body = _(
                "To finish creating your account, open this link within 3 days:\n\n%(link)s\n\n"
                "If you did not ask for an account, you do not need to do anything.",
                link=link,
            )
        elif kind == PASSWORD_RESET:
            token = tokens.reset_token(user)
            link = external_url("accounts.reset_password", token=token, lang=lang)
            subject = (
                _("Reset your Victim Care Hub password") if named else _("Reset your password")
            )
            body = _(
                "To choose a new password, open this link within 1 hour:\n\n%(link)s\n\n"
                "If you did not ask for this, you do not need to do anything: your password has "
                "not changed.",
                link=link,
            )
        elif kind == ACCOUNT_EXISTS:
            subject = _("Your Victim Care Hub account") if named else _("Your account")
            body = _(
                "Someone asked to create an account with this e-mail address, but it already has "
                "one. If it was you, sign in or reset your password here: %(link)s\n\n"
                "If it was not you, you do not need to do anything.",
                link=external_url("accounts.forgot_password", lang=lang),
            )
        else:
            raise ValueError(f"no account e-mail of kind {kind!r}")
        return Message(subject=subject, body=body, short=subject)
