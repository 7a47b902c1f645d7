"""Processes for the OpenID Connect e2e tests: the provider (Node, `provider.mjs`) and a live hub
server configured to sign in through it. Both listen on 127.0.0.1 only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from e2e.oidc.keys import make_client_keys

ROOT = Path(__file__).resolve().parent.parent.parent
PROVIDER_SCRIPT = Path(__file__).resolve().parent / "provider.mjs"
CLIENT_ID = "victim-care-hub-e2e"
CALLBACK_PATH = "/account/sign-in/provider/callback"
POST_LOGOUT_PATH = "/account/signed-out/provider"


def _spawn(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    # Output goes to a file, not a pipe nobody reads, which could fill up and stall the process.
    with log.open("wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)


def wait_until_up(url: str, process: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{what} did not start: {log.read_text()}") from exc
            time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def start_provider(directory: Path, *, port: int, app_base: str) -> tuple[subprocess.Popen, dict]:
    """Start the provider for a hub at `app_base`; returns it and the hub's OIDC_* settings,
    with a client key pair made for this run."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js is needed for the OpenID provider (scripts/install.sh)")
    private_key, public_jwks = make_client_keys(directory)
    log = directory / "provider.log"
    process = _spawn(
        [
            node,
            str(PROVIDER_SCRIPT),
            "--port",
            str(port),
            "--client-id",
            CLIENT_ID,
            "--client-jwks",
            str(public_jwks),
            "--redirect-uri",
            app_base + CALLBACK_PATH,
            "--post-logout-redirect-uri",
            app_base + POST_LOGOUT_PATH,
        ],
        log,
    )
    issuer = f"http://127.0.0.1:{port}"
    wait_until_up(issuer + "/.well-known/openid-configuration", process, "the provider", log)
    settings = {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_PRIVATE_KEY": str(private_key),
        "OIDC_PROVIDER_NAME": "Test One Login",
    }
    return process, settings


def start_app(database: Path, *, port: int, env: dict[str, str]) -> subprocess.Popen:
    """A migrated hub under gunicorn, as the e2e live server is, with `env` added."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "LOG_REQUESTS": "0", **env}
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "flask"), "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    log = database.with_name("gunicorn.log")
    process = _spawn(
        [
            str(bin_dir / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        log,
        env,
    )
    wait_until_up(f"http://127.0.0.1:{port}/healthz", process, "the e2e server (OIDC)", log)
    return process
