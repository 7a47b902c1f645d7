"""The anonymous rendered-page cache, tested as plain WSGI."""

from __future__ import annotations

from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from app.page_cache import CACHEABLE, LOG_FIELDS, AnonymousPageCache


class CountingApp:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        request = Request(environ)
        response = Response(f"page {request.path} #{self.calls}", mimetype="text/html")
        response.set_etag(f"etag-{request.path}")
        response.headers["Content-Security-Policy"] = "default-src 'self'"
        if not request.path.startswith("/private"):
            environ[CACHEABLE] = True
            environ[LOG_FIELDS] = {"endpoint": "guidance.page"}
        return response(environ, start_response)


def make(version: list[str]):
    inner = CountingApp()
    cache = AnonymousPageCache(
        inner, session_cookie="session", version=lambda: version[0], log_requests=True
    )
    return inner, Client(cache)


def test_second_anonymous_get_is_replayed_without_the_app():
    inner, client = make(["v1"])
    first = client.get("/guidance/a")
    second = client.get("/guidance/a")
    assert inner.calls == 1
    assert second.get_data() == first.get_data() == b"page /guidance/a #1"
    assert second.headers["Content-Security-Policy"] == "default-src 'self'"
    assert second.headers["ETag"] == '"etag-/guidance/a"'


def test_query_string_and_htmx_are_part_of_the_key():
    inner, client = make(["v1"])
    client.get("/search?q=a")
    client.get("/search?q=b")
    client.get("/search?q=a", headers={"HX-Request": "true"})
    assert inner.calls == 3


def test_if_none_match_gets_304_from_the_cache():
    inner, client = make(["v1"])
    client.get("/guidance/a")
    response = client.get("/guidance/a", headers={"If-None-Match": '"etag-/guidance/a"'})
    assert response.status_code == 304 and response.get_data() == b""
    assert response.headers["ETag"] == '"etag-/guidance/a"'
    assert inner.calls == 1


def test_session_cookie_post_and_uncacheable_responses_bypass_the_cache():
    inner, client = make(["v1"])
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
    inner, client = make(version)
    client.get("/guidance/a")
    version[0] = "v2"
    assert client.get("/guidance/a").get_data() == b"page /guidance/a #2"
    assert inner.calls == 2


def test_hits_are_logged_without_personal_data(caplog):
    _, client = make(["v1"])
    client.get("/guidance/a?q=secret")
    with caplog.at_level("INFO", logger="hub.request"):
        client.get("/guidance/a?q=secret")
    fields = caplog.records[-1].fields
    assert fields["cache"] == "hit" and fields["status"] == 200
    assert "secret" not in str(fields)
