"""The anonymous rendered-page cache, tested as plain WSGI."""

from __future__ import annotations

import threading

from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from app.page_cache import CACHEABLE, LOG_FIELDS, AnonymousPageCache


class CountingApp:
    def __init__(self) -> None:
        self.calls = 0
        self.seen: list[str] = []  # the query string of each request the app was asked

    def __call__(self, environ, start_response):
        self.calls += 1
        request = Request(environ)
        response = Response(f"page {request.path} #{self.calls}", mimetype="text/html")
        response.set_etag(f"etag-{request.path}")
        response.headers["Content-Security-Policy"] = "default-src 'self'"
        if not request.path.startswith("/private"):
            # /search reads `q`, /directory `need` and `borough`; the other pages read nothing.
            environ[CACHEABLE] = READS.get(request.path, ())
            environ[LOG_FIELDS] = {"endpoint": "guidance.page"}
        self.seen.append(environ.get("QUERY_STRING", ""))
        return response(environ, start_response)


READS = {"/search": ("q",), "/directory": ("borough", "need")}


def make(version: list[str], max_bytes: int = 1_000_000):
    inner = CountingApp()
    cache = AnonymousPageCache(
        inner,
        session_cookie="session",
        version=lambda: version[0],
        log_requests=True,
        max_bytes=max_bytes,
    )
    return inner, cache, Client(cache)


def test_second_anonymous_get_is_replayed_without_the_app():
    inner, _cache, client = make(["v1"])
    first = client.get("/guidance/a")
    second = client.get("/guidance/a")
    assert inner.calls == 1
    assert second.get_data() == first.get_data() == b"page /guidance/a #1"
    assert second.headers["Content-Security-Policy"] == "default-src 'self'"
    assert second.headers["ETag"] == '"etag-/guidance/a"'


def test_the_parameters_a_page_reads_and_htmx_are_part_of_the_key():
    inner, cache, client = make(["v1"])
    assert client.get("/search?q=a").get_data() == b"page /search #1"
    assert client.get("/search?q=b").get_data() == b"page /search #2"
    assert client.get("/search?q=a", headers={"HX-Request": "true"}).get_data().endswith(b"#3")
    assert client.get("/search?q=a").get_data() == b"page /search #1"
    assert client.get("/search?q=b").get_data() == b"page /search #2"
    assert client.get("/search").get_data() == b"page /search #4"
    assert inner.calls == 4 and len(cache.entries) == 4


def test_parameters_a_page_does_not_read_make_no_entries():
    inner, cache, client = make(["v1"])
    client.get("/guidance/a")
    for i in range(300):
        page = client.get(f"/guidance/a?x{i}={i}&utm_source=mail").get_data()
        assert page == b"page /guidance/a #1"
    client.get("/search?q=a")
    for i in range(50):
        assert client.get(f"/search?q=a&page={i}").get_data() == b"page /search #2"
    assert inner.calls == 2 and len(cache.entries) == 2


def test_the_page_is_rendered_from_its_own_parameters_only():
    """What is kept under a key is what that key's page renders: the app never sees a
    parameter the page does not read (it could echo it, as the language links do)."""
    inner, cache, client = make(["v1"])
    client.get("/directory?borough=Hackney&junk=1&need=safety")  # the path's first request
    client.get("/directory?junk=2&need=safety&borough=Hackney")
    assert inner.seen == ["borough=Hackney&junk=1&need=safety", "borough=Hackney&need=safety"]
    assert len(cache.entries) == 1  # the first, which saw `junk`, was not kept
    assert client.get("/directory?need=safety&borough=Hackney").get_data().endswith(b"#2")
    client.get("/directory?need=safety&borough=Hackney&borough=Camden")
    assert inner.seen[-1] == "borough=Hackney&borough=Camden&need=safety"
    assert inner.calls == 3 and len(cache.entries) == 2


def test_the_entries_stay_under_the_byte_cap_least_recently_used_first_out():
    inner, cache, client = make(["v1"], max_bytes=4_000)
    client.get("/guidance/kept")
    one = cache.size
    assert 0 < one < 200
    for i in range(200):
        client.get(f"/guidance/{i}")
        client.get("/guidance/kept")  # read again and again: never the least recently used
        assert cache.size <= 4_000
    assert 10 < len(cache.entries) < 50  # some pages were let go, not all
    assert cache.size == sum(entry.size for entry in cache.entries.values())
    calls = inner.calls
    assert client.get("/guidance/kept").get_data() == b"page /guidance/kept #1"
    assert client.get("/guidance/199").get_data().endswith(b"#201")  # the newest: still kept
    client.get("/guidance/0")  # long gone
    assert inner.calls == calls + 1


def test_a_page_bigger_than_the_cap_is_not_kept():
    inner, cache, client = make(["v1"], max_bytes=50)
    client.get("/guidance/a")
    client.get("/guidance/a")
    assert inner.calls == 2 and cache.size == 0 and not cache.entries


def test_if_none_match_gets_304_from_the_cache():
    inner, _cache, client = make(["v1"])
    client.get("/guidance/a")
    response = client.get("/guidance/a", headers={"If-None-Match": '"etag-/guidance/a"'})
    assert response.status_code == 304 and response.get_data() == b""
    assert response.headers["ETag"] == '"etag-/guidance/a"'
    assert inner.calls == 1


def test_session_cookie_post_and_uncacheable_responses_bypass_the_cache():
    inner, _cache, client = make(["v1"])
    client.get("/private/x")
    client.get("/private/x")
    assert inner.calls == 2
    client.get("/guidance/a")
    client.set_cookie("session", "abc")
    assert client.get("/guidance/a").get_data() == b"page /guidance/a #4"
    client.delete_cookie("session")
    client.post("/guidance/a")
    assert inner.calls == 5


def test_a_new_content_version_renders_afresh():
    version = ["v1"]
    inner, _cache, client = make(version)
    client.get("/guidance/a")
    version[0] = "v2"
    assert client.get("/guidance/a").get_data() == b"page /guidance/a #2"
    assert inner.calls == 2


def test_hits_are_logged_without_personal_data(caplog):
    _inner, _cache, client = make(["v1"])
    client.get("/search?q=secret")
    with caplog.at_level("INFO", logger="hub.request"):
        client.get("/search?q=secret")
    fields = caplog.records[-1].fields
    assert fields["cache"] == "hit" and fields["status"] == 200
    assert "secret" not in str(fields)


def test_threads_share_the_cache_and_its_byte_count():
    _inner, cache, _client = make(["v1"], max_bytes=3_000)

    def read(n: int) -> None:
        client = Client(cache)
        for i in range(200):
            client.get(f"/guidance/{(i * n) % 60}?x={i}")

    threads = [threading.Thread(target=read, args=(n,)) for n in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 0 < cache.size <= 3_000
    assert cache.size == sum(entry.size for entry in cache.entries.values())
