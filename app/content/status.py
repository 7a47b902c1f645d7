"""Translation status: for each language, which pages are translated, stale or missing."""

from __future__ import annotations

from dataclasses import dataclass

from app.content.store import ContentStore


@dataclass(frozen=True)
class LanguageStatus:
    lang: str
    current: tuple[str, ...]
    stale: tuple[str, ...]
    missing: tuple[str, ...]
    unreviewed: tuple[str, ...]


def translation_status(store: ContentStore) -> list[LanguageStatus]:
    english = store.pages("en")
    report = []
    for lang in store.languages:
        if lang == "en":
            continue
        pages = store.pages(lang)
        current: list[str] = []
        stale: list[str] = []
        for slug, page in sorted(pages.items()):
            source = english.get(slug)
            (current if source and page.source_hash == source.body_hash else stale).append(slug)
        report.append(
            LanguageStatus(
                lang=lang,
                current=tuple(current),
                stale=tuple(stale),
                missing=tuple(sorted(set(english) - set(pages))),
                unreviewed=tuple(s for s, p in sorted(pages.items()) if not p.translation_reviewed),
            )
        )
    return report
