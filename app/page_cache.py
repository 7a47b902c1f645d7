"""The rendered-page cache for anonymous readers, as WSGI middleware in front of Flask.

A guidance page is the same for every anonymous reader, so the first full response (status,
headers, body, security headers included) is kept and replayed to the next reader without
entering Flask at all: no session, no rate-limit check, no template, no database query. Only
responses a view marks cacheable (`mark_cacheable()`) are kept, and anyone with a session cookie
always gets a fresh response.

An entry's key is the path, the query parameters the page reads (each view names them when it
marks itself cacheable: none for a guidance page, the filters for the support directory), whether
htmx asked, and the content version (an edited Markdown file changes the key and the next
request renders afresh). Parameters a page does not read make no entries: the cache learns, from
the first cacheable response of a path, which parameters that path's page reads, and from then on
passes the page only those, in one order, so what is rendered is exactly what the key says
(the language links, which repeat the query string, carry nothing a reader added).

The entries are kept to PAGE_CACHE_MAX_BYTES (bodies and headers) a process; when a new one
would pass it, the least recently used go first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import request
from werkzeug.http import parse_etags, unquote_etag

log = logging.getLogger("hub.request")

CACHEABLE = "hub.cacheable"  # in the WSGI environ: the query parameters the page reads (a tuple)
LOG_FIELDS = "hub.log_fields"
MAX_BYTES = 8 * 1024 * 1024
MAX_PATHS = 4096  # paths whose parameters are known; only pages that were cacheable count


def mark_cacheable(args: Collection[str] = ()) -> None:
    """Called by a view whose anonymous GET response is the same for everyone who asks with the
    same values of the query parameters `args` (and any others, which it does not read)."""
    request.environ[CACHEABLE] = tuple(sorted(set(args)))


def not_cacheable() -> None:
    """Called by a cacheable view whose response this time is not worth keeping (an error)."""
    request.environ.pop(CACHEABLE, None)


def page_query(query_string: str, args: tuple[str, ...]) -> str:
    """The query string reduced to the parameters `args`, in a canonical order (by name; a
    repeated parameter's values keep their order)."""
    if not args or not query_string:
        return ""
    pairs = [(k, v) for k, v in parse_qsl(query_string, keep_blank_values=True) if k in args]
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))


@dataclass(frozen=True)
class _Entry:
    etag: str
    headers: list[tuple[str, str]]
    not_modified_headers: list[tuple[str, str]]
    body: bytes
    log_fields: dict[str, Any] | None
    size: int  # bytes of body and headers, as counted against the cap


_KEEP_ON_304 = {"cache-control", "etag", "vary", "content-security-policy", "date"}


class AnonymousPageCache:
    def __init__(
        self,
        wsgi_app: Callable,
        *,
        session_cookie: str,
        version: Callable[[], str],
        log_requests: bool,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.session_cookie = session_cookie + "="
        self.version = version
        self.log_requests = log_requests
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple, _Entry] = OrderedDict()  # least recently used first
        self.size = 0  # bytes of all the entries
        self.args_of: dict[str, tuple[str, ...]] = {}  # path: the parameters its page reads
        self._version_seen = ""
        self._lock = threading.Lock()  # gunicorn's threads share one cache

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or self.session_cookie in environ.get(
            "HTTP_COOKIE", ""
        ):
            return self.wsgi_app(environ, start_response)
        version = self.version()
        if version != self._version_seen:
            with self._lock:
                if version != self._version_seen:
                    self.entries.clear()
                    self.size = 0
                    self._version_seen = version
        path = environ.get("PATH_INFO", "")
        htmx = "HTTP_HX_REQUEST" in environ
        args = self.args_of.get(path)
        if args is None:  # not (yet) known to be a cacheable page: ask the app as it is
            return self._render_and_keep(path, htmx, version, environ, start_response)
        query = page_query(environ.get("QUERY_STRING", ""), args)
        key = (path, query, htmx, version)
        with self._lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)  # the most recently used
        if entry is None:
            environ["QUERY_STRING"] = query  # the page sees only what its key says
            return self._render_and_keep(path, htmx, version, environ, start_response)
        started = time.perf_counter()
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and parse_etags(if_none_match).contains(entry.etag):
            start_response("304 NOT MODIFIED", entry.not_modified_headers)
            self._log(entry, 304, started)
            return []
        start_response("200 OK", entry.headers)
        self._log(entry, 200, started)
        return [entry.body]

    def _render_and_keep(
        self, path: str, htmx: bool, version: str, environ: dict, start_response: Callable
    ):
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
        args = environ.get(CACHEABLE)
        if args is None or not captured.get("status", "").startswith("200") or not etag:
            return [body]
        args = tuple(args)
        query_string = environ.get("QUERY_STRING", "")
        query = page_query(query_string, args)
        with self._lock:
            if path not in self.args_of and len(self.args_of) >= MAX_PATHS:
                self.args_of.clear()
            self.args_of[path] = args
        if query != query_string:
            # A first request of this path, with parameters the page does not read or in
            # another order: what it rendered is not what the key says. The next one will be.
            return [body]
        kept = [(k, v) for k, v in headers if k.lower() != "date"]
        entry = _Entry(
            etag=unquote_etag(etag)[0],
            headers=kept,
            not_modified_headers=[(k, v) for k, v in headers if k.lower() in _KEEP_ON_304],
            body=body,
            log_fields=environ.get(LOG_FIELDS),
            size=len(body) + len(path) + len(query) + sum(len(k) + len(v) for k, v in headers),
        )
        self._keep((path, query, htmx, version), entry)
        return [body]

    def _keep(self, key: tuple, entry: _Entry) -> None:
        if entry.size > self.max_bytes:
            return
        with self._lock:
            before = self.entries.pop(key, None)
            if before is not None:
                self.size -= before.size
            self.entries[key] = entry
            self.size += entry.size
            while self.size > self.max_bytes:
                _key, gone = self.entries.popitem(last=False)
                self.size -= gone.size

    def _log(self, entry: _Entry, status: int, started: float) -> None:
        if self.log_requests and entry.log_fields is not None:
            fields = {
                **entry.log_fields,
                "status": status,
                "cache": "hit",
                "ms": round((time.perf_counter() - started) * 1000, 2),
            }
            log.info("request", extra={"fields": fields})
