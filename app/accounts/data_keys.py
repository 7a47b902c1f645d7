"""Re-encrypting everything stored encrypted with the first DATA_KEY, so an old key can be
retired: every encrypted column of every table, a batch at a time, by primary key."""

from __future__ import annotations

from sqlalchemy import Text, select, type_coerce, update

from app.core.crypto import is_encrypted, rotate
from app.extensions import db

BATCH = 500


def encrypted_columns() -> dict[str, list[str]]:
    """Table name -> its encrypted columns (typed or marked in their info)."""
    found: dict[str, list[str]] = {}
    for table in db.metadata.sorted_tables:
        names = [column.name for column in table.columns if is_encrypted(column)]
        if names:
            found[table.name] = names
    return found


def rotate_all() -> dict[str, int]:
    """Re-encrypt with the first key what is not yet under it. Returns {table: values changed}.
    Each batch is its own transaction: stopped half-way, it is simply run again."""
    changed: dict[str, int] = {}
    for name, columns in encrypted_columns().items():
        table = db.metadata.tables[name]
        (key,) = table.primary_key.columns  # every encrypted table has a one-column key
        # The stored text as it is, both ways (the column types would decrypt and encrypt it).
        raw = [type_coerce(table.c[c], Text).label(c) for c in columns]
        last, count = None, 0
        while True:
            query = select(key, *raw).order_by(key).limit(BATCH)
            if last is not None:
                query = query.where(key > last)
            rows = db.session.execute(query).all()
            if not rows:
                break
            for row in rows:
                values = {}
                for c in columns:
                    new = rotate(row._mapping[c]) if row._mapping[c] else None
                    if new is not None:
                        values[c] = type_coerce(new, Text)
                if values:
                    db.session.execute(update(table).where(key == row[0]).values(values))
                    count += len(values)
            db.session.commit()
            last = rows[-1][0]
        changed[name] = count
    return changed
