"""The rendered-page cache in the real app: a page is kept once per value of the parameters it
reads, whatever else a reader adds to its address, and what is kept never echoes those additions
(the language links repeat the query string)."""

from __future__ import annotations

import pytest

from tests.conftest import make_app


@pytest.fixture()
def fresh(database_url):
    """An app of its own: the session's app has a cache that other tests fill."""
    app = make_app(database_url)
    return app.extensions["page_cache"], app.test_client()


def paths(cache) -> list[tuple[str, str]]:
    return sorted((path, query) for path, query, _htmx, _version in cache.entries)


def test_parameters_a_guidance_page_does_not_read_make_no_entries(fresh):
    cache, client = fresh
    client.get("/guidance/your-rights?utm_source=first")
    for i in range(30):
        response = client.get(f"/guidance/your-rights?x{i}={i}&utm_source=mail-{i}")
        assert response.status_code == 200
    assert paths(cache) == [("/guidance/your-rights", "")]
    html = client.get("/guidance/your-rights?utm_source=last").get_data(as_text=True)
    assert "utm_source" not in html and "x29" not in html  # the language links: nobody's junk
    assert 'href="/cy/guidance/your-rights"' in html


def test_each_set_of_directory_filters_is_its_own_entry_and_nothing_else_is(fresh):
    cache, client = fresh
    hackney = client.get("/support-services?need=safety&borough=Hackney&fbclid=1").get_data()
    assert client.get("/support-services?borough=Hackney&need=safety&fbclid=2").get_data()
    assert client.get("/support-services?need=safety&borough=Hackney").get_data() != hackney
    camden = client.get("/support-services?need=safety&borough=Camden&fbclid=3").get_data()
    assert b"fbclid" not in client.get("/support-services?need=safety&borough=Camden").get_data()
    assert camden != hackney
    assert paths(cache) == [
        ("/support-services", "borough=Camden&need=safety"),
        ("/support-services", "borough=Hackney&need=safety"),
    ]
    client.get("/support-services")
    client.get("/support-services?page=2")
    assert len(cache.entries) == 3


def test_a_directory_page_with_a_wrong_filter_is_not_kept(fresh):
    cache, client = fresh
    client.get("/support-services")
    for i in range(5):
        response = client.get(f"/support-services?borough=Nowhere{i}")
        assert response.status_code == 200
        assert "Choose a London borough from the list" in response.get_data(as_text=True)
    assert paths(cache) == [("/support-services", "")]


def test_the_cap_is_a_setting(database_url):
    app = make_app(database_url, PAGE_CACHE_MAX_BYTES=60_000)
    cache, client = app.extensions["page_cache"], app.test_client()
    for slug in ("your-rights", "find-support", "giving-evidence", "going-to-court"):
        assert client.get(f"/guidance/{slug}").status_code == 200
        assert client.get("/").status_code == 200
    assert cache.max_bytes == 60_000 and 0 < cache.size <= 60_000
    assert len(cache.entries) < 5  # some guidance pages were let go
    assert ("/", "", False, cache._version_seen) in cache.entries  # read last: kept
