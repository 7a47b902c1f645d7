"""The anonymous rights checker in a real browser (no cookie, no answers in the address, right to
left in Arabic, axe-clean on every question) and the navigators' compliance report."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.conftest import screenshot, sign_in_as_staff

RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def no_violations(page: Page) -> None:
    results = Axe().run(page, options={"runOnly": RULE_TAGS})
    assert results.response["passes"], "axe did not run"
    assert not results.response["violations"], [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_rights_checker(browser, live_server: str, lang: str):
    # axe is injected as a script, which the CSP forbids: bypass it for this context only.
    context = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 800})
    page = context.new_page()
    prefix = "" if lang == "en" else f"/{lang}"
    page.goto(f"{live_server}{prefix}/check-your-rights")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    no_violations(page)
    page.locator(".govuk-button--start").click()

    def answer(choice: str) -> None:
        no_violations(page)
        page.locator(choice).check()
        page.locator("form .govuk-button").last.click()

    # An unanswered question is explained, in the page's language.
    page.locator("form .govuk-button").last.click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    screenshot(page, f"40-checker-error-{lang}-360")
    answer("input[name=crime][value=domestic]")
    answer("input[name=reported][value=yes]")
    answer("input[name=stage][value=cps_stopped]")
    answer("input[name=under_18][value=no]")
    answer("input[name=needs][value=intimidated]")
    no_violations(page)
    page.locator("#decision_date-day").fill("20")
    page.locator("#decision_date-month").fill("11")
    page.locator("#decision_date-year").fill("2026")
    page.locator("form .govuk-button").last.click()
    expect(page.locator(".govuk-inset-text h2")).to_be_visible()  # enhanced rights
    if lang == "en":
        expect(page.locator("h1")).to_have_text("Your rights")
        expect(page.get_by_text("4 December 2026").first).to_be_visible()
    screenshot(page, f"41-checker-results-{lang}-360")
    no_violations(page)
    assert page.url.endswith("/check-your-rights")  # no answers in the address
    assert context.cookies() == []  # and none in a cookie
    with page.expect_download() as download:
        page.locator("form[action$='/check-your-rights/pdf'] button").click()
    assert download.value.suggested_filename == "your-rights.pdf"
    context.close()


def test_compliance_report_for_navigators(browser, live_server: str):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_as_staff(page, live_server, "navigator@example.org")
    page.goto(live_server + "/navigator/compliance")
    expect(page.locator("h1")).to_have_text("Victims' Code compliance")
    expect(page.locator("svg.app-chart")).to_be_visible()
    expect(page.locator("table").first).to_be_visible()
    screenshot(page, "42-compliance-1280")
    no_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    context.close()
