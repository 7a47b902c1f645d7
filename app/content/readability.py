"""Reading grade of a page (Flesch–Kincaid), for the plain-language gate.

Markdown is turned into the sentences a reader meets: a list item or a heading counts as its own
sentence (a bullet list is not one long sentence), link targets and formatting marks are dropped,
and tables are left out (their cells are not prose, and would skew the grade either way).
"""

from __future__ import annotations

import re

import textstat

MAX_GRADE = 8.0

_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)
_CONTAINER = re.compile(r"^\s*:::.*$", re.M)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*?)\s*$", re.M)
_HEADING = re.compile(r"^#+\s*(.*?)\s*$", re.M)
_MARKS = re.compile(r"[*_`>#|]")


def _as_sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!", ":")) else text + "."


def prose(markdown: str) -> str:
    text = _TABLE_ROW.sub("", markdown)
    text = _CONTAINER.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _LIST_ITEM.sub(lambda m: _as_sentence(m.group(1)), text)
    text = _HEADING.sub(lambda m: _as_sentence(m.group(1)), text)
    return " ".join(_MARKS.sub(" ", text).split())


def grade(markdown: str) -> float:
    text = prose(markdown)
    if not text:
        return 0.0
    score: float = textstat.flesch_kincaid_grade(text)
    return round(score, 1)
