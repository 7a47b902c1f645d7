"""Writes small content trees for tests: `write_page(root, "en", "reporting", "slug", …)`."""

from __future__ import annotations

from pathlib import Path

import yaml


def write_page(
    root: Path,
    lang: str,
    section: str,
    slug: str,
    *,
    title: str = "A title",
    body: str = "Lead.\n\n## Part\n",
    **meta,
) -> Path:
    front = {
        "title": title,
        "summary": "A summary.",
        "section": section,
        "order": 10,
        "rights": [],
        "sources": ["https://www.gov.uk/"],
        "reviewed": "2026-11-23",
        **meta,
    }
    path = root / lang / section / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    path.write_text(
        text.replace("reviewed: '2026-11-23'", "reviewed: 2026-11-23"), encoding="utf-8"
    )
    return path
