"""An agency posts "charged" through the API; the victim, signed in, sees it on their timeline,
in English and in Arabic (right to left), and the pages are axe-clean."""

from __future__ import annotations

import base64
import datetime as dt
import email
import json
import time
import urllib.request
import uuid
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from app.demo import DEMO_PASSWORD
from e2e.conftest import DEMO, screenshot

RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def api(base: str, method: str, path: str, body: dict | None = None, token: str | None = None):
    headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
    data = json.dumps(body).encode() if body is not None else None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def token(base: str) -> str:
    """A token for the demo police force's API client."""
    return token_for(base, DEMO["client_id"], DEMO["secret"])


def token_for(base: str, client_id: str, secret: str) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(
        base + "/oauth/token",
        data=b"grant_type=client_credentials",
        headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["access_token"]


def sign_in_as_demo_victim(page: Page, base: str, prefix: str = "") -> None:
    page.goto(f"{base}{prefix}/account/sign-in")
    page.locator("#email").fill("demo@example.org")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("#main-content form button[type=submit]").click()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_agency_event_reaches_the_victims_timeline(page: Page, live_server: str, lang: str):
    page.set_viewport_size({"width": 360, "height": 800})
    bearer = token(live_server)
    event_id = f"e2e-{uuid.uuid4().hex[:8]}"
    occurred = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    stored = api(
        live_server,
        "POST",
        "/api/v1/cases/DEMO-0001/events",
        {"id": event_id, "type": "trial_date_set", "occurred_at": occurred},
        bearer,
    )
    assert stored["id"] == event_id

    prefix = "" if lang == "en" else f"/{lang}"
    sign_in_as_demo_victim(page, live_server, prefix)
    page.goto(f"{live_server}{prefix}/account/cases")
    page.locator("#main-content a[href*='/account/cases/']").first.click()
    first = page.locator(".app-timeline__item").first
    if lang == "en":
        expect(first.locator("h3")).to_contain_text("A trial date was set")  # and "New"
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    screenshot(page, f"30-timeline-{lang}-360")

    context = page.context.browser.new_context(
        bypass_csp=True, viewport={"width": 360, "height": 800}
    )
    checked = context.new_page()
    sign_in_as_demo_victim(checked, live_server, prefix)
    checked.goto(page.url)
    results = Axe().run(checked, options={"runOnly": RULE_TAGS})
    context.close()
    assert results.response["passes"]
    assert not results.response["violations"], [v["id"] for v in results.response["violations"]]


def set_safe_times_around_now(page: Page, base: str) -> None:
    """As the victim would: every day, from this hour until two hours on (London time)."""
    hour = dt.datetime.now(ZoneInfo("Europe/London")).hour
    page.goto(f"{base}/account/profile")
    page.locator("input[name=contact_channel][value=email]").check()
    for box in page.locator("input[name=safe_days]").all():
        box.check()
    page.locator("select[name=safe_from]").select_option(f"{hour:02d}:00")
    page.locator("select[name=safe_to]").select_option(f"{min(hour + 2, 24):02d}:00")
    page.locator("input[name=may_name_hub][value=no]").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)


def wait_for_mail(sink: Path, address: str, after: float, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sink.glob("*.eml"):
            if path.stat().st_mtime < after:
                continue
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == address:
                return message
        time.sleep(0.25)
    raise AssertionError(f"no new e-mail to {address} within {timeout} s")


def test_a_release_is_emailed_within_safe_times_and_confirmed(
    page: Page, live_server: str, mail_sink: Path
):
    """An agency reports a release: the worker e-mails the victim through the SMTP sink at once
    (now is inside their safe time), in neutral words; the victim signs in and confirms."""
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in_as_demo_victim(page, live_server)
    set_safe_times_around_now(page, live_server)
    sent_after = time.time() - 1
    event_id = f"e2e-release-{uuid.uuid4().hex[:8]}"
    occurred = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    api(
        live_server,
        "POST",
        "/api/v1/cases/DEMO-0001/events",
        {"id": event_id, "type": "offender_released", "occurred_at": occurred},
        token(live_server),
    )

    message = wait_for_mail(mail_sink, "demo@example.org", after=sent_after)
    assert message["Subject"] == "Important: please sign in today"
    body = message.get_content()
    assert "/account/sign-in" in body
    for word in ("released", "offender", "police", "Victim Care Hub", "DEMO-0001"):
        assert word not in body and word not in message["From"], word

    page.goto(f"{live_server}/account/cases")
    page.locator("#main-content a[href*='/account/cases/']").first.click()
    first = page.locator(".app-timeline__item").first
    expect(first.locator("h3")).to_contain_text("The offender was released")
    expect(first.locator(".govuk-tag--red")).to_have_text("Important")
    screenshot(page, "31-critical-update-360")
    first.get_by_role("button", name="I have read this update").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(page.get_by_role("button", name="I have read this update")).to_have_count(0)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_your_rights_in_this_case(page: Page, live_server: str, lang: str):
    """The victim's rights on their case, each with its status; "I was not told about this"
    opens a task for the navigators. Right to left in Arabic; axe-clean."""
    page.set_viewport_size({"width": 360, "height": 800})
    prefix = "" if lang == "en" else f"/{lang}"
    sign_in_as_demo_victim(page, live_server, prefix)
    page.goto(f"{live_server}{prefix}/account/cases")
    page.locator("#main-content a[href*='/account/cases/']").first.click()
    page.locator("#main-content a[href$='/rights']").click()
    expect(page.locator(".app-rights__item").first).to_be_visible()
    if lang == "en":
        expect(page.locator("h1")).to_have_text("Your rights in this case")
        expect(
            page.get_by_role("link", name="To be told that someone was arrested")
        ).to_be_visible()
        expect(
            page.get_by_text("You can apply for criminal injuries compensation").first
        ).to_be_visible()
    screenshot(page, f"32-rights-{lang}-360")
    url = page.url

    context = page.context.browser.new_context(
        bypass_csp=True, viewport={"width": 360, "height": 800}
    )
    checked = context.new_page()
    sign_in_as_demo_victim(checked, live_server, prefix)
    checked.goto(url)
    results = Axe().run(checked, options={"runOnly": RULE_TAGS})
    context.close()
    assert not results.response["violations"], [v["id"] for v in results.response["violations"]]

    if lang == "en":
        item = page.locator(".app-rights__item", has_text="To be told that someone was charged")
        item.get_by_role("button", name="I was not told about this").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Thank you for telling us"
        )
        expect(page.get_by_text("We are looking into it").first).to_be_visible()
