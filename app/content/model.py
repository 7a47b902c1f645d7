"""What a guidance page is, once read from its Markdown file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

# Sections in the order of the justice journey; the first six are the steps of the step-by-step.
JOURNEY_SECTIONS: tuple[str, ...] = (
    "reporting",
    "investigation",
    "charging",
    "court",
    "sentence",
    "after-sentence",
)
SECTIONS: tuple[str, ...] = (
    "safety",
    *JOURNEY_SECTIONS,
    "rights",
    "support",
    "situations",
    "about",
)
RIGHTS = range(1, 13)


@dataclass(frozen=True)
class Problem:
    """Something wrong with a content file. Errors stop `flask content check`; warnings do not."""

    path: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Page:
    lang: str
    slug: str
    path: Path
    title: str
    summary: str
    section: str
    order: int
    body: str
    content_hash: str  # of the whole file: changes whenever anything in it changes
    body_hash: str  # of the body only: what translations record as their source_hash
    rights: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    crime_types: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    reviewed: dt.date | None = None
    source_hash: str | None = None
    translation_reviewed: bool = False
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_translation(self) -> bool:
        return self.source_hash is not None


@dataclass(frozen=True)
class Rendered:
    html: str
    headings: tuple[Heading, ...]
    text: str  # plain text of the body, for the search index
    links: tuple[str, ...]  # internal slugs linked to
    error: str | None = None  # why the Markdown could not be parsed, if it could not


@dataclass(frozen=True)
class PageView:
    """A page as shown at a URL in a language: the English page when there is no translation."""

    page: Page
    rendered: Rendered
    requested_lang: str
    fallback: bool
    stale: bool
