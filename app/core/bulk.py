"""INSERT … ON CONFLICT DO NOTHING … RETURNING, on SQLite and PostgreSQL alike: a whole batch in
one statement, the database deciding which rows are new. No check-then-insert race, no savepoint
per row."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, overload

import psycopg
from psycopg import sql
from sqlalchemy import JSON, Row, Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import Base, db

M = TypeVar("M", bound=Base)

# From this many rows, PostgreSQL gets them by COPY (into a temporary table, then one INSERT …
# SELECT … ON CONFLICT): a full entitlements recompute inserts two million rows, and COPY costs
# the client a third of what an executemany does.
COPY_FROM_ROWS = 2_000


@overload
def insert_new(
    model: type[M], rows: Sequence[Mapping[str, Any]], unique: Sequence[str], returning: type[M]
) -> list[M]: ...


@overload
def insert_new(
    model: type[M],
    rows: Sequence[Mapping[str, Any]],
    unique: Sequence[str],
    returning: Sequence[str],
) -> list[Row[*tuple[Any, ...]]]: ...


def insert_new(
    model: type[M],
    rows: Sequence[Mapping[str, Any]],
    unique: Sequence[str],
    returning: Sequence[str] | type[M],
) -> list[M] | list[Row[*tuple[Any, ...]]]:
    """Insert the rows whose `unique` columns are not taken; return `returning` of those (or
    nothing, if `returning` is empty). With the model itself as `returning`, the new rows come
    back as ORM objects in the session, as if loaded: no second query to read them."""
    if not rows:
        return []
    table = model.__table__
    assert isinstance(table, Table)  # each model here maps one table
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql" and not returning and len(rows) >= COPY_FROM_ROWS:
        _copy_new(table, rows, unique)
        return []
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # A class as `returning` is the model itself (the overloads allow no other): rows as objects.
    statement = insert(model if isinstance(returning, type) else table).on_conflict_do_nothing(
        index_elements=[table.c[name] for name in unique]
    )
    if not returning:  # a plain executemany: the fastest path when nothing needs reading back
        db.session.execute(statement, list(rows))
        return []
    if isinstance(returning, type):
        # render_nulls: every row in one INSERT, not one per pattern of missing values.
        options = {"render_nulls": True}
        return list(
            db.session.scalars(statement.returning(model), list(rows), execution_options=options)
        )
    columns = statement.returning(*(table.c[name] for name in returning))
    # An executemany: SQLAlchemy's "insertmanyvalues" sends it as multi-row INSERTs in pages
    # (within SQLite's limit on bound values) from one cached compiled statement.
    return list(db.session.execute(columns, list(rows)).all())


def _copy_new(table: Table, rows: Sequence[Mapping[str, Any]], unique: Sequence[str]) -> None:
    names = list(rows[0])
    as_json = {name for name in names if isinstance(table.c[name].type, JSON)}
    # Named by its columns too: each set of columns gets its own staging table.
    staging = sql.Identifier(f"staging_{table.name}_{zlib.crc32(','.join(names).encode()):x}")
    target = sql.Identifier(table.name)
    columns = sql.SQL(", ").join(map(sql.Identifier, names))
    db.session.flush()  # what the ORM holds goes first, as any other statement would
    driver = db.session.connection().connection.driver_connection
    assert isinstance(driver, psycopg.Connection)  # only PostgreSQL copies, and through psycopg
    cursor = driver.cursor()
    # A bare copy of the columns: no defaults (they would draw on sequences), no constraints.
    cursor.execute(
        sql.SQL(
            "CREATE TEMPORARY TABLE IF NOT EXISTS {} ON COMMIT DELETE ROWS "
            "AS SELECT {} FROM {} WITH NO DATA"
        ).format(staging, columns, target)
    )
    with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(staging, columns)) as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[name])
                    if name in as_json and row[name] is not None
                    else row[name]
                    for name in names
                ]
            )
    cursor.execute(
        sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) DO NOTHING").format(
            target, columns, columns, staging, sql.SQL(", ").join(map(sql.Identifier, unique))
        )
    )
    cursor.execute(sql.SQL("TRUNCATE {}").format(staging))  # batches may share a transaction
