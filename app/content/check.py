"""Whole-corpus checks for `flask content check`: what a single file cannot tell about itself."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .model import Page, Problem
from .readability import MAX_GRADE, grade
from .store import ContentStore


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
    from .render import _PARSER  # parse only: the rendered headings stop at h4

    return [int(t.tag[1]) for t in _PARSER.parse(body) if t.type == "heading_open"]


def check_content(root: Path, languages: Iterable[str]) -> list[Problem]:
    store = ContentStore(root, languages, reload_seconds=0)
    problems = list(store.problems)
    english = store.pages("en")
    for lang in store.languages:
        for page in store.pages(lang).values():
            where = str(page.path)
            problems.extend(_heading_problems(page, _heading_levels(page.body)))
            rendered = store.rendered(page, lang)
            for slug in rendered.links:
                if slug not in english:
                    problems.append(Problem(where, f"broken link to /guidance/{slug}"))
            for slug in page.related:
                if slug not in english:
                    problems.append(Problem(where, f"related page '{slug}' does not exist"))
            if lang == "en":
                reading_grade = grade(page.body)
                if reading_grade > MAX_GRADE:
                    problems.append(
                        Problem(
                            where,
                            f"reading grade {reading_grade} is above {MAX_GRADE:g}: "
                            "use shorter sentences and everyday words",
                        )
                    )
            else:
                source = english.get(page.slug)
                if source is None:
                    problems.append(
                        Problem(where, "translation of a page that has no English original")
                    )
                elif page.section != source.section:
                    problems.append(
                        Problem(
                            where,
                            f"section '{page.section}' differs from English '{source.section}'",
                        )
                    )
                elif page.source_hash != source.body_hash:
                    problems.append(
                        Problem(
                            where, "the English page has changed since this translation", "warning"
                        )
                    )
    return problems
