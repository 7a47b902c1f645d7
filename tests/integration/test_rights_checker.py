"""The anonymous rights checker: question by question by form post, errors kept with the other
answers, results on a page and as a PDF — no cookie, nothing cached, nothing in the URL."""

from __future__ import annotations

import re

from pypdf import PdfReader

# No app context held across requests: Flask-Babel keeps the translations it loaded in the app
# context, and one shared by the English and Arabic requests would keep English.


def hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def post(client, data: dict):
    response = client.post("/check-your-rights", data=data)
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    return response, response.get_data(as_text=True)


def walk(client, lang_prefix=""):
    steps = [
        {"step": "crime", "crime": "sexual"},
        {"step": "reported", "reported": "yes"},
        {"step": "stage", "stage": "cps_stopped"},
        {"step": "under_18", "under_18": "no"},
        {"step": "needs", "needs": ["intimidated"]},
        {
            "step": "when",
            "incident_date-day": "1",
            "incident_date-month": "3",
            "incident_date-year": "2026",
            "decision_date-day": "20",
            "decision_date-month": "11",
            "decision_date-year": "2026",
        },
    ]
    response, html = post(client, {})
    for data in steps:
        response = client.post(f"{lang_prefix}/check-your-rights", data={**hidden(html), **data})
        html = response.get_data(as_text=True)
    return response, html


def test_the_start_page_sets_no_cookie(client):
    response = client.get("/check-your-rights")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert "We do not keep your answers" in response.get_data(as_text=True)


def test_walking_through_the_questions_gives_the_rights_and_time_limits(client):
    response, html = walk(client)
    assert response.status_code == 200
    assert "You have enhanced rights" in html
    assert "You are scared to give evidence or for your safety" in html
    assert "Ask the CPS to look again at its decision, for a quick review" in html
    assert "4 December 2026" in html  # British dates


def test_a_missing_answer_is_explained_and_the_others_are_kept(client):
    _r, html = post(client, {"step": "crime", "crime": "fraud"})
    response, html = post(client, {**hidden(html), "step": "reported"})
    assert response.status_code == 400
    assert "Choose yes if you have told the police" in html and 'href="#reported"' in html
    assert hidden(html)["crime"] == "fraud"  # nothing lost
    response, html = post(client, {**hidden(html), "step": "reported", "reported": "no"})
    assert "Were you under 18" in html


def test_an_impossible_date_is_refused_politely(client):
    data = {
        "crime": "fraud",
        "reported": "no",
        "under_18": "no",
        "vulnerable": "no",
        "intimidated": "no",
        "targeted": "no",
        "_seen_needs": "yes",
    }
    february_31 = {
        "incident_date-day": "31",
        "incident_date-month": "2",
        "incident_date-year": "2026",
    }
    response, html = post(client, {**data, "step": "when", **february_31})
    assert response.status_code == 400
    assert "Enter a real date in the past" in html


def test_the_results_as_a_pdf(client):
    _response, html = walk(client)
    form = re.search(
        r'<form method="post" action="/check-your-rights/pdf"[^>]*>(.*?)</form>', html, re.S
    ).group(1)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    response = client.post("/check-your-rights/pdf", data=fields)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in response.headers
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "You have enhanced rights" in text and "4 December 2026" in text


def test_in_arabic(client):
    response, html = walk(client, "/ar")
    assert response.status_code == 200 and 'dir="rtl"' in html
    assert "You have enhanced rights" not in html  # translated
