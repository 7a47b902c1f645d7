"""A victim's requests in a real browser: a Victim Personal Statement written over several pages,
left and taken up again, sent and downloaded; a Right to Review after the police decide not to
charge; a referral sharing only what was ticked (e-mailed to the service through the SMTP sink);
then a navigator moves the statement on and the victim sees it. Axe-clean in English, in Arabic
(right to left) and at 360 px."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.conftest import screenshot, sign_in_as_staff
from e2e.test_timeline import api, sign_in_as_demo_victim, token, wait_for_mail

RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def no_violations(page: Page) -> None:
    results = Axe().run(page, options={"runOnly": RULE_TAGS})
    assert results.response["passes"], "axe did not run"
    assert not results.response["violations"], [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]


def victim_page(browser, live_server: str, lang: str = "en", width: int = 360) -> Page:
    # axe is injected as a script, which the CSP forbids: bypass it for this context only.
    context = browser.new_context(
        bypass_csp=True, viewport={"width": width, "height": 800}, accept_downloads=True
    )
    page = context.new_page()
    sign_in_as_demo_victim(page, live_server, "" if lang == "en" else f"/{lang}")
    return page


def open_case(page: Page, base: str, prefix: str = "") -> None:
    page.goto(f"{base}{prefix}/account/cases")
    page.locator("#main-content a[href*='/account/cases/']").first.click()


def save_and_continue(page: Page) -> None:
    page.locator("form button.govuk-button:not(.govuk-button--secondary)").first.click()


def test_statement_review_referral_and_a_navigator(browser, live_server: str, mail_sink: Path):
    page = victim_page(browser, live_server)
    open_case(page, live_server)
    page.get_by_role("button", name="Make or update a Victim Personal Statement").click()
    expect(page.locator("h1")).to_contain_text("making a new statement or updating")
    no_violations(page)
    page.locator("input[name=kind][value=make]").check()
    save_and_continue(page)
    # Nothing typed on a page is lost to an error: too long is counted, and kept.
    page.locator("#effects_physical").fill("I still cannot sleep through the night.")
    save_and_continue(page)
    page.locator("#effects_emotional").fill("x" * 20_001)
    save_and_continue(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("characters too long")
    assert page.title().startswith("Error:")
    screenshot(page, "50-statement-too-long-360")
    no_violations(page)
    page.locator("#effects_emotional").fill("I am frightened when I go out alone.")
    # Leave, and come back to the draft later.
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    page.goto(f"{live_server}/account")
    page.goto(f"{live_server}/account/requests")
    page.locator("a", has_text="Victim Personal Statement").first.click()
    page.get_by_role("link", name="Continue").click()
    page.locator("input[name=kind][value=make]").check()
    save_and_continue(page)
    expect(page.locator("#effects_physical")).to_have_value(
        "I still cannot sleep through the night."
    )
    save_and_continue(page)
    expect(page.locator("#effects_emotional")).to_have_value("I am frightened when I go out alone.")
    save_and_continue(page)
    save_and_continue(page)  # financial: left empty
    page.locator("#effects_family").fill("My children do not want to walk to school.")
    save_and_continue(page)
    save_and_continue(page)  # concerns: left empty
    page.locator("input[name=reading][value=someone_else]").check()
    save_and_continue(page)
    page.locator("#court_support").fill("A separate waiting room.")
    save_and_continue(page)
    page.locator("#statement_language").select_option("en")
    page.locator("input[name=interpreter][value=no]").check()
    save_and_continue(page)
    expect(page.locator("h1")).to_have_text("Check your statement before you send it")
    screenshot(page, "51-statement-check-360")
    no_violations(page)
    page.get_by_role("button", name="Send my statement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sent")
    expect(page.locator(".govuk-tag")).to_have_text("Sent")
    statement_url = page.url.split("?")[0]
    no_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download what you sent (PDF)").click()
    assert download.value.suggested_filename.startswith("VPS-")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # The police decide not to charge, after an interview: the victim can ask for a review.
    bearer = token(live_server)
    for offset, kind in ((3, "suspect_interviewed"), (2, "no_further_action")):
        when = (dt.datetime.now(dt.UTC) - dt.timedelta(days=offset)).replace(microsecond=0)
        api(
            live_server,
            "POST",
            "/api/v1/cases/DEMO-0001/events",
            {"id": f"e2e-{uuid.uuid4().hex[:8]}", "type": kind, "occurred_at": when.isoformat()},
            bearer,
        )
    open_case(page, live_server)
    page.get_by_role("link", name="Ask for a decision to be reviewed").click()
    expect(page.locator(".govuk-summary-card").first).to_contain_text("decided not to charge")
    no_violations(page)
    page.locator("form button", has_text="Start a request for a review").first.click()
    page.locator("#reasons").fill("The CCTV from the shop was never looked at.")
    save_and_continue(page)
    page.locator("input[name=contact][value=email]").check()
    save_and_continue(page)
    no_violations(page)
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator(".govuk-tag")).to_have_text("Sent")

    # A referral, sharing only the e-mail address ticked.
    sent_after = time.time()
    page.goto(f"{live_server}/account/referrals/new")
    page.locator("input[name=service][value=victim-support]").check()
    page.get_by_role("button", name="Continue").click()
    no_violations(page)
    for box in page.locator("input[name=share]").all():
        box.uncheck()
    page.get_by_role("button", name="Ask for the referral").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("at least one way")
    page.locator("input[name=share][value=email]").check()
    page.locator("#needs").fill("Someone to talk to about going to court.")
    page.get_by_role("button", name="Ask for the referral").click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    screenshot(page, "52-referral-360")
    mail = wait_for_mail(mail_sink, "referrals@victim-support.example", sent_after)
    body = mail.get_content()
    assert "demo@example.org" in body and "Someone to talk to about going to court." in body
    # The sink keeps the message before the worker hears it was accepted and records it as sent:
    # reload until the page shows it.
    deadline = time.monotonic() + 30
    while True:
        page.reload()
        if page.locator(".govuk-tag").inner_text().strip() == "Sent to the service":
            break
        assert time.monotonic() < deadline, page.locator(".govuk-tag").inner_text()
        time.sleep(0.25)
    page.context.close()

    # A navigator sees the statement and records that the agency received it.
    staff = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    navigator = staff.new_page()
    sign_in_as_staff(navigator, live_server, "navigator@example.org")
    navigator.goto(f"{live_server}/navigator")
    no_violations(navigator)
    screenshot(navigator, "53-console-1280")
    navigator.locator("table a[href*='/navigator/victims/']").first.click()
    no_violations(navigator)
    screenshot(navigator, "54-navigator-victim-1280")
    form = navigator.locator(
        "form[action*='/status']", has=navigator.locator("option[value=received]")
    ).first
    form.locator("select").select_option("received")
    form.locator("button").click()
    expect(navigator.locator(".govuk-notification-banner")).to_be_visible()
    staff.close()

    page = victim_page(browser, live_server)
    page.goto(statement_url)
    expect(page.locator(".govuk-tag")).to_have_text("Received by the agency")
    page.context.close()


@pytest.mark.parametrize("lang", ["ar"])
def test_request_pages_right_to_left(browser, live_server: str, lang: str):
    page = victim_page(browser, live_server, lang)
    open_case(page, live_server, f"/{lang}")
    page.locator("form[action*='/statement'] button").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("input[name=kind]").first.check()
    save_and_continue(page)
    page.locator("#effects_physical").fill("لقد أثرت الجريمة على نومي وعملي")
    screenshot(page, f"55-statement-{lang}-360")
    no_violations(page)
    page.goto(f"{live_server}/{lang}/account/messages")
    no_violations(page)
    page.goto(f"{live_server}/{lang}/support-services?need=emotional")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, f"56-support-services-{lang}-360")
    no_violations(page)
    page.context.close()
