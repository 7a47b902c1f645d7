"""Full-text search over guidance in one language: SQLite FTS5 by default, PostgreSQL's text search
when the database is PostgreSQL. Pages whose title matches rank above pages matching in the body.

Untranslated pages are searched in English (and say so), as they are shown in English too.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError

from app.content import ContentStore
from app.extensions import db
from app.guidance.models import SearchDocument

log = logging.getLogger(__name__)

MARK_START, MARK_END = "\x02", "\x03"
MAX_TERMS = 10
RESULTS_LIMIT = 30


@dataclass(frozen=True)
class Result:
    lang: str
    slug: str
    title: str
    summary: str
    snippet: Markup


def terms(query: str) -> list[str]:
    """Words of any script; everything else (quotes, operators, punctuation) is dropped, so a
    query can never be read as FTS5 or tsquery syntax."""
    return re.findall(r"\w+", query.lower())[:MAX_TERMS]


def sync_index(store: ContentStore) -> int:
    """Bring the index in line with the content store. Returns how many documents changed."""
    wanted = {
        (lang, slug): page for lang in store.languages for slug, page in store.pages(lang).items()
    }
    existing = {(d.lang, d.slug): d for d in db.session.scalars(select(SearchDocument))}
    changed = 0
    gone = [doc.id for key, doc in existing.items() if key not in wanted]
    if gone:
        db.session.execute(delete(SearchDocument).where(SearchDocument.id.in_(gone)))
        changed += len(gone)
    for (lang, slug), page in wanted.items():
        doc = existing.get((lang, slug))
        if doc is not None and doc.content_hash == page.content_hash:
            continue
        if doc is None:
            doc = SearchDocument(lang=lang, slug=slug)
            db.session.add(doc)
        rendered = store.rendered(page, lang)
        doc.section, doc.title, doc.summary = page.section, page.title, page.summary
        doc.body, doc.content_hash = rendered.text, page.content_hash
        changed += 1
    try:
        db.session.commit()
    except IntegrityError:
        # Another process indexed the same pages at the same moment: its rows are as good as ours.
        db.session.rollback()
        log.info("search index: another process synced first")
    return changed


def ensure_index(store: ContentStore) -> None:
    indexed = current_app.extensions.get("search_indexed_version")
    if indexed != store.version:
        changed = sync_index(store)
        if changed:
            log.info("search index: %s documents updated", changed)
        current_app.extensions["search_indexed_version"] = store.version


_LANG_FILTER = """(d.lang = :lang OR (:lang != 'en' AND d.lang = 'en'
    AND d.slug NOT IN (SELECT slug FROM search_document WHERE lang = :lang)))"""

# Only constant fragments are interpolated; every value is a bound parameter.
_SQLITE = f"""
SELECT d.lang, d.slug, d.title, d.summary,
       snippet(search_fts, -1, :start, :end, '…', 24) AS snippet
FROM search_fts JOIN search_document d ON d.id = search_fts.rowid
WHERE search_fts MATCH :match AND {_LANG_FILTER}
ORDER BY d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :title_match) DESC,
         bm25(search_fts, 10.0, 4.0, 1.0)
LIMIT :limit
"""  # noqa: S608  # nosec B608

_POSTGRES = f"""
SELECT d.lang, d.slug, d.title, d.summary,
       ts_headline(c.cfg, d.body, q.query, :headline) AS snippet
FROM search_document d
CROSS JOIN LATERAL (SELECT (CASE WHEN d.lang = 'en' THEN 'english' ELSE 'simple' END)::regconfig
                    AS cfg) c
CROSS JOIN LATERAL (SELECT to_tsquery(c.cfg, :tsquery) AS query) q
WHERE d.tsv @@ q.query AND {_LANG_FILTER}
ORDER BY to_tsvector(c.cfg, d.title) @@ q.query DESC, ts_rank(d.tsv, q.query) DESC
LIMIT :limit
"""  # noqa: S608  # nosec B608


def _highlight(snippet: str) -> Markup:
    # The text is escaped first; only our own <mark> tags are added after.
    marked = str(escape(snippet)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return Markup(marked)  # noqa: S704  # nosec B704


def search(store: ContentStore, lang: str, query: str) -> list[Result]:
    words = terms(query)
    if not words:
        return []
    ensure_index(store)
    if db.engine.dialect.name == "postgresql":
        statement = text(_POSTGRES)
        params = {
            "tsquery": " & ".join(f"{w}:*" for w in words),
            "headline": f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12",
        }
    else:
        statement = text(_SQLITE)
        phrase = " ".join(f'"{w}"*' for w in words)
        params = {
            "match": phrase,
            "title_match": f"title : ({phrase})",
            "start": MARK_START,
            "end": MARK_END,
        }
    rows = db.session.execute(statement, {**params, "lang": lang, "limit": RESULTS_LIMIT})
    return [
        Result(row.lang, row.slug, row.title, row.summary, _highlight(row.snippet or ""))
        for row in rows
    ]
