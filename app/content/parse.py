"""Read a Markdown file with YAML front matter into a Page, or say precisely what is wrong."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from app.content.model import RIGHTS, SECTIONS, Page, Problem

REQUIRED = ("title", "summary", "section", "order", "rights", "sources", "reviewed")
OPTIONAL = (
    "audience",
    "crime_types",
    "related",
    "source_hash",
    "translation_reviewed",
)


def body_hash(body: str) -> str:
    """The fingerprint a translation keeps of the English text it was made from."""
    return hashlib.sha256(body.strip().encode("utf-8")).hexdigest()[:16]


def _str_list(value: Any, key: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        problems.append(f"'{key}' must be a list of words")
        return ()
    return tuple(str(v) for v in value)


def parse_page(path: Path, lang: str, raw: bytes) -> tuple[Page | None, list[Problem]]:
    """Parse one file. Returns the page, or None and the reasons it cannot be used."""
    where = str(path)
    try:
        post = frontmatter.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, [Problem(where, "the file is not UTF-8 text")]
    except yaml.YAMLError as exc:
        return None, [Problem(where, f"the front matter is not valid YAML: {exc}")]
    meta = post.metadata
    problems: list[str] = []

    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        problems.append("missing front matter: " + ", ".join(missing))
    unknown = sorted(set(meta) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        problems.append("unknown front matter: " + ", ".join(unknown))

    title = meta.get("title")
    if "title" in meta and (not isinstance(title, str) or not title.strip()):
        problems.append("'title' must be text")
    summary = meta.get("summary")
    if "summary" in meta and (not isinstance(summary, str) or not summary.strip()):
        problems.append("'summary' must be text")
    section = meta.get("section")
    if "section" in meta and section not in SECTIONS:
        problems.append(f"unknown section {section!r} (one of: {', '.join(SECTIONS)})")
    order = meta.get("order")
    if "order" in meta and (not isinstance(order, int) or isinstance(order, bool)):
        problems.append("'order' must be a whole number")

    rights = meta.get("rights", [])
    if not isinstance(rights, list) or not all(
        isinstance(r, int) and not isinstance(r, bool) for r in rights
    ):
        problems.append("'rights' must be a list of right numbers")
        rights = []
    bad = [r for r in rights if r not in RIGHTS]
    if bad:
        problems.append(f"unknown right number(s) {bad}: the Victims' Code has rights 1 to 12")

    sources = meta.get("sources")
    if "sources" in meta:
        if not isinstance(sources, list) or not sources:
            problems.append("'sources' must list at least one web address")
            sources = []
        elif not all(isinstance(s, str) and s.startswith(("https://", "http://")) for s in sources):
            problems.append("every source must be a web address starting https://")
    reviewed = meta.get("reviewed")
    if "reviewed" in meta and not isinstance(reviewed, dt.date):
        problems.append("'reviewed' must be a date (YYYY-MM-DD)")
        reviewed = None

    source_hash = meta.get("source_hash")
    if lang != "en" and source_hash is None:
        problems.append("a translation must record 'source_hash' of the English text")
    if source_hash is not None and not isinstance(source_hash, str):
        problems.append("'source_hash' must be text")

    lists = {k: _str_list(meta.get(k), k, problems) for k in ("audience", "crime_types", "related")}

    if problems:
        return None, [Problem(where, message) for message in problems]
    # Every check above added a problem unless its value has the type the page needs.
    assert isinstance(title, str) and isinstance(summary, str)
    assert isinstance(section, str) and isinstance(order, int)
    assert isinstance(sources, list)
    assert reviewed is None or isinstance(reviewed, dt.date)
    assert source_hash is None or isinstance(source_hash, str)

    return (
        Page(
            lang=lang,
            slug=path.stem,
            path=path,
            title=title.strip(),
            summary=summary.strip(),
            section=section,
            order=order,
            body=post.content,
            content_hash=hashlib.sha256(raw).hexdigest()[:16],
            body_hash=body_hash(post.content),
            rights=tuple(rights),
            sources=tuple(sources),
            audience=lists["audience"],
            crime_types=lists["crime_types"],
            related=lists["related"],
            reviewed=reviewed,
            source_hash=source_hash,
            translation_reviewed=bool(meta.get("translation_reviewed", False)),
        ),
        [],
    )
