"""The anonymous rights checker at /check-your-rights: a few questions, one per page, then the
rights and time limits that apply, on a page and as a PDF.

Private by design: the answers travel only in form posts (never in the URL, so they are not in the
browser's history or any server log), nothing is stored, no cookie is set, and the answer pages
are never cached (`Cache-Control: no-store`). Posting needs no CSRF token because nothing is
changed or kept: a forged post could only show someone their own answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask import Response, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.accounts.policy import public
from app.cases.rights_labels import RIGHTS as RIGHTS_TEXT
from app.core.time import utcnow
from app.entitlements import checker
from app.entitlements.service import rules
from app.extensions import csrf, limiter
from app.guidance import bp
from app.guidance.labels import RIGHTS
from app.i18n import localized_route
from app.questions.fields import DateParts, PastDate, checkboxes, radios
from app.questions.flow import Flow, Step, carried
from app.questions.forms import QuestionForm

ROUTE = "/check-your-rights"
# The order of the questions; "stage" and "when" depend on earlier answers.
STEPS = ("crime", "reported", "stage", "under_18", "needs", "when")
FIELDS = (
    "crime",
    "reported",
    "stage",
    "under_18",
    "vulnerable",
    "intimidated",
    "targeted",
    "incident_date",
    "decision_date",
    "crown_court",
)

CRIME_CHOICES = {
    "violent": _l("Violence or a threat of violence, including robbery"),
    "sexual": _l("A sexual offence"),
    "domestic": _l("Domestic abuse"),
    "hate": _l("A hate crime (because of who you are)"),
    "bereaved": _l("Someone close to me died because of a crime"),
    "property": _l("Burglary, theft or damage to property"),
    "fraud": _l("Fraud or a scam"),
    "other": _l("Something else"),
}
STAGE_CHOICES = {
    "investigating": _l("The police are investigating"),
    "no_further_action": _l("The police decided to take no further action"),
    "charged": _l("Someone has been charged"),
    "cps_stopped": _l("The CPS stopped the case or dropped the charges"),
    "sentenced": _l("Someone has been sentenced"),
}
REASON_TEXT = {
    "most_serious": _l("You are the victim of one of the most serious crimes"),
    "under_18": _l("You were under 18 at the time"),
    "vulnerable": _l("You have a disability or a mental health condition"),
    "intimidated": _l("You are scared to give evidence or for your safety"),
    "targeted": _l("You have been targeted again and again"),
}
ERRORS = {
    "crime": _l("Choose what happened"),
    "reported": _l("Choose yes if you have told the police"),
    "stage": _l("Choose what has happened so far"),
    "under_18": _l("Choose yes if you were under 18 at the time"),
    "incident_date": _l("Enter a real date in the past, like 27 3 2026, or leave it empty"),
    "decision_date": _l("Enter a real date in the past, like 27 3 2026, or leave it empty"),
}
TIME_LIMITS = {
    "r5-cica-window": _l("Apply for criminal injuries compensation"),
    "r5-cica-window-child": _l("Apply for criminal injuries compensation"),
    "r6-vrr-cps-prompt": _l("Ask the CPS to look again at its decision, for a quick review"),
    "r6-vrr-cps-window": _l("Ask the CPS to look again at its decision"),
    "r6-vrr-police-window": _l("Ask the police to look again at their decision"),
    "r9-uls-window": _l("Ask for the sentence to be reviewed if you think it is too low"),
}
CONDITIONS = {"suspect_interviewed": _l("Only if someone was interviewed under caution.")}


YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]
NEEDS = {
    "vulnerable": _l("I have a disability or a mental health condition"),
    "intimidated": _l("I am scared to give evidence, or scared for my safety"),
    "targeted": _l("I have been targeted again and again"),
}


class _Question(QuestionForm):
    class Meta:
        csrf = False  # nothing is kept or changed, and no cookie is set


class CrimeForm(_Question):
    crime = radios(
        _l("What happened?"),
        list(CRIME_CHOICES.items()),
        ERRORS["crime"],
        hint=_l("Choose the one that fits best."),
    )


class ReportedForm(_Question):
    reported = radios(
        _l("Have you told the police?"),
        [("yes", _l("Yes")), ("no", _l("No, or not yet"))],
        ERRORS["reported"],
    )


class StageForm(_Question):
    stage = radios(
        _l("What has happened so far?"),
        list(STAGE_CHOICES.items()),
        ERRORS["stage"],
        hint=_l("Choose the latest thing you know about."),
    )


class Under18Form(_Question):
    under_18 = radios(_l("Were you under 18 when it happened?"), YES_NO, ERRORS["under_18"])


class NeedsForm(_Question):
    needs = checkboxes(
        _l("Do any of these apply to you?"),
        list(NEEDS.items()),
        heading=True,
        hint=_l(
            "Select all that apply, or none. This helps us tell you if you have extra support."
        ),
    )

    def prepare(self) -> None:
        if self.needs.raw_data is None:  # shown, not posted: as answered before
            self.needs.data = [name for name in NEEDS if self.answers.get(name) == "yes"]

    def values(self) -> dict[str, str]:
        ticked = set(self.needs.data or ())  # unticked boxes send nothing: record the "no"
        return {name: "yes" if name in ticked else "no" for name in NEEDS}


def _today() -> dt.date:
    return utcnow().date()


class WhenForm(_Question):
    title = _l("Dates, if you know them")
    heading = True
    incident_date = DateParts(
        _l("When did it happen?"),
        [PastDate(_today, ERRORS["incident_date"])],
        message=ERRORS["incident_date"],
        description=_l("For example, 27 3 2026"),
    )
    decision_date = DateParts(
        _l("When were you told about the latest decision?"),
        [PastDate(_today, ERRORS["decision_date"])],
        message=ERRORS["decision_date"],
        description=_l(
            "The decision to take no further action, to charge, to stop the case, or "
            "the sentence. For example, 27 3 2026"
        ),
    )
    crown_court = radios(
        _l("Was the sentence given in the Crown Court?"),
        [*YES_NO, ("unknown", _l("I do not know"))],
        heading=False,
    )


def _next_step(answers: Mapping[str, str]) -> str | None:
    for step in STEPS:
        if step == "stage" and answers.get("reported") != "yes":
            continue
        if step == "needs" and answers.get("vulnerable"):
            continue
        if step not in ("needs", "when") and not answers.get(step):
            return step
        if step in ("needs", "when") and not answers.get("_seen_" + step):
            return step
    return None


_DATED = ("no_further_action", "cps_stopped", "charged", "sentenced")  # a decision date is asked
FORMS = {
    "crime": CrimeForm,
    "reported": ReportedForm,
    "stage": StageForm,
    "under_18": Under18Form,
    "needs": NeedsForm,
    "when": WhenForm,
}
FLOW = Flow(
    "guidance.rights_checker",
    "guidance/checker.html",
    [Step(step, FORMS[step], next=_next_step) for step in STEPS],
    check=None,
)


@localized_route(bp, ROUTE, methods=["GET", "POST"])
@csrf.exempt
@limiter.limit("120 per minute", methods=["POST"])
@public
def rights_checker(lang: str):
    if request.method == "GET":
        return _private(render_template("guidance/checker_start.html"))
    step, answers = carried(FIELDS, STEPS)
    today = utcnow().date()
    return _private(
        FLOW.carry(
            step, answers, done=lambda seen: _results(seen, today), context={"dated": _DATED}
        )
    )


def _evaluate(answers: dict[str, str], today: dt.date) -> tuple[checker.Answers, checker.Result]:
    try:
        parsed = checker.Answers.parse(answers, today)
    except checker.BadAnswer:
        abort(400)
    return parsed, checker.check(parsed, rules(), utcnow())


def _results(answers: dict[str, str], today: dt.date, *, pdf: bool = False):
    parsed, result = _evaluate(answers, today)
    context = {
        "answers": answers,
        "parsed": parsed,
        "result": result,
        "rights": RIGHTS,
        "reasons": REASON_TEXT,
        "time_limits": TIME_LIMITS,
        "conditions": CONDITIONS,
        "crime_choices": CRIME_CHOICES,
        "stage_choices": STAGE_CHOICES,
        "pdf": pdf,
        "fields": FIELDS,
        "rights_text": RIGHTS_TEXT,
        "describe": describe_deadline,
    }
    html = render_template("guidance/checker_results.html", **context)
    if not pdf:
        return html
    from app.documents.pdf import render_pdf  # WeasyPrint is slow to import: only when asked

    response = Response(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="your-rights.pdf"'
    return response


@localized_route(bp, ROUTE + "/pdf", methods=["POST"])
@csrf.exempt
@limiter.limit("30 per minute")
@public
def rights_checker_pdf(lang: str):
    return _private(_results(carried(FIELDS)[1], utcnow().date(), pdf=True))


def _private(body) -> Response:
    response = current_app.make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def describe_deadline(text: str) -> str:
    """'28 calendar days' -> translated words with the right plural form for the number."""
    amount, _space, unit = text.partition(" ")
    if not amount.isdigit():
        return text
    n = int(amount)
    first = unit.split(" ")[0]
    if first == "working":
        return ngettext("%(num)d working day", "%(num)d working days", n)
    if first in ("calendar", "day", "days"):
        return ngettext("%(num)d day", "%(num)d days", n)
    if first in ("month", "months"):
        return ngettext("%(num)d month", "%(num)d months", n)
    if first in ("year", "years"):
        return ngettext("%(num)d year", "%(num)d years", n)
    return text
