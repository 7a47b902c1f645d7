"""Fixtures. Integration tests run once per database: SQLite always, PostgreSQL too when it answers
on 127.0.0.1:5432 (database `test`). The schema is built by running the migrations, as in
production, never by create_all()."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

from app import create_app

# Property tests share two cores with other workers, a browser and servers: an example's time says
# nothing about the code, so no per-example deadline and no "too slow" health check.
settings.register_profile(
    "suite", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("suite")

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_answers() -> bool:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


DATABASES = ["sqlite", *(["postgresql"] if _postgres_answers() else [])]


def pytest_report_header(config) -> str:
    return "integration databases: " + ", ".join(DATABASES)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", DATABASES, indirect=True, scope="session")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A module may say that a grid of cases runs whole on SQLite and only a sample of it on
    PostgreSQL (`on_postgresql_only_if(params) -> bool`): pages that read no more from the
    database than the sample does gain nothing from a second full run. The rest are deselected
    (reported as such), not skipped."""
    kept, dropped = [], []
    for item in items:
        sample = getattr(getattr(item, "module", None), "on_postgresql_only_if", None)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if sample and params.get("database_url") == "postgresql" and not sample(params):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@contextlib.contextmanager
def own_database(kind: str, directory) -> Iterator[str]:
    """A database nobody else uses: a new SQLite file in `directory`, or a new PostgreSQL schema
    (dropped afterwards). Each xdist worker makes its own, so workers never meet."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'hub-{secrets.token_hex(3)}.db'}"
        return
    schema = f"test_{os.getpid()}_{secrets.token_hex(3)}"
    # pool_pre_ping: a fault test restarts PostgreSQL, which ends every pooled connection.
    engine = create_engine(POSTGRES_URL, pool_pre_ping=True)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:
    with own_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def content_copy(tmp_path_factory):
    """This worker's copy of the content: a test that writes a page writes it here, where no
    other worker (and no other checkout's test run) reads it."""
    from app.config import ROOT

    content = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(ROOT / "content", content)
    return content


class Client(FlaskClient):
    """Tests that hold an app context share it with the requests they make (Flask reuses an
    active context), and with it `g`. Flask-WTF keeps the request's CSRF token in `g`: drop it,
    as a new request in production would start without it."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("csrf_token", None)
        return super().open(*args, **kwargs)


def make_app(database_url: str, **overrides) -> Flask:
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LOG_REQUESTS": False,
        # Limits are tested on their own (test_accounts_abuse.py); elsewhere they would trip as
        # every test signs in from the same address.
        "RATELIMIT_ENABLED": False,
        "NOTIFY_ENQUEUE": False,
        **overrides,
    }
    app = create_app(settings)
    app.test_client_class = Client
    return app


@pytest.fixture(scope="session")
def app(database_url: str, content_copy) -> Iterator[Flask]:
    app = make_app(database_url, CONTENT_DIR=content_copy)
    with app.app_context():
        upgrade()
    yield app


@pytest.fixture(autouse=True)
def _rate_limits_off_again():
    """Flask-Limiter's extension object is shared by every app in the session: a test that makes
    an app with limits on turns them on for the others. Turn them off again afterwards."""
    yield
    from app.extensions import limiter

    if limiter.enabled and limiter.initialized:
        # A fault test's storage is down on purpose: nothing to reset there.
        with contextlib.suppress(Exception):
            limiter.reset()
    limiter.enabled = False


@pytest.fixture()
def client(app: Flask):
    return app.test_client()


@pytest.fixture()
def app_context(app: Flask):
    with app.app_context():
        yield app


def _account_mail(send: bool) -> None:
    """The account e-mails (confirmation, reset, "already has an account") waiting in the
    outbox: sent now, as the worker would; or, with `send` false, dropped."""
    from sqlalchemy import select, update

    from app.accounts.service import ACCOUNT_CHANNEL
    from app.extensions import db
    from app.notify.delivery import deliver
    from app.notify.models import CANCELLED, PENDING, Notification

    waiting = (Notification.channel == ACCOUNT_CHANNEL, Notification.status == PENDING)
    if send:
        for notification_id in db.session.scalars(select(Notification.id).where(*waiting)).all():
            deliver(notification_id)
    else:
        db.session.execute(update(Notification).where(*waiting).values(status=CANCELLED))
        db.session.commit()


@pytest.fixture()
def mail_sink(app: Flask, tmp_path):
    """A fresh local mail sink for this test; returns a function listing its messages. Account
    e-mails go through the outbox: listing first sends those this test queued (and only those:
    what earlier tests left waiting is dropped at the start)."""
    from app.notify.sink import read as read_sink

    app.config["MAIL_SINK_DIR"] = str(tmp_path / "mail")

    def in_app(work):
        with contextlib.nullcontext() if has_app_context() else app.app_context():
            return work()

    in_app(lambda: _account_mail(send=False))

    def read():
        in_app(lambda: _account_mail(send=True))
        return read_sink(tmp_path / "mail")

    return read
