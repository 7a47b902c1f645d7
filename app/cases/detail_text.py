"""A milestone's details in plain words, in the reader's language: "Trial at Snaresbrook Crown
Court on Tuesday, 9 March 2027 at 10am", "Found guilty of assault".

Reads what app/cases/details.py stored, but never trusts it to be complete or even valid (events
stored before details were checked hold anything): a value it cannot read is left out, never an
error. Agency free text (court names, charges) is shown as sent, isolated in <bdi> so that a
right-to-left page cannot reorder it; everything else is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from babel.lists import format_list
from flask_babel import format_date, format_time, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.core import vocabulary as v
from app.template_helpers import isolate

HEARING_NAMES = {
    "first_hearing": _l("First hearing"),
    "plea": _l("Plea hearing"),
    "trial": _l("Trial"),
    "sentencing": _l("Sentencing hearing"),
    "bail": _l("Bail hearing"),
    "mention": _l("Short hearing to check progress"),
    "appeal": _l("Appeal hearing"),
    "other": _l("Hearing"),
}
# What a hearing is called when the agency did not say which kind it is.
DEFAULT_HEARING = {
    v.FIRST_HEARING: "first_hearing",
    v.TRIAL_DATE_SET: "trial",
    v.TRIAL_DATE_MOVED: "trial",
}
CONDITIONS = {
    "no_contact": _l("not to contact you"),
    "not_to_enter_area": _l("not to go to an area"),
    "curfew": _l("to stay at home at set times"),
    "residence": _l("to live at a set address"),
    "electronic_tag": _l("to wear an electronic tag"),
    "other": _l("other conditions"),
}
BAIL_OUTCOMES = {
    "bail": _l("Released on bail"),
    "remanded_in_custody": _l("Kept in custody until the next hearing"),
    "warrant_issued": _l("A warrant was issued for their arrest"),
    "warrant_executed": _l("They were arrested on a warrant"),
}
MOVE_REASONS = {
    "court_availability": _l("Why: the court was not available"),
    "defence_request": _l("Why: the defence asked for it to move"),
    "prosecution_request": _l("Why: the prosecution asked for it to move"),
    "witness_unavailable": _l("Why: a witness could not attend"),
    "defendant_unavailable": _l("Why: the defendant could not attend"),
}
PLEAS = {
    "guilty": _l("Pleaded guilty"),
    "not_guilty": _l("Pleaded not guilty"),
    "mixed": _l("Pleaded guilty to some charges and not guilty to others"),
}
VERDICTS = {
    "guilty": _l("Found guilty of %(charge)s"),
    "not_guilty": _l("Found not guilty of %(charge)s"),
    "guilty_plea": _l("Pleaded guilty to %(charge)s"),
    "no_verdict": _l("No verdict on %(charge)s"),
    "discontinued": _l("The charge of %(charge)s was dropped"),
    "left_on_file": _l("The charge of %(charge)s was left on file (no further action for now)"),
}
SENTENCES = {
    "community": _l("Given a community order"),
    "fine": _l("Given a fine"),
    "discharge": _l("Given a discharge"),
    "hospital_order": _l("Given a hospital order"),
}
RELEASES = {
    "licence": _l("Released on licence"),
    "end_of_sentence": _l("Released at the end of their sentence"),
    "temporary": _l("Released for a short time (temporary release)"),
}
APPEALS = {
    "conviction": _l("An appeal against the conviction"),
    "sentence": _l("An appeal against the sentence"),
}
APPEAL_OUTCOMES = {
    "allowed": _l("The appeal was successful"),
    "dismissed": _l("The appeal was turned down"),
    "withdrawn": _l("The appeal was withdrawn"),
    "sentence_increased": _l("The sentence was increased"),
    "sentence_reduced": _l("The sentence was reduced"),
}
DISPOSALS = {
    "caution": _l("They were given a caution"),
    "conditional_caution": _l("They were given a conditional caution"),
    "community_resolution": _l("It was dealt with by a community resolution"),
    "penalty_notice": _l("They were given a penalty notice"),
}
NO_ACTION_REASONS = {
    "insufficient_evidence": _l("Reason: there was not enough evidence"),
    "not_in_public_interest": _l("Reason: going further was not in the public interest"),
    "suspect_not_identified": _l("Reason: no suspect could be identified"),
}
METHODS = {
    "phone": _l("By phone"),
    "letter": _l("By letter"),
    "email": _l("By email"),
    "in_person": _l("In person"),
    "portal": _l("Through this website"),
}


def _say(template: object, **values: object) -> Markup:
    """A translated sentence with its values: Markup values (isolated agency text) kept, anything
    else escaped. The translation itself is trusted, as in templates."""
    return Markup(str(template)) % values  # a translation, like a template's  # noqa: S704  # nosec B704


def _text(value: object) -> Markup | None:
    return isolate(value.strip()) if isinstance(value, str) and value.strip() else None


def _date(value: object) -> str | None:
    try:
        return format_date(dt.date.fromisoformat(str(value)), "full") if value else None
    except ValueError:
        return None


def _time(value: object) -> str | None:
    try:
        when = dt.time.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    if when is None:
        return None
    if get_locale().language != "en":
        return format_time(when, "short")
    # GOV.UK style for English: 10am, 2:30pm, midday, midnight.
    if when.minute == 0 and when.hour in (0, 12):
        return _("midday") if when.hour == 12 else _("midnight")
    hour = when.hour % 12 or 12
    minutes = f":{when.minute:02d}" if when.minute else ""
    return f"{hour}{minutes}{'am' if when.hour < 12 else 'pm'}"


def _list(items: Iterable[Markup | str]) -> Markup:
    """ "a, b and c" as the reader's language says it. Items are escaped first: the CLDR list
    patterns around them are plain text."""
    listed = format_list([escape(item) for item in items], locale=get_locale())
    return Markup(listed)  # escaped items in a CLDR pattern  # noqa: S704  # nosec B704


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def term(months: int) -> str:
    """A sentence's length in years and months, as courts announce it: "2 years 6 months",
    "1 year 6 months", "9 months"."""
    years, rest = divmod(months, 12)
    in_years = ngettext("%(num)d year", "%(num)d years", years)
    in_months = ngettext("%(num)d month", "%(num)d months", rest)
    if years and rest:
        return _("%(years)s %(months)s", years=in_years, months=in_months)
    return in_years if years else in_months


def _hearing(kind: str, detail: Mapping[str, Any], date_key: str = "date") -> Markup | None:
    hearing = detail.get("hearing_type")
    name = HEARING_NAMES.get(
        hearing if isinstance(hearing, str) else DEFAULT_HEARING.get(kind, "other"),
        HEARING_NAMES["other"],
    )
    date, time, court = (
        _date(detail.get(date_key)),
        _time(detail.get("time")),
        _text(detail.get("court")),
    )
    if date and time and court:
        template = _("%(hearing)s at %(court)s on %(date)s at %(time)s")
    elif date and court:
        template = _("%(hearing)s at %(court)s on %(date)s")
    elif date and time:
        template = _("%(hearing)s on %(date)s at %(time)s")
    elif date:
        template = _("%(hearing)s on %(date)s")
    elif court:
        template = _("%(hearing)s at %(court)s")
    else:
        return None
    return _say(template, hearing=name, court=court, date=date, time=time)


def _conditions(detail: Mapping[str, Any], key: str, licence: bool = False) -> Markup | None:
    if key not in detail or not isinstance(detail[key], list):
        return None
    named = [CONDITIONS[c] for c in _strings(detail[key]) if c in CONDITIONS]
    until = _date(detail.get("until"))
    if not named:
        return None if licence else _say(_("No bail conditions"))
    if licence:
        return _say(_("Licence conditions: %(conditions)s"), conditions=_list(named))
    if until:
        return _say(
            _("Bail conditions until %(date)s: %(conditions)s"),
            date=until,
            conditions=_list(named),
        )
    return _say(_("Bail conditions: %(conditions)s"), conditions=_list(named))


def _bail(kind: str, detail: Mapping[str, Any]) -> list[Markup | None]:
    outcome = detail.get("outcome")
    answer = _date(detail.get("answer_date"))
    back = None
    if answer:
        back = _say(
            _("They must go back to court on %(date)s")
            if kind == v.BAIL_OR_WARRANT_OUTCOME
            else _("They must go back to the police on %(date)s"),
            date=answer,
        )
    said = BAIL_OUTCOMES.get(outcome) if isinstance(outcome, str) else None
    return [_say(said) if said else None, _conditions(detail, "conditions"), back]


def _verdict(detail: Mapping[str, Any]) -> list[Markup | None]:
    charges = detail.get("charges")
    lines: list[Markup | None] = []
    for item in charges if isinstance(charges, list) else []:
        if not isinstance(item, Mapping):
            continue
        outcome, charge = item.get("outcome"), _text(item.get("charge"))
        template = VERDICTS.get(outcome) if isinstance(outcome, str) else None
        lines.append(_say(template, charge=charge) if template and charge else None)
    return lines


def _sentence(detail: Mapping[str, Any]) -> list[Markup | None]:
    kind, stored = detail.get("type"), detail.get("months")
    months = stored if isinstance(stored, int) and not isinstance(stored, bool) else 0
    has_term = months > 0
    said: Markup | None
    if kind == "custodial":
        said = (
            _say(_("Sentenced to %(term)s in prison"), term=term(months))
            if has_term
            else _say(_("Sentenced to prison"))
        )
    elif kind == "suspended":
        said = (
            _say(_("Given a suspended prison sentence of %(term)s"), term=term(months))
            if has_term
            else _say(_("Given a suspended prison sentence"))
        )
    else:
        other = SENTENCES.get(kind) if isinstance(kind, str) else None
        said = _say(other) if other else None
    uls = None
    if detail.get("uls_eligible") is True:
        uls = _say(
            _("You can ask for this sentence to be reviewed (Unduly Lenient Sentence scheme)")
        )
    return [said, uls]


def _charges(kind: str, detail: Mapping[str, Any]) -> Markup | None:
    charges = [c for c in (_text(x) for x in _strings(detail.get("charges"))) if c]
    if not charges:
        return None
    template = {
        v.CHARGED: _("Charged with %(charges)s"),
        v.CHARGES_ALTERED: _("The charges are now: %(charges)s"),
    }.get(kind, _("Charges dropped: %(charges)s"))
    return _say(template, charges=_list(charges))


def _pick(table: Mapping[str, object], value: object) -> Markup | None:
    said = table.get(value) if isinstance(value, str) else None
    return _say(said) if said else None


def _lines(kind: str, detail: Mapping[str, Any]) -> list[Markup | None]:
    if kind in (v.HEARING_DETAILS_RECEIVED, v.FIRST_HEARING, v.TRIAL_DATE_SET, v.WITNESS_REQUIRED):
        return [_hearing(kind, detail)]
    if kind == v.TRIAL_DATE_MOVED:
        return [_hearing(kind, detail, "new_date"), _pick(MOVE_REASONS, detail.get("reason"))]
    if kind in (v.RELEASED_ON_BAIL, v.BAIL_CONDITIONS_CHANGED, v.BAIL_OR_WARRANT_OUTCOME):
        return _bail(kind, detail)
    if kind == v.VERDICT:
        return _verdict(detail)
    if kind == v.SENTENCE:
        return _sentence(detail)
    if kind in (v.CHARGED, v.CHARGES_ALTERED, v.CHARGES_DROPPED):
        return [_charges(kind, detail)]
    if kind == v.PLEA:
        return [_pick(PLEAS, detail.get("plea"))]
    if kind == v.APPEAL:
        outcome = detail.get("outcome")
        return [
            _pick(APPEALS, detail.get("against")),
            _pick(APPEAL_OUTCOMES, outcome)
            if outcome
            else _say(_("The appeal has not been decided yet")),
        ]
    if kind == v.OFFENDER_RELEASED:
        return [
            _pick(RELEASES, detail.get("release_type")),
            _conditions(detail, "licence_conditions", licence=True),
        ]
    if kind == v.OUT_OF_COURT_DISPOSAL:
        return [_pick(DISPOSALS, detail.get("disposal"))]
    if kind in (v.NO_FURTHER_ACTION, v.DECISION_NOT_TO_INVESTIGATE):
        return [_pick(NO_ACTION_REASONS, detail.get("reason"))]
    if kind == v.REFERRAL_OFFERED:
        service = _text(detail.get("service"))
        return [_say(_("Support service: %(service)s"), service=service) if service else None]
    if kind in (v.VLO_CONTACT_MADE, v.INFORMATION_DELIVERED):
        return [_pick(METHODS, detail.get("method"))]
    return []


def describe(milestone: Any) -> list[Markup]:
    """A milestone's details (anything with `type` and `detail`) as short sentences, each to be
    shown on its own line; empty when there is nothing to say."""
    detail = getattr(milestone, "detail", None)
    if not isinstance(detail, Mapping) or not detail:
        return []
    return [line for line in _lines(str(milestone.type), detail) if line]
