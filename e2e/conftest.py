"""End-to-end fixtures: a real server process (gunicorn, not the test client) on a free port with
its own SQLite database, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.notify import sink as mail_sink_server

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "e2e" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


DEMO: dict[str, str] = {}  # what `flask demo` printed for the live server (the API client)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NeutralSite(http.server.BaseHTTPRequestHandler):
    """Stands in for the everyday website Exit this page leads to (no internet here)."""

    def do_GET(self) -> None:
        body = b"<!DOCTYPE html><html lang=en><title>Weather</title><h1>Weather</h1></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def neutral_site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NeutralSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/weather"
    server.shutdown()


@pytest.fixture(scope="session")
def mail_sink(tmp_path_factory) -> Path:
    """Where the live server's e-mails land (one .eml file each)."""
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="session")
def live_content(tmp_path_factory) -> Path:
    """A copy of the content for the live server, so an editor's changes in a test stay there."""
    content = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(ROOT / "content", content)
    return content


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, neutral_site: str, mail_sink: Path, live_content: Path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    smtp_port = _free_port()
    smtp = mail_sink_server.start(mail_sink, port=smtp_port)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'hub.db'}",
        "EXIT_REDIRECT_URL": neutral_site,
        "LOG_REQUESTS": "0",
        "MAIL_SINK_DIR": str(mail_sink),
        # Mail goes over SMTP to the local sink on loopback, as in `make run`.
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "HUEY_SQLITE_PATH": str(tmp_path_factory.mktemp("huey") / "huey.db"),
        "BASE_URL": base,
        "CONTENT_DIR": str(live_content),
        "CONTENT_RELOAD_SECONDS": "0",
        # Every simulated person signs in from 127.0.0.1: the per-address limits (tested on
        # their own in tests/integration/test_accounts_abuse.py) would turn later tests away.
        "RATELIMIT_ENABLED": "0",
    }
    bin_dir = Path(sys.executable).parent
    flask = [str(bin_dir / "flask"), "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    demo = subprocess.run(
        [*flask, "demo"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    DEMO.update(
        re.search(
            r"partner API client (?P<client_id>\S+), secret (?P<secret>\S+)", demo.stdout
        ).groupdict()
    )
    DEMO.update(
        re.search(
            r"the CPS on the same journey .*API client (?P<cps_client_id>\S+), "
            r"secret (?P<cps_secret>\S+)",
            demo.stdout,
        ).groupdict()
    )
    server = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # The worker that sends messages from the outbox, as `make run` starts it.
    worker = subprocess.Popen(
        [
            str(bin_dir / "huey_consumer"),
            "app.worker.huey",
            "--workers",
            "2",
            "--worker-type",
            "thread",
            # On SQLite the consumer polls, backing off to 10 s when idle by default: a message
            # queued after a quiet spell could wait that long. Poll at most a second apart.
            "--max-delay",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90  # three workers start servers at once
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError as exc:
            if server.poll() is not None or time.monotonic() > deadline:
                log = server.stderr.read().decode()
                raise RuntimeError("the e2e server did not start: " + log) from exc
            time.sleep(0.2)
    yield base
    for process in (server, worker):
        stop(process)
    smtp.stop()


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Ask a process to stop, and make it if it has not within `timeout` (a loaded machine can
    take a while to finish gunicorn's workers)."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


# Assertions on the page retry for up to 15 s (Playwright's default is 5): with tests in parallel
# on two cores, a server can take longer than 5 s to answer, and a passing check returns at once.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: Playwright's own browser download cannot work on these machines.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


_STAFF_SECRETS: dict[str, str] = {}  # e-mail -> TOTP secret, once set up in this session
_LAST_STEP: dict[str, int] = {}  # a code is accepted once: the next sign-in uses a later step


def _code(email: str, secret: str, timeout: float = 60) -> str:
    """A code the server will accept: the first 30-second step after the last one used, among
    the steps it accepts now (the current one, one before and one after, app/accounts/totp.py).
    Only a third sign-in within one step finds none, and polls until the clock moves on."""
    import pyotp

    from app.accounts.totp import VALID_WINDOW

    totp = pyotp.TOTP(secret)
    deadline = time.monotonic() + timeout
    while True:
        step_now = int(time.time()) // totp.interval
        # Never the step before: it may be out of the window by the time the form arrives.
        step = max(step_now, _LAST_STEP.get(email, step_now - 1) + 1)
        if step <= step_now + VALID_WINDOW:
            _LAST_STEP[email] = step
            return totp.generate_otp(step)
        assert time.monotonic() < deadline, "no TOTP step left to use"
        time.sleep(0.5)


def sign_in_as_staff(page, live_server: str, email: str) -> None:
    """A demo staff account's sign-in: the first time in the session, password then setting up
    two-step verification; afterwards, password then a code."""
    from playwright.sync_api import expect

    from app.demo import DEMO_PASSWORD

    page.goto(live_server + "/account/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    if email in _STAFF_SECRETS:
        expect(page.locator("h1")).to_have_text("Enter your code")
        page.locator("#code").fill(_code(email, _STAFF_SECRETS[email]))
        page.locator("#main-content form button[type=submit]").first.click()
        expect(page.locator("h1")).not_to_have_text("Enter your code")
        return
    expect(page.locator("h1")).to_have_text("Set up two-step verification")
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator(".app-secret").inner_text().strip()
    _STAFF_SECRETS[email] = secret
    page.locator("#code").fill(_code(email, secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Save your recovery codes")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# OpenID Connect: a real provider (npm oidc-provider, e2e/oidc/provider.mjs) and a live server of
# its own that signs in through it, so the other tests see the sign-in page they expect.


@pytest.fixture(scope="session")
def oidc_live_server(tmp_path_factory, neutral_site: str) -> Iterator[str]:
    from e2e.oidc import harness

    app_port = _free_port()
    provider_port = next(p for p in iter(_free_port, None) if p != app_port)
    base = f"http://127.0.0.1:{app_port}"
    directory = tmp_path_factory.mktemp("oidc")
    provider, settings = harness.start_provider(directory, port=provider_port, app_base=base)
    try:
        env = {**settings, "BASE_URL": base, "EXIT_REDIRECT_URL": neutral_site}
        server = harness.start_app(directory / "hub.db", port=app_port, env=env)
        yield base
        harness.stop(server)
    finally:
        harness.stop(provider)
