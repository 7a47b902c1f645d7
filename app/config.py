"""Settings, read from environment variables. Defaults are the embedded mode: SQLite, no Redis."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _local_secret(path: Path) -> str:
    """Outside production: a random key kept in instance/, shared by every worker process."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker created it first: use theirs
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    for _ in range(50):  # the other worker may still be writing it
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it and start again")


DEMO_REFERRAL_ADDRESSES = {
    "victim-support": "referrals@victim-support.example",
    "london-victim-and-witness-service": "referrals@london-vws.example",
    "the-havens": "referrals@havens.example",
    "galop": "referrals@galop.example",
}


def _pairs(value: str | None) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in (value or "").split(",") if "=" in item)
    return {key.strip(): address.strip() for key, address in pairs}


class Config:
    """One class; every value can be overridden by the environment or by create_app(overrides)."""

    def __init__(self) -> None:
        env = os.environ
        self.HUB_ENV = env.get("HUB_ENV", "development")
        production = self.HUB_ENV == "production"
        secret = env.get("SECRET_KEY")
        if not secret and production:
            raise RuntimeError("SECRET_KEY must be set when HUB_ENV=production")
        instance = ROOT / "instance"
        self.SECRET_KEY = secret or _local_secret(instance / "secret_key")

        self.SQLALCHEMY_DATABASE_URI = env.get("DATABASE_URL") or f"sqlite:///{instance / 'hub.db'}"
        # PostgreSQL: the role that owns the tables, used by `flask db upgrade` only; the app then
        # connects as DATABASE_URL's role, which cannot alter or drop the audit log (see
        # app/core/db_roles.py). Unset: migrations use DATABASE_URL, as the app does.
        self.MIGRATION_DATABASE_URL = env.get("MIGRATION_DATABASE_URL") or None
        # hide_parameters: a database error's message (and so its log line) names the statement
        # but never its values, which can be an e-mail address, a password hash or a victim's words.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

        self.CONTENT_DIR = Path(env.get("CONTENT_DIR", ROOT / "content"))
        # Seconds between checks for edited content files (0: check on every request).
        self.CONTENT_RELOAD_SECONDS = float(env.get("CONTENT_RELOAD_SECONDS", "1"))
        self.HUB_LANGUAGES = tuple(
            env.get("HUB_LANGUAGES", "en,cy,ar,ur,pl,ro,bn,so,pt,tr").split(",")
        )
        self.BABEL_DEFAULT_LOCALE = "en"
        # Dates and times on pages are London's, whatever the server's clock zone.
        self.BABEL_DEFAULT_TIMEZONE = "Europe/London"
        self.BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")

        # Where "Exit this page" finally sends someone: a busy, neutral site.
        self.EXIT_REDIRECT_URL = env.get("EXIT_REDIRECT_URL", "https://www.bbc.co.uk/weather")

        # How many proxies (nginx, a load balancer) stand in front of the app: their
        # X-Forwarded-For/-Proto are then trusted, so rate limits see each visitor's address.
        self.PROXY_COUNT = int(env.get("PROXY_COUNT", "0"))
        # The proxies whose forwarded headers are believed (app/proxies.py): addresses or networks,
        # comma-separated. gunicorn reads the same variable, with the same default, for the scheme.
        self.FORWARDED_ALLOW_IPS = env.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
        self.FORCE_HTTPS = _flag("FORCE_HTTPS", production)
        self.HSTS = _flag("HSTS", production)
        self.SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", production)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # __Host- cookies must be Secure, on path /, with no Domain: a sibling subdomain cannot
        # set or read them. Browsers refuse the prefix over plain http, so local dev goes without.
        self.SESSION_COOKIE_NAME = "__Host-hub" if self.SESSION_COOKIE_SECURE else "hub_session"
        self.SESSION_IDLE_MINUTES = int(env.get("SESSION_IDLE_MINUTES", "15"))
        self.SESSION_ABSOLUTE_HOURS = int(env.get("SESSION_ABSOLUTE_HOURS", "12"))
        self.SESSION_WARNING_SECONDS = 120

        self.MAIL_SERVER = env.get("MAIL_SERVER")
        self.MAIL_PORT = int(env.get("MAIL_PORT", "25"))
        self.MAIL_USE_TLS = _flag("MAIL_USE_TLS", False)
        self.MAIL_USERNAME = env.get("MAIL_USERNAME")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD")
        self.MAIL_FROM = env.get("MAIL_FROM", "Victim Care Hub <no-reply@victimcarehub.example>")
        self.MAIL_SINK_DIR = env.get("MAIL_SINK_DIR", str(instance / "mail"))
        # Used when a victim asked that messages do not name the service: neither name nor domain.
        self.MAIL_FROM_NEUTRAL = env.get("MAIL_FROM_NEUTRAL", "Updates <no-reply@updates.example>")
        # GOV.UK Notify, when a key is set: e-mail and text messages go through it instead of SMTP
        # and the sink. Each template has the placeholders ((subject)) and ((body)).
        self.NOTIFY_API_KEY = env.get("NOTIFY_API_KEY")
        self.NOTIFY_BASE_URL = env.get(
            "NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
        )
        self.NOTIFY_EMAIL_TEMPLATE_ID = env.get("NOTIFY_EMAIL_TEMPLATE_ID")
        self.NOTIFY_SMS_TEMPLATE_ID = env.get("NOTIFY_SMS_TEMPLATE_ID")
        # The outbox: a claimed message not marked sent after this long is tried again (the
        # worker that claimed it is presumed dead); a critical update not confirmed within
        # CONFIRM_CRITICAL_HOURS of being sent becomes a navigator's task.
        self.NOTIFY_LEASE_SECONDS = int(env.get("NOTIFY_LEASE_SECONDS", "300"))
        self.NOTIFY_MAX_ATTEMPTS = int(env.get("NOTIFY_MAX_ATTEMPTS", "8"))
        self.CONFIRM_CRITICAL_HOURS = int(env.get("CONFIRM_CRITICAL_HOURS", "24"))
        # Victims' Code alerts: tell the duty holder of duties due within this many working days
        # (or overdue); a duty still overdue this many working days after its deadline becomes a
        # navigator's task to chase the agency.
        self.ALERT_WITHIN_WORKING_DAYS = int(env.get("ALERT_WITHIN_WORKING_DAYS", "1"))
        self.ESCALATE_AFTER_WORKING_DAYS = int(env.get("ESCALATE_AFTER_WORKING_DAYS", "2"))
        # Hand new messages to the worker at once (off in unit tests, which run the outbox).
        self.NOTIFY_ENQUEUE = _flag("NOTIFY_ENQUEUE", True)
        # Keys for data at rest (TOTP secrets, victims' words, PDFs), newest first, comma-separated
        # (app/accounts/crypto.py). Production needs its own, so that changing SECRET_KEY (say,
        # after a leak) signs everyone out but leaves every statement readable.
        self.DATA_KEY = env.get("DATA_KEY")
        if not self.DATA_KEY and production:
            raise RuntimeError(
                "DATA_KEY must be set when HUB_ENV=production (data stored under SECRET_KEY "
                "before stays readable: SECRET_KEY still decrypts)"
            )
        self.BASE_URL = env.get("BASE_URL", "http://127.0.0.1:5000")
        # Passkeys (WebAuthn): the domain they belong to, the request's host name when unset.
        self.WEBAUTHN_RP_ID = env.get("WEBAUTHN_RP_ID") or None
        # Secure referral addresses agreed with support services ("service-id=address,…"), by id
        # in content/services.yaml. Outside production, demo agreements at reserved .example
        # addresses (they can never reach a real service; the local SMTP sink catches them).
        self.REFERRAL_ADDRESSES = (
            _pairs(env.get("REFERRAL_ADDRESSES"))
            if (production or "REFERRAL_ADDRESSES" in env)
            else dict(DEMO_REFERRAL_ADDRESSES)
        )

        # OpenID Connect sign-in (GOV.UK One Login or any provider). Off unless OIDC_ISSUER is set.
        # Discovery is at <issuer>/.well-known/openid-configuration.
        self.OIDC_ISSUER = env.get("OIDC_ISSUER")
        self.OIDC_CLIENT_ID = env.get("OIDC_CLIENT_ID")
        # The client's private key for private_key_jwt, as a PEM file path or an inline JWK (JSON).
        self.OIDC_PRIVATE_KEY = env.get("OIDC_PRIVATE_KEY")
        self.OIDC_SCOPES = env.get("OIDC_SCOPES", "openid email")
        # One Login's "medium" level of authentication; ID tokens must carry the same `vot`.
        self.OIDC_VTR = env.get("OIDC_VTR", '["Cl.Cm"]')
        self.OIDC_EXPECTED_VOT = env.get("OIDC_EXPECTED_VOT", "Cl.Cm")
        self.OIDC_PROVIDER_NAME = env.get("OIDC_PROVIDER_NAME", "GOV.UK One Login")
        # Origins of the provider's endpoints, if any differ from the issuer's (comma-separated).
        self.OIDC_EXTRA_ORIGINS = env.get("OIDC_EXTRA_ORIGINS", "")

        # Rate limits are counted in Redis, shared by every worker process and app server.
        # Without it each process counts on its own: with N of them, up to N times a limit gets
        # through. Production refuses to start that way unless RATE_LIMITS_PER_PROCESS says it
        # is accepted (a single worker, say), and then logs that it is so (app/__init__.py).
        self.RATELIMIT_STORAGE_URI = env.get("REDIS_URL") or "memory://"
        # Off only for the end-to-end tests' server, where every simulated person signs in from
        # the same address; production refuses to start without limits (app/__init__.py).
        self.RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
        self.RATE_LIMITS_PER_PROCESS = _flag("RATE_LIMITS_PER_PROCESS", False)
        self.RATELIMIT_HEADERS_ENABLED = True
        # Redis down: limits are kept in each process's memory meanwhile (and it is logged),
        # never a failed page. Fail safe is to serve: a victim must be able to read and sign in.
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.WTF_CSRF_TIME_LIMIT = None

        self.SEARCH_MAX_QUERY_LENGTH = 100
        # The rendered-page cache for anonymous readers (page_cache.py), a process: bodies and
        # headers. Every page of the site in all ten languages, once, is about 8.5 MB (460
        # pages); least recently used first out, so the pages people read stay.
        self.PAGE_CACHE_MAX_BYTES = int(env.get("PAGE_CACHE_MAX_BYTES", str(8 * 1024 * 1024)))
        # No request body the hub accepts is anywhere near this (a batch of 500 events is ~150 KB).
        self.MAX_CONTENT_LENGTH = 1024 * 1024
        self.LOG_REQUESTS = _flag("LOG_REQUESTS", True)
