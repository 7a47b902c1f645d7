"""Temporary (not committed): screenshots of the console at two widths, and of a form error."""

from playwright.sync_api import expect

from e2e.conftest import sign_in_as_staff
from e2e.test_requests import no_violations

OUT = "/tmp/forms-b"


def test_screens(browser, live_server):
    for width in (360, 1280):
        context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in_as_staff(page, live_server, "navigator@example.org")
        page.goto(f"{live_server}/navigator")
        no_violations(page)
        page.screenshot(path=f"{OUT}/console-{width}.png", full_page=True)
        page.locator("table a[href*='/navigator/victims/']").first.click()
        no_violations(page)
        page.screenshot(path=f"{OUT}/victim-{width}.png", full_page=True)
        # A reply with nothing in it, without JavaScript's help (the full page comes back).
        page.locator("#reply").fill("")
        page.locator("#call-note").fill("Called at 10")
        page.get_by_role("button", name="Record the call").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        no_violations(page)
        page.screenshot(path=f"{OUT}/call-error-{width}.png", full_page=True)
        page.goto(f"{live_server}/navigator/tasks")
        no_violations(page)
        page.screenshot(path=f"{OUT}/tasks-{width}.png", full_page=True)
        page.goto(f"{live_server}/navigator/compliance")
        no_violations(page)
        page.screenshot(path=f"{OUT}/compliance-{width}.png", full_page=True)
        context.close()
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_as_staff(page, live_server, "navigator@example.org")
    page.goto(f"{live_server}/navigator")
    link = page.locator("table a[href*='/navigator/victims/']").first.get_attribute("href")
    page.goto(f"{live_server}/cy{link}")
    page.locator("form[action*='/status'] button").first.click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.screenshot(path=f"{OUT}/status-error-cy-1280.png", full_page=True)
    open(f"{OUT}/status-error-cy.html", "w").write(page.content())
    context.close()
