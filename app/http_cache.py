"""HTTP caching for anonymous pages, and the in-process cache of rendered guidance pages.

Anonymous pages carry an ETag and `Cache-Control: no-cache` (store, but ask again before use, so an
edit is seen at once and an unchanged page costs a 304). Anything shown to a signed-in person is
`no-store`. Guidance pages are also kept rendered in memory, keyed by path, query, htmx-ness and
the content version, so an anonymous hit does no template work and no database query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, g, make_response, request

ANONYMOUS_CACHE_CONTROL = "no-cache"
PRIVATE_CACHE_CONTROL = "no-store"
MAX_ENTRIES = 4096


@dataclass(frozen=True)
class _Entry:
    etag: str
    body: bytes
    headers: tuple[tuple[str, str], ...]


def is_anonymous() -> bool:
    return current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def _not_modified(etag: str) -> Response:
    response = Response(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = ANONYMOUS_CACHE_CONTROL
    response.vary.add("HX-Request")
    return response


def cached_page(version: Callable[[], str]) -> Callable:
    """Serve a view's anonymous GET response from memory while `version()` is unchanged."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if request.method != "GET" or not is_anonymous():
                return view(**kwargs)
            cache: dict = current_app.extensions["hub_page_cache"]
            key = (request.path, request.query_string, "HX-Request" in request.headers, version())
            entry = cache.get(key)
            if entry is None:
                response = make_response(view(**kwargs))
                if response.status_code != 200 or response.direct_passthrough:
                    return response
                body = response.get_data()
                etag = hashlib.sha256(body).hexdigest()[:20]
                headers = tuple(
                    (k, v) for k, v in response.headers.items() if k.lower() != "content-length"
                )
                entry = _Entry(etag, body, headers)
                if len(cache) >= MAX_ENTRIES:
                    cache.clear()
                cache[key] = entry
            if entry.etag in request.if_none_match:
                g.not_modified = True
                return _not_modified(entry.etag)
            response = Response(entry.body, headers=list(entry.headers))
            response.set_etag(entry.etag)
            return response

        return wrapper

    return decorator


def init_app(app: Flask) -> None:
    app.extensions["hub_page_cache"] = {}

    @app.after_request
    def _cache_headers(response: Response) -> Response:
        if request.endpoint == "static":
            if request.view_args and str(request.view_args.get("filename", "")).startswith("dist/"):
                # Built assets carry a content hash in their name: they never change.
                response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            return response
        if "Cache-Control" in response.headers and response.headers["Cache-Control"] != "no-cache":
            return response
        if request.method in {"GET", "HEAD"} and is_anonymous() and response.status_code == 200:
            response.headers["Cache-Control"] = ANONYMOUS_CACHE_CONTROL
            response.vary.add("HX-Request")
            if not response.direct_passthrough and "ETag" not in response.headers:
                response.add_etag()
                response.make_conditional(request)
        elif response.status_code != 304:
            response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response
