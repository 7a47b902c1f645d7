"""Passkeys in a real browser, with Chromium's virtual authenticator (through the DevTools
protocol) standing in for a phone's or laptop's: sign up, add a passkey, sign out, and sign in
with the passkey alone. WebAuthn refuses IP addresses as the relying party, so the pages are
opened at localhost (the same server)."""

from __future__ import annotations

import secrets
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.test_accounts_journey import PASSWORD, newest_link

ERROR = "The passkey could not be used. Try again, or sign in with your password."


def virtual_authenticator(page: Page) -> tuple[object, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_sign_up_add_a_passkey_and_sign_in_with_it(page: Page, live_server: str, mail_sink: Path):
    site = live_server.replace("127.0.0.1", "localhost")
    cdp, authenticator = virtual_authenticator(page)
    address = f"e2e-passkey-{secrets.token_hex(4)}@example.org"

    page.goto(site + "/account/sign-up")
    page.locator("#email").fill(address)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("h1")).to_have_text("Check your e-mail")
    page.goto(newest_link(mail_sink, address).replace("127.0.0.1", "localhost"))
    expect(page.locator("h1")).to_have_text("Your e-mail address is confirmed")

    page.goto(site + "/account/sign-in")
    page.locator("#email").fill(address)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("h1")).to_have_text("Your account")

    page.get_by_role("link", name="Passkeys").click()
    expect(page.locator("h1")).to_have_text("Passkeys")
    page.get_by_label("Name for this passkey (optional)").fill("Virtual authenticator")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Your passkey has been added.")).to_be_visible()
    expect(page.get_by_role("cell", name="Virtual authenticator", exact=True)).to_be_visible()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1
    assert credentials["credentials"][0]["isResidentCredential"]

    page.get_by_role("button", name="Sign out").first.click()
    page.goto(site + "/account/sign-in")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator("h1")).to_have_text("Your account")

    # The browser cannot verify the person now: the page says so in words, and stays put.
    page.get_by_role("button", name="Sign out").first.click()
    cdp.send(
        "WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False}
    )
    page.goto(site + "/account/sign-in")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator("[data-passkey-error]")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Sign in")


def test_without_a_passkey_capable_browser_the_button_stays_hidden(page: Page, live_server: str):
    page.add_init_script("delete window.PublicKeyCredential")
    page.goto(live_server + "/account/sign-in")
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_hidden()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
