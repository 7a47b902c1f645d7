"""Language in the URL path: `/` is English, `/cy/…` Welsh, `/ar/…` Arabic.

Keeping the language in the path (not in a cookie) leaves anonymous pages cookie-free and lets any
cache store each language's page under its own URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, g, request, url_for
from werkzeug.routing import BaseConverter

from app.languages import DEFAULT, KNOWN, Language


def _lang_converter(codes: list[str]) -> type[BaseConverter]:
    """A converter matching the path prefix of an enabled language other than English."""
    pattern = "(?:" + "|".join(codes) + ")" if codes else "(?!)"
    return type("LangConverter", (BaseConverter,), {"regex": pattern})


def enabled_languages() -> tuple[Language, ...]:
    return current_app.extensions["hub_languages"]


def localized_route(bp: Blueprint, rule: str, **options: Any) -> Callable:
    """Register a view at `rule` for English and at `/<lang>rule` for the other languages."""

    def decorator(view: Callable) -> Callable:
        bp.add_url_rule(rule, view_func=view, defaults={"lang": DEFAULT}, **options)
        bp.add_url_rule("/<lang:lang>" + rule, view_func=view, **options)
        return view

    return decorator


def lang_from_path(path: str, codes: frozenset[str]) -> str:
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in codes and first != DEFAULT else DEFAULT


def current_language() -> Language:
    return KNOWN[g.get("lang", DEFAULT)]


def switcher_links() -> list[tuple[Language, str]]:
    """The same page in each enabled language (the home page where a page has no language)."""
    endpoint, args = request.endpoint, dict(request.view_args or {})
    links = []
    for language in enabled_languages():
        if endpoint and "lang" in args:
            href = url_for(endpoint, **{**args, "lang": language.code})
            if request.query_string and request.method == "GET":
                href += "?" + request.query_string.decode("latin-1")
        else:
            href = url_for("guidance.home", lang=language.code)
        links.append((language, href))
    return links


def init_app(app: Flask) -> None:
    codes = [c for c in app.config["HUB_LANGUAGES"] if c in KNOWN]
    if DEFAULT not in codes:
        codes.insert(0, DEFAULT)
    app.extensions["hub_languages"] = tuple(KNOWN[c] for c in codes)
    others = [c for c in codes if c != DEFAULT]
    app.url_map.converters["lang"] = _lang_converter(others)
    code_set = frozenset(codes)

    @app.before_request
    def _set_language() -> None:
        g.lang = lang_from_path(request.path, code_set)

    @app.url_defaults
    def _add_language(endpoint: str, values: dict[str, Any]) -> None:
        if "lang" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = g.get("lang", DEFAULT)

    @app.context_processor
    def _language_context() -> dict[str, Any]:
        return {
            "current_language": current_language(),
            "languages": enabled_languages(),
            "switcher_links": switcher_links,
        }


def select_locale() -> str:
    lang = g.get("lang", DEFAULT)
    # British English dates and numbers ("24 November 2026", not "November 24, 2026"); the
    # English text itself is the msgids, so no catalogue is needed for en_GB.
    return "en_GB" if lang == "en" else lang
