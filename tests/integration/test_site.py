"""Site-wide behaviour: errors, health, Exit this page, security headers, PDFs."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.pages import check_page


@pytest.mark.parametrize(
    ("path", "lang", "title"),
    [
        ("/guidance/nothing-here", "en", "Page not found"),
        ("/cy/guidance/nothing-here", "cy", None),
        ("/ar/nothing", "ar", None),
        ("/xx/guidance/your-rights", "en", "Page not found"),
        ("/de/", "en", "Page not found"),
    ],
)
def test_404_in_the_language_of_the_url(client, path, lang, title):
    response = client.get(path)
    assert response.status_code == 404
    root = check_page(response.data)
    assert root.get("lang") == lang
    html = response.get_data(as_text=True)
    if title:
        assert title in html
    else:
        assert "Page not found" not in html  # translated
    for code in ("en", "cy", "ar"):
        assert f'hreflang="{code}"' in html


def test_unknown_language_404_links_to_each_language_home(client):
    html = client.get("/xx/anything").get_data(as_text=True)
    for href in ('href="/"', 'href="/cy/"', 'href="/ar/"'):
        assert href in html


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_exit_clears_everything_and_leaves(client, app):
    response = client.get("/exit")
    assert response.status_code == 303
    assert response.headers["Location"] == app.config["EXIT_REDIRECT_URL"]
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert response.headers["Cache-Control"] == "no-store"


def test_every_page_links_exit_this_page_to_our_own_exit(client):
    html = client.get("/guidance/your-rights").get_data(as_text=True)
    assert 'class="govuk-exit-this-page"' in html
    assert 'href="/exit"' in html


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in (
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "default-src 'self'",
        "script-src 'self' 'sha256-",
    ):
        assert directive in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # local development


def test_hsts_in_production_settings(database_url):
    from tests.conftest import make_app

    app = make_app(database_url, HSTS=True)
    response = app.test_client().get("/healthz", base_url="https://localhost")
    assert "max-age=63072000" in response.headers["Strict-Transport-Security"]


def test_the_csp_hash_matches_the_one_inline_script(client):
    import base64
    import hashlib
    import re

    html = client.get("/").get_data(as_text=True)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in client.get("/").headers["Content-Security-Policy"]


def test_no_third_party_requests_in_pages(client):
    import re

    html = client.get("/guidance/how-to-report").get_data(as_text=True)
    for attr in re.findall(r'(?:src|href)="([^"]+)"', html.split('class="app-prose"')[0]):
        assert not attr.startswith(("http://", "https://", "//")), attr


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("/guidance/your-rights.pdf", "Victim Care Hub"),
        ("/ar/guidance/your-rights.pdf", "999"),
    ],
)
def test_pdf_download(client, path, needle):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True
        ).stdout.decode()
        assert needle in text


def test_arabic_pdf_uses_arabic_fonts(client):
    if not shutil.which("pdffonts"):
        pytest.fail("poppler-utils is not installed (scripts/install.sh test installs it)")
    pdf = client.get("/ar/guidance/your-rights.pdf").data
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "Arabic" in fonts, fonts


def test_unknown_pdf_is_404(client):
    assert client.get("/guidance/nothing.pdf").status_code == 404


def test_forms_may_lead_to_the_openid_provider_only_when_it_is_configured(database_url):
    from tests.conftest import make_app

    app = make_app(database_url, OIDC_ISSUER="https://oidc.example.gov.uk/", OIDC_CLIENT_ID="x")
    csp = app.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert "form-action 'self' https://oidc.example.gov.uk" in csp
    assert (
        "form-action 'self';"
        in make_app(database_url).test_client().get("/healthz").headers["Content-Security-Policy"]
        + ";"
    )


def test_production_settings_need_secret_and_data_keys_and_set_host_only_secure_cookies(
    monkeypatch, database_url
):
    from app import create_app

    monkeypatch.setenv("HUB_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "a" * 64)
    with pytest.raises(RuntimeError, match="DATA_KEY"):
        create_app()
    monkeypatch.setenv("DATA_KEY", "b" * 64)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RATE_LIMITS_PER_PROCESS", "1")  # the next test is about that
    app = create_app({"TESTING": True, "LOG_REQUESTS": False})
    response = app.test_client().get("/account/sign-in", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-hub=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=63072000" in hsts and "includeSubDomains" in hsts
    # Plain http is redirected to https in production, unless the proxy says TLS ended there:
    # so the Dockerfile's HEALTHCHECK, asking over plain http inside the container, says so.
    assert app.test_client().get("/").status_code in (301, 302)
    health = app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert health.status_code == 200 and health.json["database"] == "ok"
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "never loaded in production" in result.output


def test_production_never_starts_with_rate_limits_switched_off(monkeypatch, database_url):
    """RATELIMIT_ENABLED=0 is for the end-to-end tests' server only."""
    from app import create_app

    for name, value in {
        "HUB_ENV": "production",
        "SECRET_KEY": "a" * 64,
        "DATA_KEY": "b" * 64,
        "DATABASE_URL": database_url,
        "REDIS_URL": "redis://127.0.0.1:9/0",
        "RATELIMIT_ENABLED": "0",
    }.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match="production keeps its rate limits"):
        create_app({"TESTING": True, "LOG_REQUESTS": False})


