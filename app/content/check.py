"""Whole-corpus checks for `flask content check`: what a single file cannot tell about itself."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from app.content.glossary import Term
from app.content.model import Page, Problem, Rendered
from app.content.parse import parse_page
from app.content.readability import MAX_GRADE, grade
from app.content.render import render_markdown
from app.content.store import ContentStore


def _heading_problems(page: Page, levels: Iterable[int]) -> list[Problem]:
    problems = []
    previous = 1  # the page title is the only <h1>
    for level in levels:
        if level == 1:
            problems.append(
                Problem(str(page.path), "a '#' heading: the title is the only level-1 heading")
            )
        elif level > previous + 1:
            problems.append(
                Problem(str(page.path), f"heading level skipped: h{previous} then h{level}")
            )
        previous = level
    return problems


def _heading_levels(body: str) -> list[int]:
    from app.content.render import _PARSER  # parse only: the rendered headings stop at h4

    return [int(t.tag[1]) for t in _PARSER.parse(body) if t.type == "heading_open"]


def page_problems(page: Page, links: Iterable[str], english: dict[str, Page]) -> list[Problem]:
    """What is wrong with one parsed page, given the English pages it may link to."""
    where = str(page.path)
    problems = _heading_problems(page, _heading_levels(page.body))
    for slug in links:
        if slug not in english:
            problems.append(Problem(where, f"broken link to /guidance/{slug}"))
    for slug in page.related:
        if slug not in english:
            problems.append(Problem(where, f"related page '{slug}' does not exist"))
    if page.lang == "en":
        reading_grade = grade(page.body)
        if reading_grade > MAX_GRADE:
            problems.append(
                Problem(
                    where,
                    f"reading grade {reading_grade} is above {MAX_GRADE:g}: "
                    "use shorter sentences and everyday words",
                )
            )
        return problems
    source = english.get(page.slug)
    if source is None:
        problems.append(Problem(where, "translation of a page that has no English original"))
    elif page.section != source.section:
        problems.append(
            Problem(where, f"section '{page.section}' differs from English '{source.section}'")
        )
    elif page.source_hash != source.body_hash:
        problems.append(
            Problem(where, "the English page has changed since this translation", "warning")
        )
    return problems


# Raw HTML is never rendered (markdown-it escapes it and nh3 strips it), but an editor who types
# it surely expects something to happen: refuse it at save, naming the line.
_RAW_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_SCRIPT_URL = re.compile(r"\]\(\s*(?:javascript|vbscript|data):", re.IGNORECASE)


def line_problems(text: str, where: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if _RAW_HTML.search(line):
            problems.append(Problem(where, f"line {number}: HTML tags are not allowed"))
        if _SCRIPT_URL.search(line):
            problems.append(Problem(where, f"line {number}: links may not run scripts"))
    return problems


def _render_problem(path: str, rendered: Rendered) -> list[Problem]:
    if rendered.error is None:
        return []
    return [Problem(path, f"the text could not be read as Markdown ({rendered.error})")]


def check_text(
    text: str, *, path: Path, lang: str, english: dict[str, Page]
) -> tuple[Page | None, list[Problem]]:
    """Check a page as typed in the editor, before it is saved."""
    page, problems = parse_page(path, lang, text.encode("utf-8"))
    if page is not None:
        rendered = render_markdown(page.body, lang)
        # Line numbers count from the top of the page text, as the editor shows it.
        problems += line_problems(page.body.strip("\n"), str(path))
        problems += _render_problem(str(path), rendered)
        problems += page_problems(page, rendered.links, english)
    return page, problems


def jargon_problems(page: Page, rendered: Rendered, glossary: Iterable[Term]) -> list[Problem]:
    """Glossary words a page uses without linking to their explanation. Abbreviations are linked
    automatically; everyday-looking terms (bail, caution) are linked by the author where they
    are meant as legal terms, so this is a warning, not an error."""
    problems = []
    for term in glossary:
        if term.auto_link or f"/glossary#{term.id}" in rendered.html:
            continue
        if re.search(rf"\b{re.escape(term.term)}\b", page.body, re.IGNORECASE):
            problems.append(
                Problem(
                    str(page.path),
                    f"uses '{term.term}' without a link to the glossary (/glossary#{term.id})",
                    "warning",
                )
            )
    return problems


def check_content(root: Path, languages: Iterable[str]) -> list[Problem]:
    store = ContentStore(root, languages, reload_seconds=0)
    problems = list(store.problems)
    english = store.pages("en")
    for lang in store.languages:
        for page in store.pages(lang).values():
            rendered = store.rendered(page, lang)
            problems += _render_problem(str(page.path), rendered)
            problems += page_problems(page, rendered.links, english)
            if lang == "en":
                problems += jargon_problems(page, rendered, store.glossary)
            raw = (Path(root) / page.path).read_text(encoding="utf-8")
            problems += line_problems(raw, str(page.path))
    return problems
