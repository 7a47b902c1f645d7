"""The content editor's logic: load, check, save (atomically, with a revision), detect
conflicting edits, restore, and start a translation. Nothing here parses a request."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import yaml
from flask import current_app
from sqlalchemy import select

from app.accounts import audit
from app.accounts.models import User
from app.content import ContentStore, Page, Problem
from app.content.check import check_text
from app.content.parse import body_hash
from app.extensions import db
from app.navigator import files
from app.navigator.models import ContentRevision

FIELD_ORDER = (
    "title",
    "summary",
    "section",
    "order",
    "audience",
    "crime_types",
    "rights",
    "sources",
    "reviewed",
    "related",
    "source_hash",
    "translation_reviewed",
)


@dataclass(frozen=True)
class Draft:
    """What the editor form holds: front matter fields and the body."""

    meta: dict
    body: str

    def to_text(self) -> str:
        ordered = {k: self.meta[k] for k in FIELD_ORDER if k in self.meta}
        ordered.update({k: v for k, v in self.meta.items() if k not in ordered})
        head = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=1000)
        return f"---\n{head}---\n\n{self.body.strip()}\n"


@dataclass(frozen=True)
class SaveResult:
    saved: bool
    problems: list[Problem]
    conflict_text: str | None = None  # the version on disk, when someone saved first
    revision: ContentRevision | None = None


def store() -> ContentStore:
    return current_app.extensions["content_store"]


def root() -> Path:
    return Path(current_app.config["CONTENT_DIR"])


def path_for(lang: str, section: str, slug: str) -> Path:
    return files.content_path(root(), lang, section, slug, store().languages)


def relative(path: Path) -> str:
    return str(path.relative_to(root().resolve()))


def parse_draft(text: str) -> Draft:
    post = frontmatter.loads(text)
    return Draft(dict(post.metadata), post.content)


def check(text: str, path: Path, lang: str) -> list[Problem]:
    store().refresh(force=True)
    _, problems = check_text(
        text, path=Path(relative(path)), lang=lang, english=store().pages("en")
    )
    return [p for p in problems if p.severity == "error"]


def save(
    path: Path,
    lang: str,
    text: str,
    *,
    base_hash: str,
    editor: User,
    action: str = "edit",
    restored_from: int | None = None,
) -> SaveResult:
    problems = check(text, path, lang)
    if problems:
        return SaveResult(False, problems)
    current = files.read(path)
    if current is not None and files.text_hash(current) != base_hash:
        return SaveResult(False, [], conflict_text=current)
    if current is None and base_hash:
        return SaveResult(False, [], conflict_text="")  # deleted since it was opened
    diff = "".join(
        difflib.unified_diff(
            (current or "").splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile="before",
            tofile="after",
        )
    )
    files.write_atomically(path, text)
    revision = ContentRevision(
        path=relative(path),
        author_id=editor.id,
        action=action,
        text=text,
        text_hash=files.text_hash(text),
        diff=diff,
        restored_from=restored_from,
    )
    db.session.add(revision)
    audit.record(f"content_{action}", actor=editor, path=relative(path))
    db.session.commit()
    store().refresh(force=True)
    return SaveResult(True, [], revision=revision)


def history(path: Path) -> list[ContentRevision]:
    return list(
        db.session.scalars(
            select(ContentRevision)
            .where(ContentRevision.path == relative(path))
            .order_by(ContentRevision.id.desc())
        )
    )


def revision(path: Path, revision_id: int) -> ContentRevision | None:
    return db.session.scalar(
        select(ContentRevision).where(
            ContentRevision.id == revision_id, ContentRevision.path == relative(path)
        )
    )


def translation_draft(english: Page, lang: str) -> Draft:
    """A new translation starts as the English page, marked as made from it and unreviewed."""
    post = frontmatter.load(root() / english.path)
    meta = dict(post.metadata)
    meta.update(
        source_hash=body_hash(post.content),
        translation_reviewed=False,
        reviewed=dt.date.today(),
    )
    return Draft(meta, post.content)
