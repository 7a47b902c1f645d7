"""The glossary: abbreviations and legal words, explained once, in every language we have."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.content.model import Problem

GLOSSARY_FILE = "glossary.yaml"
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    explanation: str
    auto_link: bool = False
    translations: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def explanation_in(self, lang: str) -> tuple[str, bool]:
        """The explanation in `lang`, or the English one; and whether it is the English one."""
        if lang in self.translations:
            return self.translations[lang], False
        return self.explanation, lang != "en"


def load_glossary(root: Path) -> tuple[list[Term], list[Problem]]:
    path = Path(root) / GLOSSARY_FILE
    where = GLOSSARY_FILE
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except FileNotFoundError:
        return [], []
    except yaml.YAMLError as exc:
        return [], [Problem(where, f"not valid YAML: {exc}")]
    if not isinstance(entries, list):
        return [], [Problem(where, "must be a list of terms")]
    terms, problems, seen = [], [], set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) and entry.get(k) for k in ("id", "term", "explanation")
        ):
            problems.append(Problem(where, f"term {number} needs an id, a term and an explanation"))
            continue
        if not _ID.fullmatch(entry["id"]) or entry["id"] in seen:
            problems.append(
                Problem(where, f"term {number}: id {entry['id']!r} is not valid or unique")
            )
            continue
        seen.add(entry["id"])
        translations = entry.get("translations") or {}
        terms.append(
            Term(
                id=entry["id"],
                term=entry["term"],
                explanation=entry["explanation"].strip(),
                auto_link=bool(entry.get("auto_link", False)),
                translations={k: str(v).strip() for k, v in translations.items()},
            )
        )
    return sorted(terms, key=lambda t: t.term.lower()), problems
