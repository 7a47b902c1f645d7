"""Alembic environment, run through Flask-Migrate (`flask db …`)."""

import logging

from alembic import context
from flask import current_app
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from app.core.db_roles import app_role_of, grant_app_role

config = context.config
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
# MIGRATION_DATABASE_URL (PostgreSQL): migrations run as the role that owns the tables, and then
# grant DATABASE_URL's role, the app's, what it needs (app/core/db_roles.py). Unset: the app's.
MIGRATION_URL = current_app.config.get("MIGRATION_DATABASE_URL")
engine: Engine = create_engine(MIGRATION_URL, hide_parameters=True) if MIGRATION_URL else db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)

# Search structures that only one database has (SQLite's FTS5 tables, PostgreSQL's generated
# tsvector column) are written by hand in the migration; autogenerate must leave them alone.
HAND_WRITTEN_TABLES = ("search_fts",)
HAND_WRITTEN_COLUMNS = {("search_document", "tsv")}
HAND_WRITTEN_INDEXES = {"ix_search_document_tsv"}


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table" and name and name.startswith(HAND_WRITTEN_TABLES):
        return False
    if type_ == "column" and (obj.table.name, name) in HAND_WRITTEN_COLUMNS:
        return False
    return not (type_ == "index" and name in HAND_WRITTEN_INDEXES)


def _no_empty_revisions(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def _options() -> dict:
    return {
        "target_metadata": db.metadata,
        "compare_type": True,
        "include_object": include_object,
        "render_as_batch": True,  # SQLite alters tables by copying them
        "transaction_per_migration": True,
        "process_revision_directives": _no_empty_revisions,
    }


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **_options()
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch alteration copies the table and drops the old one, which foreign keys
            # from rows in other tables forbid. SQLite reads this pragma outside a transaction
            # only: set it, end the transaction, and set it back on the way out (the connection
            # returns to the pool) after checking no key was left dangling.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            context.configure(connection=connection, **_options())
            with context.begin_transaction():
                context.run_migrations()
            if MIGRATION_URL and connection.dialect.name == "postgresql":
                role, password = app_role_of(current_app.config["SQLALCHEMY_DATABASE_URI"])
                grant_app_role(connection, role, password)
                connection.commit()
        finally:
            if sqlite:
                connection.commit()
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
                if dangling:
                    raise RuntimeError(f"foreign keys left dangling: {dangling[:5]}")


try:
    if context.is_offline_mode():
        run_migrations_offline()
    else:
        run_migrations_online()
finally:
    if MIGRATION_URL:
        engine.dispose()
