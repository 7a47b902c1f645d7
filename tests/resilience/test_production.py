"""Production mode (scripts/prod.sh: nginx with TLS in front of two gunicorn app servers): one app
server is killed and nginx keeps serving from the other, until the killed one is started again."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_URL
from tests.resilience.conftest import answers

ROOT = Path(__file__).resolve().parents[2]
UNVERIFIED = ssl._create_unverified_context()  # noqa: S323  # nosec B323 (our self-signed cert)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10, context=UNVERIFIED) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def production():
    missing = [name for name, ok in (("PostgreSQL on 5432", answers(5432)),
                                     ("Redis on 6379", answers(6379)),
                                     ("nginx", bool(shutil.which("nginx") or
                                                    Path("/usr/sbin/nginx").exists())))
               if not ok]  # fmt: skip
    if missing:
        pytest.skip("production mode needs " + ", ".join(missing))
    schema = f"prod_{os.getpid()}_{secrets.token_hex(3)}"
    engine = create_engine(POSTGRES_URL, pool_pre_ping=True)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    # Not under pytest's own temporary folder (0700): nginx's workers must reach the cache.
    work = Path(tempfile.mkdtemp(prefix="hub-prod-"))
    ports = {name: str(_free_port()) for name in ("HTTPS_PORT", "HTTP_PORT", "APP_PORT_1",
                                                  "APP_PORT_2", "MAIL_SINK_PORT")}  # fmt: skip
    env = {**os.environ, **ports, "PROD_DIR": str(work), "LOG_REQUESTS": "0",
           "DATABASE_URL": f"{POSTGRES_URL}?options=-csearch_path%3D{schema}",
           "REDIS_URL": "redis://127.0.0.1:6379/15"}  # fmt: skip
    process = subprocess.Popen([str(ROOT / "scripts" / "prod.sh")], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"https://127.0.0.1:{ports['HTTPS_PORT']}"
    deadline = time.monotonic() + 90
    while get_or_none(base + "/healthz") != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("production mode did not start; see " + str(work))
        time.sleep(0.5)
    yield base, work, ports
    process.terminate()
    process.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def get_or_none(url: str) -> int | None:
    try:
        return get(url)
    except OSError:
        return None


def _kill_app_server(work: Path, port: str) -> None:
    master = int((work / f"app-{port}.pid").read_text())
    workers = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    for pid in [master, *map(int, workers.stdout.split())]:
        os.kill(pid, signal.SIGKILL)


def test_one_app_server_killed_and_nginx_serves_from_the_other(production):
    base, work, ports = production
    pages = ["/", "/guidance/your-rights", "/ar/guidance/your-rights", "/account/sign-in",
             "/support-services?need=emotional"]  # fmt: skip
    assert [get(base + page) for page in pages] == [200] * len(pages)
    _kill_app_server(work, ports["APP_PORT_1"])
    # Uncached pages (sign-in sets a cookie, never cached) must come from the live server.
    answers_after = [get(base + page) for page in pages * 6]
    assert answers_after == [200] * len(answers_after)
    # And the killed one is started again, as a service manager would.
    deadline = time.monotonic() + 30
    while not answers(int(ports["APP_PORT_1"])):
        assert time.monotonic() < deadline, "the app server was not started again"
        time.sleep(0.5)
    # Plain HTTP only redirects to HTTPS.
    request = urllib.request.Request(f"http://127.0.0.1:{ports['HTTP_PORT']}/", method="GET")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(request, timeout=5)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"].startswith("https://")
