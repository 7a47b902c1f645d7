"""The anonymous support directory page: filters in the query string, no cookie, cacheable, an
unknown value shown as a form error with the other choices kept, right-to-left in Arabic."""

from __future__ import annotations

import re

from app.directory.services import load_services
from tests.pages import check_page


def get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"]
    assert response.headers["ETag"]
    html = response.get_data(as_text=True)
    check_page(html)
    return html


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="govuk-summary-card__title"[^>]*>([^<]+)</h3>', html)


def test_without_filters_every_service_is_listed(client):
    html = get(client, "/support-services")
    names = titles(html)
    assert len(names) == len(load_services())
    assert f"{len(names)} services" in html
    assert "Victim Support" in names and "Samaritans" in names
    assert 'href="tel:08081689111"' in html
    assert 'href="/guidance/find-support"' in html
    assert 'action="/support-services"' in html


def test_a_borough_shows_its_own_services_first_and_not_other_boroughs(client):
    html = get(client, "/support-services?need=safety&borough=Hackney")
    names = titles(html)
    assert names[0] == "Hackney Domestic Abuse Intervention Service"
    assert "National Domestic Abuse Helpline (Refuge)" in names
    assert "The Gaia Centre (Lambeth)" not in names  # Lambeth only
    assert "Samaritans" not in names  # not a safety service
    assert '<option value="Hackney" selected>' in html
    assert '<option value="safety" selected>' in html


def test_crime_and_language_filters(client):
    names = titles(get(client, "/support-services?crime=fraud&need=reporting"))
    assert "Report Fraud" in names and "Crimestoppers" in names
    assert "Tell MAMA" not in names
    names = titles(get(client, "/support-services?language=ar"))
    assert "NHS 111" in names  # arranges interpreters
    assert "Samaritans" not in names


def test_an_unknown_value_shows_the_error_and_keeps_the_other_choices(client):
    html = get(client, "/support-services?need=court&crime=burglary&borough=Camden")
    assert re.search(r'<h2 class="govuk-error-summary__title">\s*There is a problem\s*</h2>', html)
    assert '<a href="#crime">Choose what happened from the list</a>' in html
    assert 'id="crime-error"' in html and 'aria-describedby="crime-error"' in html
    assert '<option value="court" selected>' in html
    assert '<option value="Camden" selected>' in html
    assert "<title>Error:" in html
    assert not titles(html)


def test_every_bad_filter_is_reported_and_nothing_breaks(client):
    html = get(client, "/support-services?need=%00&borough=Atlantis&language=xx&crime=")
    for name in ("need", "borough", "language"):
        assert f'id="{name}-error"' in html
    assert 'id="crime-error"' not in html  # empty means "any"


def test_the_arabic_page_is_right_to_left_and_marks_english_data(client):
    html = get(client, "/ar/support-services?borough=Lambeth")
    assert re.search(r'<html lang="ar" dir="rtl"', html)
    assert 'action="/ar/support-services"' in html
    assert 'lang="en" dir="ltr">The Gaia Centre (Lambeth)</h3>' in html
    assert '<bdi><a class="govuk-link" href="tel:02077338724">020 7733 8724</a></bdi>' in html
    assert 'href="/ar/guidance/find-support"' in html


def test_a_repeat_request_is_answered_not_modified(client):
    first = client.get("/support-services?need=money")
    again = client.get(
        "/support-services?need=money", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and "Set-Cookie" not in again.headers
