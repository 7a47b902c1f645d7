"""Search: ranking, states, htmx fragments and bad input."""

from __future__ import annotations

import pytest

from tests.pages import check_page


def titles(html: str) -> list[str]:
    import re

    return re.findall(
        r'class="govuk-heading-m app-search-result__summary">\s*<a[^>]*>([^<]+)</a>', html
    )


def test_results_rank_title_matches_first(client):
    html = client.get("/search?q=special measures").get_data(as_text=True)
    found = titles(html)
    assert found, html
    assert "special measures" in found[0].lower()


def test_prefix_matching_for_live_search(client):
    assert titles(client.get("/search?q=compens").get_data(as_text=True))


def test_highlights_are_escaped_text_with_marks(client):
    html = client.get("/search?q=court").get_data(as_text=True)
    assert "<mark>" in html


def test_search_in_arabic_finds_arabic_pages_and_english_fallbacks(client):
    arabic = client.get("/ar/search?q=حقوق").get_data(as_text=True)
    assert titles(arabic), "no Arabic result for حقوق"
    english_fallback = client.get("/ar/search?q=special").get_data(as_text=True)
    assert 'lang="en" dir="ltr"' in english_fallback


def test_no_results_state(client):
    html = client.get("/search?q=zzzqqqxxx").get_data(as_text=True)
    assert "No pages match your search" in html
    assert "0 pages found" in html


def test_empty_state(client):
    html = client.get("/search").get_data(as_text=True)
    assert "Type a word or two" in html


def test_htmx_request_gets_only_the_results_block(client):
    response = client.get("/search?q=court", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<header" not in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert titles(html)
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("lang", ["", "/cy", "/ar"])
def test_oversized_query_gets_a_clear_translated_error_and_keeps_the_text(client, lang):
    query = "court " * 40
    response = client.get(f"{lang}/search", query_string={"q": query})
    assert response.status_code == 200
    root = check_page(response.data)
    html = response.get_data(as_text=True)
    assert 'class="govuk-error-summary"' in html
    assert f'value="{query}"' in html
    if not lang:
        assert "Search terms must be 100 characters or fewer" in html
        assert root.find(".//{http://www.w3.org/1999/xhtml}title").text.startswith("Error:")


@pytest.mark.parametrize(
    "query_string",
    [
        b"q=%ff%fe%00",
        b"q=%",
        b"q=%zz&q=second",
        b"q[]=x&q[a]=y",
        b'q="unbalanced AND (OR NEAR *',
        b"q=title:secret",
        b"q=%27%3B%20DROP%20TABLE%20search_document%3B--",
        b"q=" + b"a" * 5000,
        b"&&&==&q",
    ],
)
def test_malformed_queries_never_fail(client, query_string):
    raw = query_string.decode("latin-1")  # WSGI carries the query string as latin-1 text
    response = client.get("/search", environ_overrides={"QUERY_STRING": raw})
    assert response.status_code == 200
    check_page(response.data)
    assert client.get("/search?q=court").status_code == 200  # the index survived
