"""HTTP caching headers.

Anonymous pages carry an ETag and `Cache-Control: no-cache` (a browser or proxy may store them but
asks again before use, so an edit is seen at once and an unchanged page costs a 304). Anything
shown to a signed-in person is `no-store`. Built assets, whose names carry a content hash, are
cached for a year. The rendered-page cache itself is in page_cache.py.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, request

from app.page_cache import AnonymousPageCache, mark_cacheable

ANONYMOUS_CACHE_CONTROL = "no-cache"
PRIVATE_CACHE_CONTROL = "no-store"


def is_anonymous() -> bool:
    return current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def cached_page(view: Callable | None = None, *, args: Collection[str] = ()) -> Callable:
    """Mark a view's anonymous GET response as the same for every reader (see page_cache.py):
    `@cached_page` for a page that reads no query parameter, `@cached_page(args=("need", …))`
    for one whose response depends on those (and on no other)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if request.method == "GET" and is_anonymous():
                mark_cacheable(args)
            return view(**kwargs)

        return wrapper

    return decorator if view is None else decorator(view)


def init_app(app: Flask, version: Callable[[], str]) -> None:
    cache = AnonymousPageCache(
        app.wsgi_app,
        session_cookie=app.config["SESSION_COOKIE_NAME"],
        version=version,
        log_requests=app.config["LOG_REQUESTS"],
        max_bytes=app.config["PAGE_CACHE_MAX_BYTES"],
    )
    app.wsgi_app = cache  # type: ignore[method-assign]
    # Found here, not as app.wsgi_app: other middleware (the trusted-proxy filter) wraps it.
    app.extensions["page_cache"] = cache

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
