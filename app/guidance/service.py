"""What guidance views, the PDF renderer and the CLI share."""

from __future__ import annotations

from flask import current_app

from app.content import ContentStore


def content_store() -> ContentStore:
    """The content store, after picking up any edited file (the check is throttled: cheap)."""
    store: ContentStore = current_app.extensions["content_store"]
    store.refresh()
    return store
