"""Production mode (scripts/prod.sh: nginx with TLS in front of two gunicorn app servers): one app
server is killed and nginx keeps serving from the other, until the killed one is started again."""

from __future__ import annotations

import os
import secrets
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_URL
from tests.production import UNVERIFIED, Production, port_answers, production_missing


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10, context=UNVERIFIED) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def production():
    missing = production_missing()
    if missing:
        pytest.skip("production mode needs " + ", ".join(missing))
    schema = f"prod_{os.getpid()}_{secrets.token_hex(3)}"
    engine = create_engine(POSTGRES_URL, pool_pre_ping=True)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    env = {
        **os.environ,
        "DATABASE_URL": f"{POSTGRES_URL}?options=-csearch_path%3D{schema}",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    try:
        with Production(env) as prod:
            yield prod
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_one_app_server_killed_and_nginx_serves_from_the_other(production):
    base, ports = production.base, production.ports
    pages = [
        "/",
        "/guidance/your-rights",
        "/ar/guidance/your-rights",
        "/account/sign-in",
        "/support-services?need=emotional",
    ]
    assert [get(base + page) for page in pages] == [200] * len(pages)
    production.kill_app_server("APP_PORT_1")
    # Uncached pages (sign-in sets a cookie, never cached) must come from the live server.
    answers_after = [get(base + page) for page in pages * 6]
    assert answers_after == [200] * len(answers_after)
    # And the killed one is started again, as a service manager would.
    deadline = time.monotonic() + 30
    while not port_answers(int(ports["APP_PORT_1"])):
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
