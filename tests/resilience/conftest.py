"""Fault tests: each needs the service it breaks (PostgreSQL, Redis, nginx for production mode).
They run in `make test` on machines that have them; where one is absent, the test says which and
why instead of failing for the wrong reason."""

from __future__ import annotations

import os
import secrets

import pytest

from tests.production import port_answers as answers


@pytest.fixture()
def postgres_app():
    """An app on a PostgreSQL schema of its own (the fault is in the database server)."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from app.extensions import db
    from tests.conftest import POSTGRES_URL, make_app

    if not answers(5432):
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: this fault test needs it")
    schema = f"fault_{os.getpid()}_{secrets.token_hex(3)}"
    # pool_pre_ping: a fault test restarts PostgreSQL, which ends every pooled connection.
    engine = create_engine(POSTGRES_URL, pool_pre_ping=True)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    app = make_app(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()
