"""INSERT … ON CONFLICT DO NOTHING … RETURNING, on SQLite and PostgreSQL alike: a whole batch in
one statement, the database deciding which rows are new. No check-then-insert race, no savepoint
per row."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .extensions import db


def insert_new(
    model, rows: Sequence[dict], unique: Sequence[str], returning: Sequence[str]
) -> list[Row]:
    """Insert the rows whose `unique` columns are not taken; return `returning` of those (or
    nothing, if `returning` is empty)."""
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = model.__table__
    statement = insert(table).on_conflict_do_nothing(
        index_elements=[table.c[name] for name in unique]
    )
    if not returning:  # a plain executemany: the fastest path when nothing needs reading back
        db.session.execute(statement, list(rows))
        return []
    statement = statement.returning(*(table.c[name] for name in returning))
    # An executemany: SQLAlchemy's "insertmanyvalues" sends it as multi-row INSERTs in pages
    # (within SQLite's limit on bound values) from one cached compiled statement.
    return list(db.session.execute(statement, list(rows)).all())
