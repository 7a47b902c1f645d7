"""SQLite, the embedded default, made to keep the same promises as PostgreSQL.

Python 3.11's sqlite3 driver opens a transaction only just before the first INSERT, UPDATE or
DELETE. A SAVEPOINT issued before that starts a transaction of its own, and releasing it commits
everything: the milestone and the message about it would be committed separately, and a crash
between them could lose the message. So a real transaction is begun before the first savepoint
(IMMEDIATE: a savepoint always precedes a write, and taking the write lock up front means a
concurrent writer makes us wait, not fail). Each connection also uses WAL, so readers never wait
for a writer, and enforces foreign keys, as PostgreSQL does.

A writer waits up to BUSY_TIMEOUT_MS for another's lock (the sqlite3 module's own default is 5 s,
which a few parallel requests or test workers can exceed: "database is locked", a 500)."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable at each WAL checkpoint
    cursor.close()


@event.listens_for(Engine, "savepoint")
def _begin_before_savepoint(connection: Connection, _name: str) -> None:
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None  # a savepoint is begun on a live connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")
