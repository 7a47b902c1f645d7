"""Where the editor may read and write: only Markdown files under CONTENT_DIR, named
<lang>/<section>/<slug>.md with a known language and section and a well-formed slug. No Flask."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from app.content.model import SECTIONS

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class UnsafePath(ValueError):
    """A path the editor must not touch."""


def content_path(
    root: Path, lang: str, section: str, slug: str, languages: tuple[str, ...]
) -> Path:
    if lang not in languages:
        raise UnsafePath(f"unknown language {lang!r}")
    if section not in SECTIONS:
        raise UnsafePath(f"unknown section {section!r}")
    if not SLUG.fullmatch(slug) or len(slug) > 100:
        raise UnsafePath(f"not a valid page name {slug!r}")
    root = root.resolve()
    path = root / lang / section / f"{slug}.md"
    # Refuse symlinks anywhere on the way: a link could point outside content/.
    for part in (root / lang, root / lang / section, path):
        if part.is_symlink():
            raise UnsafePath(f"{part.relative_to(root)} is a symbolic link")
    if root not in path.resolve().parents:
        raise UnsafePath("outside the content folder")
    return path


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside the target, then rename over it: a reader (the site, or
    a crash) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
