"""URL converters: every URL parameter has a type, so malformed values answer 404 before a view."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter

from app.content.model import SECTIONS
from app.languages import KNOWN


class SlugConverter(BaseConverter):
    """A content slug: lower-case words joined by hyphens."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


class TokenConverter(BaseConverter):
    """A signed token from an e-mail link (URL-safe base64 and dots), of bounded length."""

    regex = r"[A-Za-z0-9_\-\.]{10,600}"


class PublicIdConverter(BaseConverter):
    """The public id of a record (random, URL-safe): never a database row number."""

    regex = r"[A-Za-z0-9_\-]{8,32}"


class ReferenceConverter(BaseConverter):
    """An agency's own reference for a case: 1 to 64 letters, digits, dots, hyphens, underscores."""

    regex = r"[A-Za-z0-9._\-]{1,64}"


class SectionConverter(BaseConverter):
    """A content section (see app/content/model.py)."""

    regex = "(?:" + "|".join(SECTIONS) + ")"


class LanguageCodeConverter(BaseConverter):
    """A language code the hub knows, as a parameter (not the page's own language prefix)."""

    regex = "(?:" + "|".join(KNOWN) + ")"


def init_app(app: Flask) -> None:
    app.url_map.converters.update(
        slug=SlugConverter,
        token=TokenConverter,
        pid=PublicIdConverter,
        section=SectionConverter,
        code=LanguageCodeConverter,
        ref=ReferenceConverter,
    )
