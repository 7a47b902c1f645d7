"""The Victim Personal Statement and the Right to Review letter as PDFs (WeasyPrint), read back
with pypdf.

What pypdf 7 returns for WeasyPrint's Arabic (found by trying; see test_an_arabic_statement):
WeasyPrint maps every glyph back to the characters it was shaped from (ToUnicode), so the default
("plain") extraction gives the base Arabic letters, not the presentation forms (U+FExx) of the
shaped glyphs, and pypdf puts a right-to-left run back in logical order: each word comes out whole
and in the order it was typed. What is not logical is the position of neutral characters and of
left-to-right runs on a right-to-left line: a full stop at the end of an Arabic sentence comes out
at the start of its line (".لقد أثرت …", where it is drawn), and a Latin reference next to Arabic
words can be moved along the line. The "layout" extraction mode gives visual order instead, every
word's letters reversed ("يمون" for "نومي"). So the tests compare whole Arabic words and phrases
without their punctuation, after NFKC (a no-op today; it would fold presentation forms if a later
version returned them), and check the direction in the HTML WeasyPrint is given.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, format_date
from pypdf import PdfReader

from app.victim_requests.pdfs import (
    ReviewDocument,
    StatementDocument,
    review_html,
    review_pdf,
    statement_html,
    statement_pdf,
)

pytestmark = pytest.mark.usefixtures("app_context")

SUBMITTED = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
ARABIC_SENTENCE = "لقد أثرت الجريمة على نومي وعملي"
ARABIC_REASONS = "لم يستمع إلي أحد قبل اتخاذ القرار"


def pages(pdf: bytes) -> list[str]:
    return [
        unicodedata.normalize("NFKC", page.extract_text())
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def flat(text: str) -> str:
    """Lines joined with single spaces: a sentence may wrap anywhere."""
    return " ".join(text.split())


def running_text(extracted: list[str]) -> str:
    """The pages' text without each page's header and footer (pypdf gives them after the page's
    body), so a sentence cut by a page break reads on."""
    kept = [
        line
        for page in extracted
        for line in page.splitlines()
        if not line.startswith("Victim Care Hub ·") and not re.fullmatch(r"Page \d+ of \d+", line)
    ]
    return flat("\n".join(kept))


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


def statement(language: str = "en", kind: str = "make", **answers: str) -> StatementDocument:
    return StatementDocument(
        reference="VPS-3KX7QP2M",
        kind=kind,
        case_reference="01/23456/26",
        agency_name="Metropolitan Police Service – Witness Care Unit",
        victim_name="Amina Yusuf",
        submitted_at=SUBMITTED,
        language=language,
        answers=answers,
    )


def review(scheme: str, language: str = "en", reasons: str = "") -> ReviewDocument:
    cps = scheme == "cps"
    return ReviewDocument(
        reference="VRR-8JD2KQ4P",
        scheme=scheme,
        case_reference="01/23456/26",
        agency_name="CPS London South" if cps else "Metropolitan Police Service",
        victim_name="Amina Yusuf",
        decision="charges_dropped" if cps else "no_further_action",
        decision_date=date(2026, 11, 3),
        prompt_deadline=datetime(2026, 11, 13, 23, 59, tzinfo=UTC) if cps else None,
        last_deadline=datetime(2027, 2, 2, 23, 59, tzinfo=UTC),
        reasons=reasons or "Nobody asked me before the decision.\n\nThe suspect lives next door.",
        contact="By e-mail",
        submitted_at=SUBMITTED,
        language=language,
    )


ENGLISH = {
    "effects_physical": "My wrist was broken and I still cannot grip a kettle.",
    "effects_emotional": "I wake at three every night.\n\nI no longer take the night bus.",
    "effects_financial": "I lost six weeks of pay and had to replace my phone.",
    "effects_family": "My daughter will not walk to school on her own any more.",
    "concerns": "I am frightened he will come back to the estate if he gets bail.",
    "reading": "someone_else",
    "court_support": "A screen, so that I do not have to see him.",
    "statement_language": "en",
    "interpreter": "no",
}


def test_an_english_statement_has_every_section_the_references_and_the_choices():
    text = running_text(pages(statement_pdf(statement(**ENGLISH))))
    for key in ("effects_physical", "effects_financial", "effects_family", "concerns"):
        assert ENGLISH[key] in text, key
    assert "I wake at three every night." in text and "I no longer take the night bus." in text
    assert "VPS-3KX7QP2M" in text and "01/23456/26" in text
    assert "Metropolitan Police Service – Witness Care Unit" in text and "Amina Yusuf" in text
    assert "24 November 2026" in text
    # The reading choice in words, not its code.
    assert "I would like someone else, for example the prosecutor, to read my statement" in text
    assert "someone_else" not in text
    assert "A screen, so that I do not have to see him." in text
    assert "The language of my statement: English" in text
    assert "I do not need an interpreter at court." in text
    assert "sent this statement on 24 November 2026, at the request of Amina Yusuf" in text
    assert "Victim Personal Statement" in text and "(update)" not in text
    # In the order the statement is asked for.
    order = [text.index(ENGLISH[k]) for k in ("effects_physical", "effects_family", "concerns")]
    assert order == sorted(order)


def test_an_update_says_so_and_paragraphs_stay_paragraphs():
    html = statement_html(statement(kind="update", **ENGLISH))
    assert "Victim Personal Statement (update)" in html
    assert (
        '<p dir="auto" class="ltr">I wake at three every night.</p>'
        '<p dir="auto" class="ltr">I no longer take the night bus.</p>'
    ) in html
    assert '<html lang="en" dir="ltr">' in html
    assert not re.search(r"(?i)url\(|src=|href=|@import|https?:", html)  # nothing to fetch


def test_a_long_statement_runs_over_several_pages_and_loses_nothing():
    # 20,000 characters (the limit for the whole statement) of numbered sentences, five to a
    # paragraph, and a sentinel word at the very end.
    body, n = "", 0
    while True:
        sentence = f"Sentence {n:04d} says how the nights have been since then."
        joined = body + ("\n\n" if n % 5 == 0 else " ") + sentence if body else sentence
        if len(joined) > 20_000 - len(" ZANZIBAR"):
            break
        body, n = joined, n + 1
    body += " ZANZIBAR"
    assert 19_900 < len(body) <= 20_000
    extracted = pages(statement_pdf(statement(effects_emotional=body, reading="self")))
    total = len(extracted)
    assert total >= 5
    assert f"Page 1 of {total}" in extracted[0] and f"Page {total} of {total}" in extracted[-1]
    for page in extracted:  # the hub's reference in every page's header
        assert "VPS-3KX7QP2M" in page
    text = running_text(extracted)
    missing = [i for i in range(n) if f"Sentence {i:04d} says how the nights have been" not in text]
    assert missing == []
    assert text.count("ZANZIBAR") == 1
    assert f"Sentence {n - 1:04d} says how the nights have been since then. ZANZIBAR" in text
    # The closing line after it, on the last page (whose text ends with its header and footer).
    assert text.endswith(
        "since then. ZANZIBAR My choices Reading my statement in court I would "
        "like to read my statement aloud in court myself. The Victim Care Hub "
        "sent this statement on 24 November 2026, at the request of Amina "
        "Yusuf."
    )


def test_a_word_longer_than_a_line_wraps_instead_of_running_off_the_page():
    long_word = "A" * 1500
    extracted = "\n".join(pages(statement_pdf(statement(effects_physical=long_word))))
    pieces = re.findall(r"A{20,}", extracted)
    assert sum(len(p) for p in pieces) == 1500  # every letter is there
    assert len(pieces) > 5 and max(len(p) for p in pieces) < 150  # over many lines


def test_the_victims_text_is_printed_as_typed_not_as_markup():
    typed = "He said <b>nothing</b> & left </style><script>x()</script>"
    html = statement_html(statement(effects_physical=typed))
    assert "<b>nothing</b>" not in html and "<script>" not in html
    assert flat(typed) in running_text(pages(statement_pdf(statement(effects_physical=typed))))


def test_the_date_is_the_day_in_london():
    late_in_june = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London
    document = replace(statement(**ENGLISH), submitted_at=late_in_june)
    assert "1 July 2026" in flat("\n".join(pages(statement_pdf(document))))


def test_an_arabic_statement():
    answers = {
        "effects_physical": ARABIC_SENTENCE + ".",
        "effects_emotional": "أشعر بالخوف عندما أخرج من البيت.\n\nلا أنام جيدا منذ ذلك اليوم.",
        "concerns": "أخاف أن يعود إلى الحي.",
        "reading": "not_read",
        "statement_language": "ar",
        "interpreter": "yes",
    }
    document = statement("ar", **answers)
    html = statement_html(document)
    assert '<html lang="ar" dir="rtl">' in html
    assert f'<p dir="auto" class="rtl">{ARABIC_SENTENCE}.</p>' in html
    raw = [page.extract_text() for page in PdfReader(io.BytesIO(statement_pdf(document))).pages]
    text = unicodedata.normalize("NFKC", "\n".join(raw))
    # Each word whole, in logical order (not reversed letter by letter), and the sentence too.
    for word in (*ARABIC_SENTENCE.split(), "بالخوف", "البيت", "أنام", "الحي"):
        assert word in words(text), word
    assert "يمون" not in text and "ةميرجلا" not in text  # "نومي", "الجريمة" reversed
    assert ARABIC_SENTENCE in text
    assert "أشعر بالخوف عندما أخرج من البيت" in text
    # What came out were the letters typed, not presentation forms (NFKC above changed nothing).
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", "\n".join(raw))
    assert "VPS-3KX7QP2M" in text and "01/23456/26" in text
    assert "العربية" in text  # the statement's language, named in Arabic by Babel (CLDR)


def test_an_english_statement_in_an_arabic_document_keeps_its_own_direction():
    document = statement("ar", effects_physical="I was hurt.\n\nلقد تألمت.")
    html = statement_html(document)
    assert '<p dir="auto" class="ltr">I was hurt.</p>' in html
    assert '<p dir="auto" class="rtl">لقد تألمت.</p>' in html
    # Laid out left to right, its full stop stays at its end (an English line laid out right to
    # left, like the labels not yet translated, comes out as ".I was hurt").
    assert "I was hurt." in pages(statement_pdf(document))[0].splitlines()


@pytest.mark.parametrize("scheme", ["police", "cps"])
def test_a_review_request_in_english(scheme):
    document = review(scheme)
    extracted = pages(review_pdf(document))
    assert len(extracted) == 1 and "Page 1 of 1" in extracted[0]
    text = running_text(extracted)
    assert "Request for a review of the decision" in text
    police = "Victims' Right to Review – police decision not to charge"
    cps = "Victims' Right to Review – CPS decision to stop the case"
    assert (cps if scheme == "cps" else police) in text
    assert (police if scheme == "cps" else cps) not in text
    assert "VRR-8JD2KQ4P" in text and "01/23456/26" in text and document.agency_name in text
    assert "Nobody asked me before the decision." in text
    assert "The suspect lives next door." in text
    assert "3 November 2026" in text  # the decision
    assert "2 February 2027" in text  # the last date
    if scheme == "cps":
        assert "The CPS stopped the case or dropped the charges" in text
        assert "For a prompt review, the request should be made by 13 November 2026" in text
    else:
        assert "The police decided not to charge the suspect" in text
        assert "prompt review" not in text
    assert "By e-mail" in text


@pytest.mark.parametrize("scheme", ["police", "cps"])
def test_a_review_request_in_arabic(scheme):
    document = review(scheme, "ar", reasons=ARABIC_REASONS + ".\n\nالمشتبه به يسكن بجواري.")
    html = review_html(document)
    assert '<html lang="ar" dir="rtl">' in html
    text = "\n".join(pages(review_pdf(document)))
    assert ARABIC_REASONS in text and "المشتبه به يسكن بجواري" in text
    assert "VRR-8JD2KQ4P" in text and "01/23456/26" in text
    # The deadlines as dates in Arabic ("2 فبراير 2027"): whole in the HTML; in the PDF part by
    # part, as pypdf moves the digits along a right-to-left line ("2027  فبراير2").
    with force_locale("ar"):
        deadlines = [format_date(date(2027, 2, 2), "long")]
        if scheme == "cps":
            deadlines.append(format_date(date(2026, 11, 13), "long"))
    for deadline in deadlines:
        assert deadline in html
        assert all(part in text for part in deadline.split()), deadline
    assert ('datetime="2026-11-13"' in html) == (scheme == "cps")


def test_the_two_schemes_have_different_subtitles_in_every_language():
    for language in ("en", "ar"):
        police, cps = (
            re.search(r'<p class="subtitle">(.*?)</p>', review_html(review(s, language))).group(1)
            for s in ("police", "cps")
        )
        assert police and cps and police != cps


def test_unknown_or_missing_answers_are_left_out():
    odd = statement(
        reading="shout it", interpreter="maybe", statement_language="zz!!", effects_family="  "
    )
    html = statement_html(odd)
    assert "shout it" not in html and "maybe" not in html and "zz!!" not in html
    assert "My choices" not in html and "How the crime has affected" not in html
    text = flat("\n".join(pages(statement_pdf(odd))))
    assert "VPS-3KX7QP2M" in text and "Page 1 of 1" in text
    # Nothing answered at all, and missing names and dates on a review.
    assert statement_pdf(statement()).startswith(b"%PDF")
    bare = ReviewDocument(
        reference="VRR-8JD2KQ4P",
        scheme="other",
        case_reference="",
        agency_name="",
        victim_name="",
        decision="unheard_of",
        decision_date=None,
        prompt_deadline=None,
        last_deadline=None,
        reasons="",
        contact="",
        submitted_at=SUBMITTED,
        language="xx",
    )
    text = flat("\n".join(pages(review_pdf(bare))))
    assert "VRR-8JD2KQ4P" in text and "unheard_of" not in text and "Time limits" not in text


def test_the_document_language_not_the_page_language(app):
    # A member of staff reading the hub in Arabic sends an English statement: English labels
    # and dates, and the page's own language afterwards.
    from flask_babel import get_locale

    with app.test_request_context("/ar/"):
        app.preprocess_request()
        before = str(get_locale())
        html = statement_html(statement(**ENGLISH))
        assert str(get_locale()) == before == "ar"
    assert "Hub reference" in html and "24 November 2026" in html
    assert '<html lang="en" dir="ltr">' in html


def test_a_resource_by_url_is_refused_clearly_and_the_pdf_made_without_it(caplog, monkeypatch):
    """WeasyPrint's fetcher refuses every URL: with a plain function as fetcher, WeasyPrint raised
    AttributeError ('function' object has no attribute '_fail_on_errors') instead."""
    import urllib.request

    from app.documents.pdf import NoFetching, ResourceRefused, render_pdf

    def no_network(*args, **kwargs):
        raise AssertionError("the PDF fetcher opened a URL")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    with pytest.raises(ResourceRefused, match="does not fetch resources"):
        NoFetching()("http://169.254.169.254/latest/meta-data/")
    html = (
        '<html><head><link rel="stylesheet" href="https://attacker.example/x.css"></head>'
        '<body><p style="background: url(file:///etc/passwd)">Still here</p>'
        '<img src="http://169.254.169.254/latest/meta-data/"><img src="secret.png"></body></html>'
    )
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = render_pdf(html)
    assert "Still here" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    refusals = [r.getMessage() for r in caplog.records if "ResourceRefused" in r.getMessage()]
    assert len(refusals) >= 3, caplog.text
    assert any("169.254.169.254" in message for message in refusals)