def test_production_counts_rate_limits_in_redis_or_says_they_are_per_process(
    monkeypatch, database_url, caplog
):
    """Without Redis each worker process keeps its own counts (17 of 25 requests passed a limit
    of 10 a minute): production refuses to start so, unless told per-process limits are meant."""
    from app import create_app

    for name, value in {
        "HUB_ENV": "production",
        "SECRET_KEY": "a" * 64,
        "DATA_KEY": "b" * 64,
        "DATABASE_URL": database_url,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("RATE_LIMITS_PER_PROCESS", raising=False)
    settings = {"TESTING": True, "LOG_REQUESTS": False}
    with pytest.raises(RuntimeError, match="REDIS_URL must be set when HUB_ENV=production"):
        create_app(settings)

    monkeypatch.setenv("RATE_LIMITS_PER_PROCESS", "1")
    with caplog.at_level("WARNING", logger="app"):
        app = create_app(settings)
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert "rate limits are per process" in caplog.text

    # With Redis (here an address nothing answers on: the setting is what is checked), no word.
    monkeypatch.delenv("RATE_LIMITS_PER_PROCESS")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    caplog.clear()
    with caplog.at_level("WARNING", logger="app"):
        app = create_app(settings)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:9/0"
    assert "per process" not in caplog.text
    # Outside production, per-process limits are the embedded mode's and need no setting.
    monkeypatch.delenv("REDIS_URL")
    monkeypatch.setenv("HUB_ENV", "development")
    assert create_app(settings).config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_forwarded_headers_are_believed_only_from_the_proxy_named(database_url):
    """The image's gunicorn trusted X-Forwarded-* from anyone (`--forwarded-allow-ips='*'`), and
    ProxyFix did too: a client reaching the app server directly picked its own address (its rate
    limits') and scheme. Now only FORWARDED_ALLOW_IPS's peers are believed."""
    from flask import request

    from tests.conftest import make_app

    trusted = "10.9.0.0/24, 127.0.0.1"
    app = make_app(database_url, PROXY_COUNT=1, FORWARDED_ALLOW_IPS=trusted)

    @app.get("/test-peer")
    def peer():
        return {"addr": request.remote_addr, "scheme": request.scheme}

    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}

    def seen_from(target, remote: str, path: str = "/test-peer"):
        return target.test_client().get(
            path, headers=forwarded, environ_base={"REMOTE_ADDR": remote}
        )

    for proxy in ("10.9.0.7", "127.0.0.1", "::ffff:10.9.0.7"):
        assert seen_from(app, proxy).json == {"addr": "203.0.113.9", "scheme": "https"}, proxy
    for stranger in ("10.9.1.7", "198.51.100.7", "::1"):
        # Its own address, not the one it claims; its plain http is not https.
        assert seen_from(app, stranger).json == {"addr": stranger, "scheme": "http"}, stranger

    # (flask-talisman's one extension object follows the app made last: this one, then the
    # default one below.)
    https_only = make_app(
        database_url, PROXY_COUNT=1, FORWARDED_ALLOW_IPS=trusted, FORCE_HTTPS=True
    )
    assert seen_from(https_only, "10.9.0.7", "/healthz").status_code == 200  # TLS ended there
    assert seen_from(https_only, "198.51.100.7", "/healthz").status_code in (301, 302)

    # The default: the loopback only, as gunicorn's own.
    default = make_app(database_url, PROXY_COUNT=1)
    assert default.config["FORWARDED_ALLOW_IPS"] == "127.0.0.1,::1"
    with pytest.raises(RuntimeError, match="FORWARDED_ALLOW_IPS"):
        make_app(database_url, FORWARDED_ALLOW_IPS="nginx")


def test_request_log_lines_have_no_ip_query_or_path_values(app, database_url, caplog):
    import json

    from app import request_log
    from tests.conftest import make_app

    app = make_app(database_url, LOG_REQUESTS=True)
    with caplog.at_level("INFO", logger="hub.request"):
        app.test_client().get(
            "/search?q=secret+words", environ_base={"REMOTE_ADDR": "198.51.100.7"}
        )
    record = [r for r in caplog.records if r.name == "hub.request"][-1]
    line = request_log.JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["route"] == "/search" and entry["status"] == 200
    assert entry["time"].endswith("+00:00")
    assert "secret" not in line and "198.51.100.7" not in line


def test_trace_is_not_allowed(client):
    assert client.open("/", method="TRACE").status_code == 405


def test_an_unexpected_error_shows_a_plain_page_and_no_details(database_url, app):
    from tests.conftest import make_app

    broken = make_app(database_url, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @broken.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret internals")

    response = broken.test_client().get("/boom-for-test")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html
    assert "secret internals" not in html and "Traceback" not in html
