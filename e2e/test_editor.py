"""An editor changes a page in the browser: the live preview follows, the public page shows the
change without a restart, and the Welsh translation is flagged as out of date."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from app.demo import DEMO_PASSWORD
from e2e.conftest import screenshot

PAGE = "/navigator/content/en/safety/are-you-safe-now"


def sign_in_as_editor(page: Page, live_server: str) -> None:
    page.goto(live_server + "/account/sign-in")
    page.locator("#email").fill("editor@example.org")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    # Staff set up two-step verification the first time they sign in.
    expect(page.locator("h1")).to_have_text("Set up two-step verification")
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator(".app-secret").inner_text().strip()
    page.locator("#code").fill(pyotp.TOTP(secret).at(time.time()))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Save your recovery codes")


def test_editor_changes_a_page_and_the_site_follows(page: Page, live_server: str, live_content):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as_editor(page, live_server)

    page.goto(live_server + "/navigator/content")
    expect(page.locator("h1")).to_have_text("Guidance pages")
    page.goto(live_server + PAGE)
    body = page.locator("#body")
    text = body.input_value()
    body.fill(text + "\n\n## A new part\n\nEditors can change this page.\n")
    # The live preview is rendered by the site's own engine, through htmx.
    expect(page.locator("#preview h2", has_text="A new part")).to_be_visible()
    screenshot(page, "20-editor-preview-1280")
    page.locator("#title").fill("Are you safe now? (edited)")
    page.get_by_role("button", name="Save page").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()

    public = page.context.new_page()
    public.goto(live_server + "/guidance/are-you-safe-now")
    expect(public.locator("h1")).to_have_text("Are you safe now? (edited)")
    expect(public.locator("#a-new-part")).to_be_visible()
    public.goto(live_server + "/cy/guidance/are-you-safe-now")
    # In Welsh: "this translation may be out of date", with a link to the English page.
    banner = public.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Efallai nad yw'r cyfieithiad hwn yn gyfredol")
    expect(banner.locator('a[hreflang="en"]')).to_be_visible()
    screenshot(public, "21-welsh-stale-360")

    page.goto(live_server + PAGE + "/history")
    expect(page.locator(".app-revision")).to_have_count(1)
    saved = (live_content / "en/safety/are-you-safe-now.md").read_text()
    assert re.search(r"^title: Are you safe now\? \(edited\)$", saved, re.M)
