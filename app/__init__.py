"""The Victim Care Hub application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from app import (
    assets,
    converters,
    errors,
    http_cache,
    i18n,
    request_log,
    security,
    sqlite,  # noqa: F401  (registers the SQLite connection settings)
    template_helpers,
)
from app.config import ROOT, Config
from app.content import ContentStore
from app.extensions import babel, csrf, db, htmx, limiter, migrate
from app.proxies import TrustedProxies

log = logging.getLogger(__name__)

READ_ONLY_ENDPOINTS = frozenset(
    {"guidance.home", "guidance.journey", "guidance.contents", "guidance.page", "site.healthz"}
)


def _reading_is_not_rate_limited() -> bool:
    """Reading guidance is never rate limited (limits are for sign-in, forms and the API), and
    skipping the limiter keeps the anonymous page path as cheap as a Flask response can be."""
    return request.method in {"GET", "HEAD"} and request.endpoint in READ_ONLY_ENDPOINTS


def _check_rate_limit_storage(app: Flask) -> None:
    """Production counts rate limits in one place for every process, or says plainly that it
    does not (finding 9 of issue 19: 17 of 25 requests passed a limit of 10 a minute)."""
    config = app.config
    if config["HUB_ENV"] == "production" and not config.get("RATELIMIT_ENABLED", True):
        raise RuntimeError("RATELIMIT_ENABLED=0 is for tests: production keeps its rate limits.")
    shared = not str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://")
    if config["HUB_ENV"] != "production" or shared:
        return
    if not config["RATE_LIMITS_PER_PROCESS"]:
        raise RuntimeError(
            "REDIS_URL must be set when HUB_ENV=production: without it each worker process "
            "keeps its own rate limits, and several times each limit gets through. Set "
            "RATE_LIMITS_PER_PROCESS=1 to accept limits per process instead."
        )
    log.warning(
        "rate limits are per process (RATE_LIMITS_PER_PROCESS=1, no REDIS_URL): each worker "
        "process counts on its own, so a client can use each limit once per process"
    )


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.config.from_object(Config())
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(exist_ok=True)
    # For work that needs an app of its own in another process (a parallel recompute).
    app.extensions["app_factory"] = create_app

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(Path(app.root_path) / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    limiter.request_filter(_reading_is_not_rate_limited)
    htmx.init_app(app)

    app.extensions["content_store"] = ContentStore(
        app.config["CONTENT_DIR"],
        app.config["HUB_LANGUAGES"],
        reload_seconds=app.config["CONTENT_RELOAD_SECONDS"],
    )

    # Capabilities fill in the infrastructure's registries: outbox channels, periodic jobs, what
    # happens when a case changes.
    from app import cases
    from app.accounts import contact
    from app.entitlements import hooks as entitlements
    from app.victim_requests import channels as request_channels

    entitlements.init_app(app)
    contact.init_app(app)
    cases.init_app(app)
    request_channels.init_app(app)
    converters.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    store = app.extensions["content_store"]

    def content_version() -> str:
        store.refresh()
        return store.version

    http_cache.init_app(app, content_version)
    # Forwarded headers only from the proxies FORWARDED_ALLOW_IPS names (app/proxies.py).
    app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
        app.wsgi_app, app.config["FORWARDED_ALLOW_IPS"], app.config["PROXY_COUNT"]
    )
    request_log.init_app(app)
    _check_rate_limit_storage(app)  # once logging is set up: it may say limits are per process
    assets.init_app(app)
    errors.init_app(app)
    template_helpers.init_app(app)

    from app.accounts import bp as accounts_bp
    from app.accounts.cli import accounts_cli
    from app.cases import bp as cases_bp
    from app.demo import demo_command
    from app.entitlements.cli import entitlements_cli
    from app.entitlements.views import bp as rights_bp
    from app.guidance import bp as guidance_bp
    from app.guidance.cli import content_cli
    from app.mydata import bp as mydata_bp
    from app.navigator import bp as navigator_bp
    from app.notify.cli import notify_cli
    from app.partners import bp as partners_bp
    from app.partners import oauth
    from app.site import bp as site_bp
    from app.victim_requests import bp as requests_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(mydata_bp)
    app.register_blueprint(navigator_bp)
    app.register_blueprint(partners_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(rights_bp)
    app.register_blueprint(requests_bp)
    oauth.init_app(app)
    app.register_blueprint(guidance_bp)
    app.cli.add_command(content_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(accounts_cli)
    app.cli.add_command(notify_cli)
    app.cli.add_command(entitlements_cli)
    return app
