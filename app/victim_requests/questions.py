"""The words of the request pages: questions, hints, choices and error messages, translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString

from app.victim_requests.vps import MAX_CHARACTERS, Problem

# Each VPS page: (question, hint). Text pages say the victim may leave them empty.
STATEMENT_PAGES = {
    "new-or-update": (_l("Are you making a new statement or updating one?"), None),
    "physical": (
        _l("How has the crime affected you physically?"),
        _l("For example injuries, pain, sleep or your health. Leave this empty if you prefer."),
    ),
    "emotional": (
        _l("How has it affected you emotionally or mentally?"),
        _l("For example fear, anxiety, anger, or how you feel at home or going out."),
    ),
    "financial": (
        _l("How has it affected you financially?"),
        _l("For example lost earnings, costs of repairs, moving or travel."),
    ),
    "family": (
        _l("How has it affected your family or the people around you?"),
        _l("For example children, a partner, friends, or your work or studies."),
    ),
    "concerns": (
        _l("Do you have any worries about bail, release or your safety?"),
        _l("The court can take these into account. Leave this empty if you have none."),
    ),
    "reading": (_l("How would you like your statement used in court?"), None),
    "court-support": (
        _l("Is there any support you need at court?"),
        _l("For example a separate waiting room, a screen, or someone with you."),
    ),
    "language": (_l("Your language"), None),
}
KIND_CHOICES = {
    "make": _l("I am making a statement for the first time"),
    "update": _l("I am updating a statement I made before"),
}
READING_CHOICES = {
    "self": _l("I would like to read it aloud in court myself"),
    "someone_else": _l("I would like someone else to read it aloud, for example the prosecutor"),
    "not_read": _l("I do not want it read aloud. The court can read it"),
    "undecided": _l("I have not decided yet"),
}
YES_NO = {"yes": _l("Yes"), "no": _l("No")}
CONTACT_CHOICES = {
    "account": _l("Through my Victim Care Hub account"),
    "email": _l("By e-mail"),
    "phone": _l("By phone"),
}
DECISIONS = {
    "no_further_action": _l("The police decided not to charge the suspect"),
    "charges_dropped": _l("The CPS stopped the case or dropped the charges"),
}


def decision_words(decision: str | None) -> LazyString | None:
    """The decision under review in the words the victim chose it by (None if unknown)."""
    return DECISIONS.get(decision) if decision else None


SCHEMES = {
    "police": _l("The police review their decision"),
    "cps": _l("The CPS reviews its decision"),
}
REFERRAL_FIELDS = {
    "name": _l("Your name"),
    "email": _l("Your e-mail address"),
    "phone": _l("Your phone number"),
    "language": _l("Your language"),
    "safe_times": _l("When it is safe to contact you"),
    "crime_type": _l("The type of crime (from the case you choose)"),
    "needs": _l("What you would like help with"),
}

_CHOOSE = {
    "kind": _l("Choose whether you are making a new statement or updating one"),
    "reading": _l("Choose how you would like your statement used in court"),
    "statement_language": _l("Choose the language of your statement"),
    "interpreter": _l("Choose yes if you need an interpreter at court"),
    "contact": _l("Choose how you would like to hear back"),
}


def problem_text(problem: Problem) -> str:
    if problem.code == "too_long":
        return ngettext(
            "Your statement is %(num)d character too long. It can be up to %(limit)s characters "
            "in all, across every part",
            "Your statement is %(num)d characters too long. It can be up to %(limit)s characters "
            "in all, across every part",
            problem.count,
            limit=f"{MAX_CHARACTERS:,}",
        )
    if problem.code == "empty":
        return str(
            _l("Tell us how the crime has affected you in at least one part of your statement")
        )
    if problem.code == "reasons_empty":
        return str(_l("Tell us why you think the decision was wrong"))
    if problem.code == "reasons_too_long":
        return ngettext(
            "Your reasons are %(num)d character too long. They can be up to %(limit)s characters",
            "Your reasons are %(num)d characters too long. They can be up to %(limit)s characters",
            problem.count,
            limit=f"{MAX_CHARACTERS:,}",
        )
    return str(_CHOOSE.get(problem.field, _l("Check this answer")))
