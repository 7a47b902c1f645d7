"""What guidance views, the PDF renderer and the CLI share."""

from __future__ import annotations

from flask import current_app

from ..content import ContentStore


def content_store() -> ContentStore:
    return current_app.extensions["content_store"]


def content_version() -> str:
    """The content version after picking up any edited file: part of every cached page's key."""
    store = content_store()
    store.refresh()
    return store.version
