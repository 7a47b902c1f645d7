from pathlib import Path

import pytest

from app.content import body_hash, parse_page

GOOD = """---
title: Reporting a crime
summary: How to report.
section: reporting
order: 10
rights: [2, 3]
sources:
  - https://www.gov.uk/report-crime
reviewed: 2026-11-23
related: [after-you-report]
---
Lead paragraph.

## A heading
"""


def parse(text: str | bytes, lang: str = "en", name: str = "how-to-report.md"):
    raw = text.encode() if isinstance(text, str) else text
    return parse_page(Path(f"{lang}/reporting/{name}"), lang, raw)


def test_a_good_page_parses():
    page, problems = parse(GOOD)
    assert problems == []
    assert page.slug == "how-to-report"
    assert page.rights == (2, 3)
    assert page.related == ("after-you-report",)
    assert page.reviewed.isoformat() == "2026-11-23"
    assert page.body_hash == body_hash(page.body)
    assert not page.is_translation


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("title: Reporting a crime\n", ""), "missing front matter: title"),
        (("section: reporting", "section: elsewhere"), "unknown section 'elsewhere'"),
        (("rights: [2, 3]", "rights: [0, 13]"), "unknown right number(s) [0, 13]"),
        (("rights: [2, 3]", "rights: three"), "'rights' must be a list"),
        (
            ("sources:\n  - https://www.gov.uk/report-crime\n", "sources: []\n"),
            "at least one web address",
        ),
        (
            ("  - https://www.gov.uk/report-crime", "  - see the Code"),
            "web address starting https://",
        ),
        (("order: 10", "order: first"), "'order' must be a whole number"),
        (("reviewed: 2026-11-23", "reviewed: last week"), "'reviewed' must be a date"),
        (("related: [after-you-report]", "colour: blue"), "unknown front matter: colour"),
    ],
)
def test_front_matter_errors_are_named(change, message):
    page, problems = parse(GOOD.replace(*change))
    assert page is None
    assert any(message in p.message for p in problems), problems


def test_invalid_yaml_is_reported_not_raised():
    page, problems = parse("---\ntitle: [unclosed\n---\nBody")
    assert page is None
    assert "not valid YAML" in problems[0].message


def test_non_utf8_file_is_reported():
    page, problems = parse(b"---\ntitle: \xff\xfe\n---\n")
    assert page is None
    assert "UTF-8" in problems[0].message


def test_a_translation_must_record_its_source_hash():
    page, problems = parse(GOOD, lang="cy")
    assert page is None
    assert "source_hash" in problems[0].message
    page, problems = parse(GOOD.replace("order: 10", "order: 10\nsource_hash: abc123"), lang="cy")
    assert problems == [] and page.is_translation and not page.translation_reviewed


def test_body_hash_ignores_surrounding_whitespace():
    assert body_hash("\nText\n\n") == body_hash("Text")
    assert body_hash("Text") != body_hash("Text.")
