"""INSERT … ON CONFLICT DO NOTHING … RETURNING, on SQLite and PostgreSQL alike: a whole batch in
one statement, the database deciding which rows are new. No check-then-insert race, no savepoint
per row."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .extensions import db

# SQLite allows 32,766 bound values per statement; stay well under it.
MAX_VALUES = 8_000


def insert_new(
    model, rows: Sequence[dict], unique: Sequence[str], returning: Sequence[str]
) -> list[Row]:
    """Insert the rows whose `unique` columns are not taken; return `returning` of those."""
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = model.__table__
    per_statement = max(1, MAX_VALUES // len(rows[0]))
    inserted: list[Row] = []
    for start in range(0, len(rows), per_statement):
        statement = (
            insert(table)
            .values(list(rows[start : start + per_statement]))
            .on_conflict_do_nothing(index_elements=[table.c[name] for name in unique])
            .returning(*(table.c[name] for name in returning))
        )
        inserted.extend(db.session.execute(statement).all())
    return inserted
