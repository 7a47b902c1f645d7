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
