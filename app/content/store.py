"""The content store: every page of every language, kept in memory and reloaded when a file changes.

Rendering is cached by the file's hash and the language of the URL it is shown at, so an edit to one
file re-renders that file only, and the running site picks it up without a restart.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.content.glossary import GLOSSARY_FILE, Term, load_glossary
from app.content.model import JOURNEY_SECTIONS, SECTIONS, Page, PageView, Problem, Rendered
from app.content.parse import parse_page
from app.content.render import render_markdown

SERVICES_FILE = "services.yaml"  # the support directory (app/requests/directory.py)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _FileStamp:
    mtime_ns: int
    size: int


class ContentStore:
    def __init__(self, root: Path, languages: Iterable[str], reload_seconds: float = 1.0) -> None:
        self.root = Path(root)
        self.languages = tuple(languages)
        self.reload_seconds = reload_seconds
        self._lock = threading.Lock()
        self._stamps: dict[Path, _FileStamp] = {}
        self._pages: dict[str, dict[str, Page]] = {}
        self._rendered: dict[tuple[str, str], Rendered] = {}
        self._last_good: dict[Path, Page] = {}
        self.glossary: list[Term] = []
        self._terms: dict[str, str] = {}
        self.problems: list[Problem] = []
        self.version = ""
        self._load()
        self._checked_at = time.monotonic()

    # Loading -------------------------------------------------------------------------------

    def _scan(self) -> dict[Path, _FileStamp]:
        stamps: dict[Path, _FileStamp] = {}
        # The glossary links every page; the support directory (read by its own page) is here
        # so that an edit to it changes the version, and cached pages are made again.
        for data in (self.root / GLOSSARY_FILE, self.root / SERVICES_FILE):
            if data.is_file():
                st = data.stat()
                stamps[data] = _FileStamp(st.st_mtime_ns, st.st_size)
        for lang in self.languages:
            base = self.root / lang
            if not base.is_dir():
                continue
            for dirpath, _dirs, files in os.walk(base):
                for name in files:
                    if name.endswith(".md"):
                        path = Path(dirpath) / name
                        st = path.stat()
                        stamps[path] = _FileStamp(st.st_mtime_ns, st.st_size)
        return stamps

    def _load(self) -> None:
        stamps = self._scan()
        pages: dict[str, dict[str, Page]] = {lang: {} for lang in self.languages}
        problems: list[Problem] = []
        glossary, glossary_problems = load_glossary(self.root)
        problems.extend(glossary_problems)
        for path in sorted(p for p in stamps if p.suffix == ".md"):
            lang = path.relative_to(self.root).parts[0]
            page, found = parse_page(path.relative_to(self.root), lang, path.read_bytes())
            problems.extend(found)
            if page is None:
                # An edit that broke a page must not take it off the site: keep serving the
                # last version that parsed, and say so in the log.
                page = self._last_good.get(path)
                for problem in found:
                    log.warning(
                        "content file not loaded: %s%s",
                        problem,
                        " (serving its last good version)" if page else "",
                    )
                if page is None:
                    continue
            else:
                self._last_good[path] = page
            if page.slug in pages[lang]:
                other = pages[lang][page.slug].path
                problem = Problem(str(page.path), f"slug '{page.slug}' is also used by {other}")
                problems.append(problem)
                log.warning("content file skipped: %s", problem)
                continue
            pages[lang][page.slug] = page
        live_hashes = {p.content_hash for by_slug in pages.values() for p in by_slug.values()}
        if glossary != self.glossary:
            self._rendered = {}  # every page may link a changed term
        self._rendered = {k: v for k, v in self._rendered.items() if k[0] in live_hashes}
        self._pages, self._stamps, self.problems = pages, stamps, problems
        self.glossary = glossary
        self._terms = {t.term: t.id for t in glossary if t.auto_link}
        digest = hashlib.sha256(repr(glossary).encode())
        digest.update(repr(stamps.get(self.root / SERVICES_FILE)).encode())
        for lang in self.languages:
            for slug in sorted(pages[lang]):
                digest.update(f"{lang}/{slug}/{pages[lang][slug].content_hash};".encode())
        self.version = digest.hexdigest()[:16]

    def refresh(self, force: bool = False) -> bool:
        """Reload if any file was added, changed or removed. Checks the disk at most once every
        `reload_seconds`, so the hot path costs one clock read. Returns True if content changed."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.reload_seconds:
            return False
        with self._lock:
            self._checked_at = now
            if self._scan() == self._stamps:
                return False
            before = self.version
            self._load()
            return self.version != before

    # Reading -------------------------------------------------------------------------------

    def pages(self, lang: str) -> dict[str, Page]:
        return self._pages.get(lang, {})

    def rendered(self, page: Page, url_lang: str) -> Rendered:
        key = (page.content_hash, url_lang)
        found = self._rendered.get(key)
        if found is None:
            found = self._rendered[key] = render_markdown(page.body, url_lang, self._terms)
        return found

    def view(self, lang: str, slug: str) -> PageView | None:
        """The page at /<lang>/guidance/<slug>: the translation if there is one, else English."""
        english = self._pages.get("en", {}).get(slug)
        page = self.pages(lang).get(slug)
        fallback = False
        if page is None:
            if english is None:
                return None
            page, fallback = english, True
        stale = bool(page.is_translation and english and page.source_hash != english.body_hash)
        return PageView(page, self.rendered(page, lang), lang, fallback, stale)

    def contents(self, lang: str) -> list[tuple[str, list[Page]]]:
        """Table of contents for a language: sections in journey order, pages in their order,
        with English pages standing in for those not yet translated."""
        merged = dict(self.pages("en"))
        merged.update(self.pages(lang))
        by_section: dict[str, list[Page]] = {section: [] for section in SECTIONS}
        for page in merged.values():
            by_section[page.section].append(page)
        return [
            (section, sorted(items, key=lambda p: (p.order, p.title)))
            for section, items in by_section.items()
            if items
        ]

    def journey(self, lang: str) -> list[tuple[str, list[Page]]]:
        contents = dict(self.contents(lang))
        return [(section, contents.get(section, [])) for section in JOURNEY_SECTIONS]
