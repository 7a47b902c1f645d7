"""The words of the messages a victim receives. Neutral by design: they never name the crime, the
agency or the case, and name the hub only if the victim said that was safe. Rendered at send time
in the victim's language, so a change of language or preference applies to messages waiting."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.accounts.models import User
from app.accounts.service import external_url


@dataclass(frozen=True)
class Message:
    subject: str
    body: str  # e-mail body
    short: str  # text message (one SMS part where the language allows)


def compose(kind: str, user: User) -> Message:
    lang = user.language if user.language in current_app.config["HUB_LANGUAGES"] else "en"
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


def compose_for_agency(payload: dict) -> Message:
    """The e-mail to an agency's contact address: how many duties need attention and where to
    read them (the partner API), with no case or victim details."""
    count, overdue = payload.get("count", 0), payload.get("overdue", 0)
    if str(payload.get("type", "")).startswith("request."):
        link = external_url("partners.list_requests")
        subject = (_("A hub navigator asks about a victim's request") if payload["type"] ==
                   "request.chase" else _("A victim's request through the hub"))  # fmt: skip
        body = _(
            "A victim has sent a request about one of your cases through the hub, or a request "
            "has changed. Your case system can read it at:\n%(link)s\n\n"
            "This e-mail holds no case or victim details on purpose.",
            link=link,
        )
        return Message(subject=subject, body=body, short=subject)
    link = external_url("partners.get_entitlements")
    subject = _("Victims' Code duties need attention: %(count)d", count=count)
    body = _(
        "%(count)d Victims' Code duties on your cases are due soon or overdue (%(overdue)d "
        "overdue). Your case system can read them at:\n%(link)s\n\n"
        "This e-mail holds no case or victim details on purpose.",
        count=count,
        overdue=overdue,
        link=link,
    )
    return Message(subject=subject, body=body, short=subject)
