"""SQLite, the embedded default, made to keep the same promises as PostgreSQL.

Python 3.11's sqlite3 driver opens a transaction only just before the first INSERT, UPDATE or
DELETE. A SAVEPOINT issued before that starts a transaction of its own, and releasing it commits
everything: the milestone and the message about it would be committed separately, and a crash
between them could lose the message. So a real transaction is begun before the first savepoint
(IMMEDIATE: a savepoint always precedes a write, and taking the write lock up front means a
concurrent writer makes us wait, not fail). Each connection also uses WAL, so readers never wait
for a writer, and enforces foreign keys, as PostgreSQL does."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
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
