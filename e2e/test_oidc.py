"""Signing in through a real OpenID provider (npm oidc-provider) in a real browser, and signing
out of it again: after the hub's sign-out, or Exit this page, the provider must ask for the login
again, or the next person on a shared phone would be signed straight back in."""

from __future__ import annotations

import re
import secrets

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from e2e.conftest import screenshot

PROVIDER_BUTTON = "Sign in with Test One Login"
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Each step through the provider is several redirects between two servers: allow for a busy CI.
STEP = 15_000


def stay_on_this_machine(context: BrowserContext) -> None:
    # The provider's development login page imports a web font from the internet, which cannot
    # be reached here: refuse at once rather than wait for a DNS failure.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())


@pytest.fixture(autouse=True)
def _offline(context: BrowserContext) -> None:
    stay_on_this_machine(context)


def sign_in_at_provider(page: Page, base: str, login: str) -> None:
    page.goto(base + "/account/sign-in")
    page.get_by_role("button", name=PROVIDER_BUTTON).click()
    # The provider's own sign-in page: the login form must be there, never a silent sign-in.
    expect(page.locator("input[name=login]")).to_be_visible(timeout=STEP)
    assert not page.url.startswith(base)
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()


def test_sign_in_through_the_provider_then_sign_out_of_it(page: Page, oidc_live_server: str):
    base = oidc_live_server
    login = f"oidc-{secrets.token_hex(3)}"
    sign_in_at_provider(page, base, login)
    expect(page).to_have_url(base + "/account", timeout=STEP)
    expect(page.locator("h1")).to_have_text("Your account")
    expect(page.get_by_text("You sign in with Test One Login.")).to_be_visible()
    screenshot(page, "20-oidc-signed-in")

    # Signing out here ends the provider's session too (RP-initiated logout).
    provider_calls: list[str] = []
    page.on("request", lambda r: provider_calls.append(r.url) if "/session/end" in r.url else None)
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.locator("h1")).to_have_text("You have signed out", timeout=STEP)
    expect(page).to_have_url(base + "/account/signed-out")
    assert any("id_token_hint=" in url for url in provider_calls), provider_calls

    # So signing in again asks for the login again, and the same account comes back.
    sign_in_at_provider(page, base, login)
    expect(page).to_have_url(base + "/account", timeout=STEP)
    expect(page.get_by_text("You sign in with Test One Login.")).to_be_visible()


def test_exit_this_page_ends_the_provider_session(
    page: Page, oidc_live_server: str, neutral_site: str
):
    base = oidc_live_server
    sign_in_at_provider(page, base, f"oidc-exit-{secrets.token_hex(3)}")
    expect(page.locator("h1")).to_have_text("Your account", timeout=STEP)
    visited: list[str] = []
    page.on("request", lambda r: visited.append(r.url))
    page.locator(".govuk-exit-this-page__button").click()
    page.wait_for_url(neutral_site + "**", timeout=STEP)
    assert any(re.search(r"/session/end\?.*id_token_hint=", url) for url in visited), visited
    sign_in_at_provider(page, base, "someone-else")  # the login form is asked for again
    expect(page.locator("h1")).to_have_text("Your account", timeout=STEP)


def test_cancelling_at_the_provider_explains_and_offers_a_way_back(
    page: Page, oidc_live_server: str
):
    base = oidc_live_server
    page.goto(base + "/account/sign-in")
    page.get_by_role("button", name=PROVIDER_BUTTON).click()
    page.get_by_role("link", name="[ Cancel ]").click()
    expect(page.locator("h1")).to_have_text("You did not sign in with Test One Login", timeout=STEP)
    page.get_by_role("link", name="Try again").click()
    expect(page).to_have_url(base + "/account/sign-in")


def test_oidc_pages_have_no_axe_violations(browser, oidc_live_server: str):
    base = oidc_live_server
    # axe is injected as a script, which the hub's CSP forbids: bypass it for this check.
    context = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 740})
    stay_on_this_machine(context)
    page = context.new_page()
    problems = {}

    def check(name: str) -> None:
        results = Axe().run(page, options={"runOnly": RULE_TAGS})
        assert results.response["passes"], "axe did not run"
        if results.response["violations"]:
            problems[name] = [
                (v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in results.response["violations"]
            ]

    for prefix in ("", "/ar"):
        page.goto(base + prefix + "/account/sign-in")
        check(prefix + "/account/sign-in")
        screenshot(page, f"21-oidc-sign-in{prefix.replace('/', '-')}-360")
        page.goto(base + prefix + "/account/sign-in/provider/problem?reason=email-taken")
        check(prefix + "/account/sign-in/provider/problem")
    sign_in_at_provider(page, base, f"oidc-axe-{secrets.token_hex(3)}")
    for prefix in ("", "/ar"):
        page.goto(base + prefix + "/account")
        check(prefix + "/account")
    context.close()
    assert not problems, problems
