"""The anonymous rights checker at /check-your-rights: a few questions, one per page, then the
rights and time limits that apply, on a page and as a PDF.

Private by design: the answers travel only in form posts (never in the URL, so they are not in the
browser's history or any server log), nothing is stored, no cookie is set, and the answer pages
are never cached (`Cache-Control: no-store`). Posting needs no CSRF token because nothing is
changed or kept: a forged post could only show someone their own answers."""

from __future__ import annotations

import datetime as dt

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

ROUTE = "/check-your-rights"
# The order of the questions; "stage" and "when" depend on earlier answers.
STEPS = ("crime", "reported", "stage", "under_18", "needs", "when")
FIELDS = ("crime", "reported", "stage", "under_18", "vulnerable", "intimidated", "targeted",
          "incident_date", "decision_date", "crown_court")  # fmt: skip

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


def _answers() -> dict[str, str]:
    """Earlier answers, carried in hidden fields; dates typed as day, month and year."""
    got = {name: request.form.get(name, "").strip()[:20] for name in FIELDS}
    for name in ("incident_date", "decision_date"):
        parts = [request.form.get(f"{name}-{p}", "").strip() for p in ("day", "month", "year")]
        if any(parts):
            got[name] = _iso(*parts)
    if request.form.get("step") == "needs":  # unticked boxes send nothing: record the "no"
        ticked = set(request.form.getlist("needs"))
        for name in ("vulnerable", "intimidated", "targeted"):
            got[name] = "yes" if name in ticked else "no"
    return got


def _iso(day: str, month: str, year: str) -> str:
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return f"invalid:{day}-{month}-{year}"[:20]


def _next_step(answers: dict[str, str]) -> str | None:
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


OWNED = {"crime": ("crime",), "reported": ("reported",), "stage": ("stage",),
         "under_18": ("under_18",), "when": ("incident_date", "decision_date")}  # fmt: skip


def _error_for(step: str, answers: dict[str, str], today: dt.date) -> str | None:
    """The field of this step that is missing or wrong, if any (later steps are not asked yet,
    so harmless stand-ins fill them)."""
    data = {**_defaults(), **{k: v for k, v in answers.items() if v}}
    for name in OWNED.get(step, ()):
        data[name] = answers.get(name) or ""
    if step == "when":
        data["stage"] = answers.get("stage") or "investigating"
        data["reported"] = "yes"
    try:
        checker.Answers.parse(data, today)
    except checker.BadAnswer as problem:
        if problem.field in OWNED.get(step, ()):
            return problem.field
    return None


def _defaults() -> dict[str, str]:
    # Fill answers not asked yet with harmless values, so one step can be checked on its own.
    return {"crime": "other", "reported": "no", "under_18": "no", "stage": "investigating"}


@localized_route(bp, ROUTE, methods=["GET", "POST"])
@csrf.exempt
@limiter.limit("120 per minute", methods=["POST"])
@public
def rights_checker(lang: str):
    if request.method == "GET":
        return _private(render_template("guidance/checker.html", step="start", answers={}))
    answers = _answers()
    step = request.form.get("step", "")
    today = utcnow().date()
    seen = {name: answers.get(name) for name in FIELDS}
    for done in ("needs", "when"):
        if request.form.get(f"_seen_{done}") or step == done:
            seen["_seen_" + done] = "yes"
    if step in STEPS:
        error = _error_for(step, seen, today)
        if error:
            return _private(render_template("guidance/checker.html", step=step, answers=seen,
                                            error=error, errors=ERRORS, choices=_choices()),
                            400)  # fmt: skip
    following = _next_step(seen)
    if following is not None:
        return _private(render_template("guidance/checker.html", step=following, answers=seen,
                                        errors=ERRORS, choices=_choices()))  # fmt: skip
    return _results(seen, today)


def _choices() -> dict:
    return {"crime": CRIME_CHOICES, "stage": STAGE_CHOICES}


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
        return _private(html)
    from app.documents.pdf import render_pdf  # WeasyPrint is slow to import: only when asked

    response = Response(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="your-rights.pdf"'
    return _private(response)


@localized_route(bp, ROUTE + "/pdf", methods=["POST"])
@csrf.exempt
@limiter.limit("30 per minute")
@public
def rights_checker_pdf(lang: str):
    return _results({name: request.form.get(name, "")[:20] for name in FIELDS},
                    utcnow().date(), pdf=True)  # fmt: skip


def _private(body, status: int = 200) -> Response:
    response = body if isinstance(body, Response) else current_app.make_response((body, status))
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
