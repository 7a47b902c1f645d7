"""The audit log is owned by a role the app does not use (PostgreSQL: app/core/db_roles.py).

Migrations run as an owner role (MIGRATION_DATABASE_URL); the app connects as its own role
(DATABASE_URL), which can add and read audit rows but cannot change, remove or empty them, nor
drop, disable or replace the trigger that keeps them append-only. Roles are cluster-wide: each
run makes roles with names of its own, in a schema of its own, and drops all of them after.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from flask_migrate import upgrade
from sqlalchemy import Engine, create_engine, make_url, select, text
from sqlalchemy.exc import DBAPIError

from app.accounts import audit
from app.accounts.models import AuditEvent
from app.extensions import db
from tests.conftest import DATABASES, POSTGRES_URL, make_app
from tests.factories import create_user

pytestmark = pytest.mark.skipif(
    "postgresql" not in DATABASES, reason="PostgreSQL does not answer on 127.0.0.1:5432"
)

REFUSED = r"must be owner|permission denied|append-only"


def _url(role: str, schema: str) -> str:
    url = make_url(POSTGRES_URL).set(username=role, password=None)
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def roles() -> Iterator[dict[str, str]]:
    """A schema owned by a new owner role; the app role is left for the migrations to create."""
    suffix = secrets.token_hex(4)
    schema, owner, app_role = f"audit_{suffix}", f"hub_owner_{suffix}", f"hub_app_{suffix}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE ROLE "{owner}" LOGIN CREATEROLE')
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}" AUTHORIZATION "{owner}"')
    try:
        yield {
            "schema": schema,
            "owner": owner,
            "app": app_role,
            "owner_url": _url(owner, schema),
            "app_url": _url(app_role, schema),
        }
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            for role in (app_role, owner):
                exists = connection.execute(
                    text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
                ).first()
                if exists:
                    connection.exec_driver_sql(f'DROP OWNED BY "{role}"')
                    connection.exec_driver_sql(f'DROP ROLE "{role}"')
        admin.dispose()


@pytest.fixture(scope="module")
def migrated(roles) -> Iterator[dict[str, str]]:
    app = make_app(roles["app_url"], MIGRATION_DATABASE_URL=roles["owner_url"])
    with app.app_context():
        upgrade()
        upgrade()  # again: the grants are idempotent, and nothing to migrate is no error
        db.engine.dispose()
    yield roles


@pytest.fixture
def as_app(migrated) -> Iterator[Engine]:
    engine = create_engine(migrated["app_url"])
    try:
        yield engine
    finally:
        engine.dispose()


def test_the_owner_owns_the_audit_log_and_the_app_role_does_not(migrated, as_app):
    with as_app.connect() as connection:
        assert connection.execute(text("SELECT current_user")).scalar() == migrated["app"]
        table_owner = connection.execute(
            text("SELECT tableowner FROM pg_tables WHERE schemaname = :s AND tablename = :t"),
            {"s": migrated["schema"], "t": "audit_event"},
        ).scalar()
        function_owner = connection.execute(
            text(
                "SELECT pg_get_userbyid(proowner) FROM pg_proc "
                "WHERE proname = 'audit_event_append_only' "
                "AND pronamespace = CAST(:s AS regnamespace)"
            ),
            {"s": migrated["schema"]},
        ).scalar()
        superuser = connection.execute(
            text(
                "SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles "
                "WHERE rolname = current_user"
            )
        ).scalar()
    assert table_owner == migrated["owner"]
    assert function_owner == migrated["owner"]
    assert superuser is False


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TRIGGER audit_event_no_update ON audit_event",
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update",
        "ALTER TABLE audit_event DISABLE TRIGGER ALL",
        "ALTER TABLE audit_event OWNER TO CURRENT_USER",
        "DROP TABLE audit_event",
        "TRUNCATE audit_event",
        "UPDATE audit_event SET action = 'nothing'",
        "DELETE FROM audit_event",
        "DROP FUNCTION audit_event_append_only() CASCADE",
        """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
           LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$""",
        """CREATE TRIGGER audit_event_undo BEFORE UPDATE ON audit_event
           FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
        "SET session_replication_role = replica",  # would skip every trigger
        "CREATE TABLE audit_event_copy (id integer)",  # no DDL at all in the schema
    ],
)
def test_the_app_role_cannot_change_remove_or_unguard_audit_rows(as_app, statement):
    with as_app.begin() as connection:
        connection.execute(
            text("INSERT INTO audit_event (at, action) VALUES (now(), 'before_attempt')")
        )
    with as_app.connect() as connection, pytest.raises(DBAPIError, match=REFUSED):
        connection.exec_driver_sql(statement)
    with as_app.connect() as connection:
        assert connection.execute(
            text("SELECT count(*) FROM audit_event WHERE action = 'before_attempt'")
        ).scalar()
        # The trigger is still there and enabled.
        assert (
            connection.execute(
                text(
                    "SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_event_no_update' "
                    "AND tgrelid = 'audit_event'::regclass"
                )
            ).scalar()
            == "O"
        )


def test_the_app_as_its_role_signs_up_and_writes_and_reads_the_audit_log(migrated):
    app = make_app(migrated["app_url"])
    with app.app_context():
        try:
            user = create_user()  # an ordinary table and its sequence
            audit.record("sign_in", actor=user, subject=user)
            db.session.commit()
            actions = db.session.scalars(
                select(AuditEvent.action).where(AuditEvent.actor_id == user.id)
            ).all()
            assert actions == ["sign_in"]
            user.failed_sign_ins = 1  # the other tables: UPDATE and DELETE as usual
            db.session.commit()
            db.session.delete(user)
            db.session.commit()
        finally:
            db.session.remove()
            db.engine.dispose()


def test_without_a_migration_url_one_role_does_all_as_before(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'hub.db'}")
    assert app.config["MIGRATION_DATABASE_URL"] is None
    with app.app_context():
        upgrade()
        user = create_user()
        audit.record("sign_in", actor=user)
        db.session.commit()
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text("UPDATE audit_event SET action = 'nothing'"))
            db.session.flush()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
