"""An editor changes a page in the browser: the live preview follows, the public page shows the
change without a restart, and the Welsh translation is flagged as out of date."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e.conftest import screenshot, sign_in_as_staff

PAGE = "/navigator/content/en/safety/are-you-safe-now"


def sign_in_as_editor(page: Page, live_server: str) -> None:
    sign_in_as_staff(page, live_server, "editor@example.org")


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
