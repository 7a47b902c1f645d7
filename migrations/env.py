"""Alembic environment, run through Flask-Migrate (`flask db …`)."""

import logging

from alembic import context
from flask import current_app

config = context.config
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
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
    with db.engine.connect() as connection:
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
        finally:
            if sqlite:
                connection.commit()
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
                if dangling:
                    raise RuntimeError(f"foreign keys left dangling: {dangling[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
