"""Two PostgreSQL roles, so the app cannot erase its own audit trail.

With `MIGRATION_DATABASE_URL` set (a PostgreSQL URL), `flask db upgrade` connects as that URL's
role, the *owner*: it creates every table, the audit log and its append-only trigger. After the
migrations, `grant_app_role` gives the role in `DATABASE_URL` (the *app* role, used by the app
servers and the worker) what the app needs and no more:

- every table of the schema: SELECT, INSERT, UPDATE, DELETE; every sequence: USAGE, SELECT;
- `audit_event`: SELECT and INSERT only.

ALTER, DROP, TRUNCATE and ALTER TABLE … DISABLE TRIGGER are the owner's alone in PostgreSQL (and
TRUNCATE is not granted), so the app role can neither rewrite nor remove audit rows, nor switch
off the trigger that refuses UPDATE and DELETE. The app role is created (LOGIN, with the password
in `DATABASE_URL` if it has one) when missing and the owner may create roles; otherwise it must
already exist. Each step can be run again: it is run after every upgrade, so tables that later
migrations add are granted too.

Without `MIGRATION_DATABASE_URL` (SQLite, local development) nothing changes: one role does all.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, make_url, text

logger = logging.getLogger(__name__)

# Tables whose rows the app may add and read but never change or remove.
APPEND_ONLY_TABLES = ("audit_event",)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def app_role_of(database_url: str) -> tuple[str, str | None]:
    """The role (and its password, if any) that the app connects as."""
    url = make_url(database_url)
    if not url.username:
        raise RuntimeError("DATABASE_URL names no user: the app role must be named in it")
    return url.username, url.password


def grant_app_role(connection: Connection, role: str, password: str | None = None) -> None:
    """Give `role` the app's rights on the current schema's tables (run as their owner)."""
    owner = connection.execute(text("SELECT current_user")).scalar_one()
    if role == owner:
        logger.warning(
            "DATABASE_URL and MIGRATION_DATABASE_URL name the same role (%s): the app owns the "
            "audit log and could drop its triggers",
            role,
        )
        return
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    if schema is None:
        raise RuntimeError("no current schema: check the search_path of MIGRATION_DATABASE_URL")
    r, s = quote_identifier(role), quote_identifier(schema)
    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if not exists:
        login = f" PASSWORD {quote_literal(password)}" if password else ""
        connection.exec_driver_sql(f"CREATE ROLE {r} LOGIN{login}")
    connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA {s} TO {r}")
    connection.exec_driver_sql(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}"
    )
    connection.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}")
    # Never TRUNCATE, REFERENCES or TRIGGER (a trigger of its own on a table could not undo the
    # append-only one, but it has no use for one either).
    connection.exec_driver_sql(
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {s} FROM {r}"
    )
    for table in APPEND_ONLY_TABLES:
        present = connection.execute(
            text("SELECT to_regclass(quote_ident(:schema) || '.' || quote_ident(:table))"),
            {"schema": schema, "table": table},
        ).scalar_one()
        if present is not None:
            connection.exec_driver_sql(
                f"REVOKE UPDATE, DELETE ON {s}.{quote_identifier(table)} FROM {r}"
            )
