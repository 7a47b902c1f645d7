"""The rendered-page cache for anonymous readers, as WSGI middleware in front of Flask.

A guidance page is the same for every anonymous reader, so the first full response (status,
headers, body, security headers included) is kept and replayed to the next reader without
entering Flask at all: no session, no rate-limit check, no template, no database query. Entries
are keyed by path, query string, htmx-ness and the content version, so an edited Markdown file
changes the key and the next request renders afresh. Only responses a view marks cacheable
(`mark_cacheable()`) are kept, and anyone with a session cookie always gets a fresh response.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import request
from werkzeug.http import parse_etags, unquote_etag

log = logging.getLogger("hub.request")

CACHEABLE = "hub.cacheable"
LOG_FIELDS = "hub.log_fields"
MAX_ENTRIES = 4096


def mark_cacheable() -> None:
    """Called by a view whose anonymous GET response is the same for everyone."""
    request.environ[CACHEABLE] = True


@dataclass(frozen=True)
class _Entry:
    etag: str
    headers: list[tuple[str, str]]
    not_modified_headers: list[tuple[str, str]]
    body: bytes
    log_fields: dict[str, Any] | None


_KEEP_ON_304 = {"cache-control", "etag", "vary", "content-security-policy", "date"}


class AnonymousPageCache:
    def __init__(
        self,
        wsgi_app: Callable,
        *,
        session_cookie: str,
        version: Callable[[], str],
        log_requests: bool,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.session_cookie = session_cookie + "="
        self.version = version
        self.log_requests = log_requests
        self.entries: dict[tuple, _Entry] = {}
        self._version_seen = ""

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or self.session_cookie in environ.get(
            "HTTP_COOKIE", ""
        ):
            return self.wsgi_app(environ, start_response)
        version = self.version()
        if version != self._version_seen:
            self.entries.clear()
            self._version_seen = version
        key = (
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            "HTTP_HX_REQUEST" in environ,
            version,
        )
        entry = self.entries.get(key)
        if entry is None:
            return self._render_and_keep(key, environ, start_response)
        started = time.perf_counter()
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and parse_etags(if_none_match).contains(entry.etag):
            start_response("304 NOT MODIFIED", entry.not_modified_headers)
            self._log(entry, 304, started)
            return []
        start_response("200 OK", entry.headers)
        self._log(entry, 200, started)
        return [entry.body]

    def _render_and_keep(self, key: tuple, environ: dict, start_response: Callable):
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        headers = captured.get("headers", [])
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        if environ.get(CACHEABLE) and captured.get("status", "").startswith("200") and etag:
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()
            self.entries[key] = _Entry(
                etag=unquote_etag(etag)[0],
                headers=[(k, v) for k, v in headers if k.lower() != "date"],
                not_modified_headers=[(k, v) for k, v in headers if k.lower() in _KEEP_ON_304],
                body=body,
                log_fields=environ.get(LOG_FIELDS),
            )
        return [body]

    def _log(self, entry: _Entry, status: int, started: float) -> None:
        if self.log_requests and entry.log_fields is not None:
            fields = {
                **entry.log_fields,
                "status": status,
                "cache": "hit",
                "ms": round((time.perf_counter() - started) * 1000, 2),
            }
            log.info("request", extra={"fields": fields})
