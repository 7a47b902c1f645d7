"""The forms of a referral and of messages. The rules themselves are in referrals.py and
messages.py."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Field, HiddenField
from wtforms.validators import ValidationError

from app.core.forms import add_error
from app.questions.fields import Text, checkboxes, options, radios, select
from app.questions.forms import QuestionForm
from app.victim_requests import messages, referrals, vps

# --- Referrals ----------------------------------------------------------------------------------


class ServiceForm(QuestionForm):
    class Meta:
        csrf = False  # a GET form: it only chooses the next page

    service = radios(_l("Which service?"), [], heading=False)


REFERRAL_ERRORS = {
    "no_contact": _l("Choose at least one way for the service to contact you: e-mail or phone"),
    "not_referable": _l("We cannot refer you to this service. Contact them yourself"),
}


class ReferralForm(QuestionForm):
    """`offered` (what the hub knows of the victim) and `chosen_service` are set by the view."""

    case = select(_l("Which case is this about? (optional)"), [])
    share = checkboxes(
        _l("What can we share with them?"),
        [],
        default=["email"],
        hint=_l(
            "Tick each thing you agree we share. We share nothing else. "
            "Choose at least an e-mail address or a phone number so they can "
            "contact you."
        ),
    )
    needs = Text(
        _l("What would you like help with? (optional)"),
        limit=referrals.MAX_NEEDS,
        rows=5,
        filters=[vps.clean_text],
        description=_l("This is shared with the service if you write something."),
    )
    offered: dict[str, str]
    chosen_service: Any

    def offer(self, offered: dict[str, str], words: dict[str, Any]) -> None:
        self.offered = offered
        self.share.choices = options(
            [
                (
                    field,
                    words[field],
                    {"hint": {"html": Markup("<bdi>{}</bdi>").format(offered[field])}},
                )
                for field in referrals.FIELDS
                if field in offered
            ]
        )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        needs = self.needs.data or ""
        for problem in referrals.check(
            self.chosen_service, self.share.data or [], self.offered, needs
        ):
            if problem.code == "too_long":
                message = _(
                    "What you would like help with can be up to %(limit)s characters",
                    limit=f"{referrals.MAX_NEEDS:,}",
                )
                add_error(self.needs, message)
            else:
                add_error(self.share, str(REFERRAL_ERRORS[problem.code]))
            valid = False
        return valid


# --- Messages -----------------------------------------------------------------------------------


def _message_text(empty: Any) -> Any:
    def check(form: QuestionForm, field: Field) -> None:
        if not field.data:
            raise ValidationError(str(empty))
        if len(field.data) > messages.MAX_LENGTH:
            raise ValidationError(
                _(
                    "Your message can be up to %(limit)s characters",
                    limit=f"{messages.MAX_LENGTH:,}",
                )
            )

    return check


class MessageForm(QuestionForm):
    which = HiddenField(name="form", default="message")
    body = Text(
        _l("Your message"),
        [_message_text(_l("Enter your message"))],
        limit=messages.MAX_LENGTH,
        rows=5,
        filters=[vps.clean_text],
    )


class NotToldForm(QuestionForm):
    which = HiddenField(name="form", default="not_told")
    case = select(_l("Which case? (optional)"), [])
    about = Text(
        _l("What were you not told about?"),
        [_message_text(_l("Tell us what you were not told about"))],
        limit=messages.MAX_LENGTH,
        rows=4,
        filters=[vps.clean_text],
        description=_l("For example: nobody told me the suspect was released on bail."),
    )
