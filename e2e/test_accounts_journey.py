"""A victim's account journey in a real browser: sign up, confirm the e-mail from the mail sink,
set up two-step verification, sign out, sign in with a code; the timeout warning; and axe on every
account page in English and Arabic at phone width."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from app.notify.sink import read as read_sink
from e2e.conftest import screenshot

PASSWORD = "a long and memorable passphrase"
PHONE = {"width": 360, "height": 740}
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def newest_link(sink: Path, address: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(read_sink(sink)):  # newest first
            if message["To"] == address:
                return re.search(r"https?://\S+", message.get_content()).group(0)
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {address} in {sink}")


def fill_totp(page: Page, secret: str, steps_ahead: int = 0) -> None:
    totp = pyotp.TOTP(secret)
    page.locator("#code").fill(totp.at(time.time() + steps_ahead * totp.interval))
    page.get_by_role("button", name="Continue").click()


@pytest.fixture()
def account(page: Page, live_server: str, mail_sink: Path):
    """A new account, confirmed, signed in, with two-step verification set up."""
    address = f"e2e-{secrets.token_hex(4)}@example.org"
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/account/sign-up")
    page.locator("#email").fill(address)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("h1")).to_have_text("Check your e-mail")

    page.goto(newest_link(mail_sink, address))
    expect(page.locator("h1")).to_have_text("Your e-mail address is confirmed")
    page.get_by_role("link", name="Sign in to your account").click()
    page.locator("#email").fill(address)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("h1")).to_have_text("Your account")

    page.get_by_role("link", name="Set up two-step verification").click()
    screenshot(page, "10-two-step-setup-360")
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator(".app-secret").inner_text().strip()
    fill_totp(page, secret)
    expect(page.locator("h1")).to_have_text("Save your recovery codes")
    expect(page.locator(".app-recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved my codes").click()
    return {"address": address, "secret": secret}


def test_sign_up_two_step_sign_out_and_back_in(page: Page, live_server: str, account):
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Sign out").first.click()
    expect(page.locator("h1")).to_have_text("You have signed out")
    assert page.context.cookies() == []  # nothing left behind on a shared phone

    page.goto(live_server + "/account/sign-in")
    page.locator("#email").fill(account["address"])
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("h1")).to_have_text("Enter your code")
    fill_totp(page, account["secret"], steps_ahead=1)  # the set-up code cannot be replayed
    expect(page.locator("h1")).to_have_text("Your account")
    screenshot(page, "11-account-360")


def test_timeout_warning_appears_and_stay_signed_in_works(page: Page, live_server: str, account):
    # Shorten the page's timers (the server's own 15 minutes are tested in integration tests).
    def shorten(route):
        response = route.fetch()
        body = response.text().replace('data-session-idle="900"', 'data-session-idle="8"')
        body = body.replace('data-session-warning="120"', 'data-session-warning="6"')
        route.fulfill(response=response, body=body)

    page.route(re.compile(r".*/account/profile$"), shorten)
    page.goto(live_server + "/account/profile")
    dialog = page.locator("#timeout-dialog")
    expect(dialog).to_be_visible(timeout=6000)
    screenshot(page, "12-timeout-warning-360")
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    page.goto(live_server + "/account")
    expect(page.locator("h1")).to_have_text("Your account")


ACCOUNT_PAGES_ANONYMOUS = [
    "/account/sign-up",
    "/account/sign-in",
    "/account/forgot-password",
    "/account/check-your-email",
    "/account/signed-out",
]
ACCOUNT_PAGES_SIGNED_IN = ["/account", "/account/profile", "/account/confirm-it-is-you"]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_account_pages_have_no_axe_violations(browser, live_server: str, mail_sink: Path, lang):
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    axe = Axe()
    prefix = "" if lang == "en" else f"/{lang}"
    problems = {}

    def check(path: str) -> None:
        page.goto(live_server + prefix + path)
        results = axe.run(page, options={"runOnly": RULE_TAGS})
        assert results.response["passes"], "axe did not run"
        if results.response["violations"]:
            problems[path] = [
                (v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in results.response["violations"]
            ]

    for path in ACCOUNT_PAGES_ANONYMOUS:
        check(path)
    # An error state too: the sign-in form with its error summary.
    page.goto(live_server + prefix + "/account/sign-in")
    page.locator("#main-content form button[type=submit]").click()
    results = Axe().run(page, options={"runOnly": RULE_TAGS})
    if results.response["violations"]:
        problems["sign-in with errors"] = [v["id"] for v in results.response["violations"]]

    address = f"axe-{lang}-{secrets.token_hex(3)}@example.org"
    page.goto(live_server + prefix + "/account/sign-up")
    page.locator("#email").fill(address)
    page.locator("#password").fill(PASSWORD)
    page.locator("#main-content form button[type=submit]").click()
    page.goto(newest_link(mail_sink, address))
    page.goto(live_server + prefix + "/account/sign-in")
    page.locator("#email").fill(address)
    page.locator("#password").fill(PASSWORD)
    page.locator("#main-content form button[type=submit]").click()
    for path in [*ACCOUNT_PAGES_SIGNED_IN, "/account/two-step"]:
        check(path)
    page.goto(live_server + prefix + "/account/confirm-it-is-you?next=/account/my-data")
    page.locator("#secret").fill(PASSWORD)
    page.locator("#main-content form button[type=submit]").click()
    for path in ["/account/my-data", "/account/delete"]:
        check(path)
    screenshot(page, f"13-account-delete-{lang}-360")
    context.close()
    assert not problems, problems
