"""A person's path through the hub on a 360 px phone, in a real browser against a real server."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import screenshot

PHONE = {"width": 360, "height": 740}


@pytest.fixture()
def phone(page: Page) -> Page:
    page.set_viewport_size(PHONE)
    return page


def test_home_to_exit_on_a_phone(phone: Page, live_server: str, neutral_site: str):
    page = phone
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(live_server + "/")
    expect(page.locator("h1")).to_have_text("Help after a crime")
    screenshot(page, "01-home-360")

    # The service navigation is folded behind "Menu" on a phone.
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Step by step").click()
    expect(page.locator("h1")).to_have_text("The justice journey, step by step")
    screenshot(page, "02-step-by-step-360")

    page.locator(".app-step-nav").get_by_role("link", name=re.compile("Special measures")).click()
    expect(page).to_have_url(re.compile(r"/guidance/special-measures$"))
    screenshot(page, "03-page-360")

    page.get_by_role("link", name="العربية").click()
    expect(page).to_have_url(re.compile(r"/ar/guidance/special-measures$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    screenshot(page, "04-page-arabic-360")

    page.goto(live_server + "/ar/guidance/your-rights")
    expect(page.locator("article")).not_to_have_attribute("lang", "en")  # translated, not fallback
    screenshot(page, "05-rights-arabic-360")

    page.goto(live_server + "/search")
    page.locator("#q").fill("court")
    # Live results arrive through htmx, without a full page load.
    expect(page.locator("#search-results .app-search-result").first).to_be_visible()
    expect(page.locator("#search-status")).to_contain_text("pages found")
    assert page.url.endswith("/search")  # no navigation happened
    screenshot(page, "06-search-live-360")
    # Submitting is upgraded by htmx too: results update in place, leaving no history entry.
    page.locator("#q").press("Enter")
    expect(page.locator("#search-status")).to_contain_text("pages found")
    searched_url = page.url

    # Exit this page: Shift pressed three times, from anywhere on the page.
    page.locator("h1").click()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(neutral_site + "**")
    assert page.title() == "Weather"
    page.go_back()
    assert page.url != searched_url, "Back returned to the page the person left"

    own = urlparse(live_server).netloc
    foreign = {urlparse(u).netloc for u in requests} - {own, urlparse(neutral_site).netloc}
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_exit_button_replaces_history(page: Page, live_server: str, neutral_site: str):
    page.goto(live_server + "/guidance/how-to-report")
    page.goto(live_server + "/guidance/after-you-report")
    page.locator(".govuk-exit-this-page__button").click()
    page.wait_for_url(neutral_site + "**")
    page.go_back()
    assert page.url.endswith("/guidance/how-to-report")


@pytest.mark.parametrize("width", [320, 375, 480, 768])
def test_exit_button_stays_in_view_and_uncovered(page: Page, live_server: str, width: int):
    page.set_viewport_size({"width": width, "height": 640})
    page.goto(live_server + "/guidance/your-rights")
    page.mouse.wheel(0, 2500)
    page.wait_for_timeout(200)
    box = page.locator(".govuk-exit-this-page__button").bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= 640
    on_top = page.evaluate(
        "([x, y]) => !!document.elementFromPoint(x, y).closest('.govuk-exit-this-page__button')",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top, "something covers the Exit this page button"


def test_anonymous_reading_leaves_no_cookie_or_storage(page: Page, live_server: str):
    for path in ["/", "/guidance/your-rights", "/cy/", "/search?q=court"]:
        page.goto(live_server + path)
    assert page.context.cookies() == []
    stored = page.evaluate("() => sessionStorage.length + localStorage.length")
    assert stored == 0


@pytest.mark.parametrize("lang", ["ar", "ur"])
def test_right_to_left_pages_mirror_on_a_phone(phone: Page, live_server: str, lang: str):
    page = phone
    page.goto(f"{live_server}/{lang}/guidance/your-rights")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # The heading's text starts at the right edge, and the Exit button spans the phone's width.
    heading = page.locator("h1").bounding_box()
    assert heading["x"] + heading["width"] > PHONE["width"] - 30
    exit_button = page.locator(".govuk-exit-this-page__button").bounding_box()
    assert exit_button["width"] > PHONE["width"] * 0.8
    screenshot(page, f"07-rights-{lang}-360")
