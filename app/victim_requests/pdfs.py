"""The two documents a victim sends through the hub, as PDFs in the victim's language: a Victim
Personal Statement (made or updated) and a Victims' Right to Review request letter.

The labels are translated (gettext, under `force_locale` of the document's language); the
victim's own words are printed exactly as typed, each block isolated (`dir="auto"`) so a statement
in one direction reads right in a document in the other. Rendering needs a Flask app context, as
Flask-Babel keeps the locale and translations there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.documents.pdf import render_pdf
from app.languages import DEFAULT, KNOWN
from app.victim_requests.questions import decision_words  # the words the victim chose it by

LONDON = ZoneInfo("Europe/London")

# The parts of the statement, in the order they are printed, with their headings.
STATEMENT_SECTIONS = (
    ("effects_physical", _l("How the crime has affected me physically")),
    ("effects_emotional", _l("How the crime has affected me emotionally and mentally")),
    ("effects_financial", _l("How the crime has affected me financially")),
    ("effects_family", _l("How the crime has affected my family and the people around me")),
    ("concerns", _l("My worries about bail, the offender being released, or my safety")),
)
READING_CHOICES = {
    "self": _l("I would like to read my statement aloud in court myself."),
    "someone_else": _l(
        "I would like someone else, for example the prosecutor, to read my statement in court."
    ),
    "not_read": _l("I do not want my statement read aloud. The court can read it."),
    "undecided": _l("I have not decided yet whether my statement should be read aloud."),
}
INTERPRETER = {
    "yes": _l("I need an interpreter at court."),
    "no": _l("I do not need an interpreter at court."),
}
SUBTITLES = {
    "police": _l("Victims' Right to Review – police decision not to charge"),
    "cps": _l("Victims' Right to Review – CPS decision to stop the case"),
}


@dataclass(frozen=True)
class StatementDocument:
    reference: str  # the hub's reference for the request, e.g. "VPS-3KX7QP2M"
    kind: str  # "make" | "update"
    case_reference: str  # the agency's case reference
    agency_name: str  # where it is sent (the police force / Witness Care Unit)
    victim_name: str
    submitted_at: datetime  # aware; shown as a date in Europe/London in the document language
    language: str  # document language code: en, cy, ar, ur, pl, ro, bn, so, pt, tr
    answers: Mapping[str, str]  # see STATEMENT_SECTIONS etc.; missing/empty keys are left out


@dataclass(frozen=True)
class ReviewDocument:
    reference: str  # e.g. "VRR-8JD2KQ4P"
    scheme: str  # "police" | "cps"
    case_reference: str
    agency_name: str
    victim_name: str
    decision: str  # milestone type: "no_further_action" | "charges_dropped"
    decision_date: date | None
    prompt_deadline: datetime | None  # CPS only: ask within this for a prompt review
    last_deadline: datetime | None  # the end of the window
    reasons: str  # the victim's reasons, as typed
    contact: str  # how the victim wants to hear back, already in words (may be "")
    submitted_at: datetime
    language: str


def statement_pdf(document: StatementDocument) -> bytes:
    return render_pdf(statement_html(document))


def review_pdf(document: ReviewDocument) -> bytes:
    return render_pdf(review_html(document))


def statement_html(document: StatementDocument) -> str:
    """The statement as the self-contained HTML WeasyPrint renders."""
    code = _language(document.language)
    with force_locale(_locale(code)):
        answers = document.answers or {}
        sections = [(heading, _paragraphs(answers.get(key))) for key, heading in STATEMENT_SECTIONS]
        statement_language = _text(answers.get("statement_language"))
        return render_template(
            "documents/statement.html",
            doc=document,
            language=KNOWN[code],
            direction=direction,
            page_label=_page_label(),
            submitted=_day(document.submitted_at),
            sections=[(heading, paras) for heading, paras in sections if paras],
            reading=READING_CHOICES.get(_text(answers.get("reading"))),
            court_support=_paragraphs(answers.get("court_support")),
            statement_language=_language_name(statement_language, code),
            interpreter=INTERPRETER.get(_text(answers.get("interpreter"))),
        )


def review_html(document: ReviewDocument) -> str:
    """The review request letter as the self-contained HTML WeasyPrint renders."""
    code = _language(document.language)
    with force_locale(_locale(code)):
        return render_template(
            "documents/review_request.html",
            doc=document,
            language=KNOWN[code],
            direction=direction,
            page_label=_page_label(),
            subtitle=SUBTITLES.get(document.scheme, _l("Victims' Right to Review")),
            submitted=_day(document.submitted_at),
            decision=decision_words(document.decision),
            decision_date=_day(document.decision_date),
            prompt_deadline=_day(document.prompt_deadline) if document.scheme == "cps" else None,
            last_deadline=_day(document.last_deadline),
            reasons=_paragraphs(document.reasons),
            contact=_text(document.contact),
        )


def direction(text: str) -> str:
    """The direction, "ltr" or "rtl", from the text's first strong character, as a browser
    decides dir="auto" ("" when it has none). WeasyPrint ignores dir="auto", so the documents also
    set this as a class: an English paragraph in an Arabic statement keeps its full stop at its
    end."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return ""


def _language(code: str) -> str:
    return code if code in KNOWN else DEFAULT


def _locale(code: str) -> str:
    # British dates for English ("24 November 2026"), as on the hub's pages.
    return "en_GB" if code == DEFAULT else code


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _paragraphs(value: object) -> list[str]:
    """The victim's text as typed, in the paragraphs they made (blank lines between); line ends
    inside a paragraph are kept by the stylesheet (white-space: pre-line)."""
    text = _text(value).replace("\r\n", "\n").replace("\r", "\n")
    return [part.strip("\n") for part in re.split(r"\n[ \t]*\n\s*", text) if part.strip()]


def _day(moment: date | datetime | None) -> Markup | None:
    """A date in the document's language: a moment is first put in London time."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        moment = aware.astimezone(LONDON).date()
    return Markup('<time datetime="{}">{}</time>').format(
        moment.isoformat(), format_date(moment, "long")
    )


def _language_name(code: str, document_language: str) -> str:
    """The name of the statement's language in the document's language ("Arabic", "العربية");
    "" for a code that names no language (left out, like any other unknown answer)."""
    if not code:
        return ""
    if code in KNOWN and document_language == DEFAULT:
        return KNOWN[code].english_name  # "Bengali", as services in England say, not "Bangla"
    try:
        name = Locale.parse(code).get_display_name(_locale(document_language))
    except (ValueError, TypeError, UnknownLocaleError):
        name = None
    return name or (KNOWN[code].native_name if code in KNOWN else "")


def _page_label() -> Markup:
    """The translated "Page X of Y" as the CSS `content` of a page margin box: the translation's
    words become CSS strings and its placeholders the page counters, in the translation's order."""
    label = _("Page %(page)s of %(pages)s", page="\x00page\x00", pages="\x00pages\x00")
    parts = []
    for index, piece in enumerate(label.split("\x00")):
        if index % 2:
            parts.append("counter(pages)" if piece == "pages" else "counter(page)")
        elif piece:
            parts.append(_css_string(piece))
    # Every piece of text is a CSS string escaped by _css_string; the rest are fixed words.
    return Markup(" ".join(parts) or "counter(page)")  # noqa: S704  # nosec B704


def _css_string(text: str) -> str:
    """A CSS string that cannot end its string or the <style> element, whatever the text."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'
