"""The app factory, the route table and the migrations."""

from __future__ import annotations

import re

from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.config import ROOT
from tests.conftest import make_app, own_database


def test_factory_applies_overrides_and_registers_blueprints():
    app = create_app({"TESTING": True, "HUB_LANGUAGES": ("en", "cy")})
    assert app.testing
    assert {"guidance", "site"} <= set(app.blueprints)
    assert [lang.code for lang in app.extensions["hub_languages"]] == ["en", "cy"]
    # A language that is switched off is not routed.
    assert app.test_client().get("/ar/").status_code == 404


def test_every_route_is_kebab_case_with_typed_parameters(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        static_parts = re.sub(r"<[^>]+>", "", rule.rule)
        assert static_parts == static_parts.lower() and "_" not in static_parts, rule.rule
        for converter in re.findall(r"<(?:(\w+):)?\w+>", rule.rule):
            assert converter, f"{rule.rule}: untyped parameter"


def test_every_guidance_route_exists_in_each_language(app):
    endpoints: dict[str, int] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("guidance."):
            endpoints[rule.endpoint] = endpoints.get(rule.endpoint, 0) + 1
    assert endpoints and all(count == 2 for count in endpoints.values()), endpoints


def test_migrations_have_one_head_and_numbered_files():
    script = ScriptDirectory(str(ROOT / "migrations"))
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert re.fullmatch(r"\d{4}", revision.revision), revision.revision
        assert revision.module.__file__.split("/")[-1].startswith(revision.revision + "_")


def test_migrations_go_down_and_up_again(database_url, tmp_path):
    # On a database of its own: the session's holds other tests' rows (and, under xdist, is in
    # use by the tests this worker runs next), which a downgrade would drop or fail on.
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with own_database(kind, tmp_path) as url:
        app = make_app(url)
        with app.app_context():
            from app.extensions import db

            upgrade()
            downgrade(revision="base")
            assert "search_document" not in inspect(db.engine).get_table_names()
            upgrade()
            assert "search_document" in inspect(db.engine).get_table_names()
            db.engine.dispose()


def test_database_errors_never_carry_the_statements_values(app_context, caplog):
    """A double-submitted sign-up hits the unique e-mail: the IntegrityError, and any log line
    made from it, name the statement but hold neither the address nor the password hash."""
    import logging

    import pytest
    from sqlalchemy.exc import IntegrityError

    from app.accounts.models import User
    from app.extensions import db
    from app.request_log import JsonFormatter
    from tests.factories import create_user

    first = create_user()
    twin = User(email=first.email, password_hash=first.password_hash, role=first.role)
    db.session.add(twin)
    with caplog.at_level(logging.DEBUG), pytest.raises(IntegrityError) as raised:
        db.session.commit()
    db.session.rollback()
    # The engine's own message: the statement, its parameters hidden.
    assert "hidden due to hide_parameters" in str(raised.value)
    assert first.password_hash not in str(raised.value)
    # PostgreSQL's words quote the key ("Key (email)=(…) already exists"): the log line, as an
    # unhandled error's is written, keeps the kind, SQLSTATE and constraint instead.
    logging.getLogger("hub.test").exception("sign-up failed", exc_info=raised.value)
    (record,) = [r for r in caplog.records if r.name == "hub.test"]
    line = JsonFormatter().format(record)
    assert "IntegrityError" in line and "[parameters hidden]" in line
    for logged in (line, caplog.text):
        assert first.password_hash not in logged
    assert first.email not in line
