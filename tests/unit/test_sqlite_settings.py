"""SQLite's connection settings (app/sqlite.py): a writer that finds the database locked by another
waits for it, instead of failing with "database is locked" (a 500 under parallel load)."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, text

from app import sqlite


def engine_for(path, **connect_args):
    assert sqlite.BUSY_TIMEOUT_MS >= 15_000  # the listeners are registered on import
    return create_engine(f"sqlite:///{path}", connect_args=connect_args)


def test_each_connection_waits_for_a_lock_and_uses_wal(tmp_path):
    engine = engine_for(tmp_path / "hub.db")
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA busy_timeout")) == sqlite.BUSY_TIMEOUT_MS
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1
    engine.dispose()


def test_two_concurrent_writers_on_one_file_both_succeed(tmp_path):
    # The sqlite3 module's own timeout cut to 0.1 s: only the busy timeout set on each connection
    # can make the second writer wait the 0.5 s the first one holds its lock.
    engine = engine_for(tmp_path / "hub.db", timeout=0.1)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (writer TEXT NOT NULL)"))
    second_started, second_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with engine.begin() as connection:
                second_started.set()
                connection.execute(text("INSERT INTO note VALUES ('second')"))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            second_started.set()
            second_done.set()

    with engine.begin() as connection:
        connection.execute(text("INSERT INTO note VALUES ('first')"))  # holds the write lock
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert second_started.wait(10)
        # Well past the driver's 0.1 s: the second writer is still waiting, not failed.
        assert not second_done.wait(0.5), errors
    thread.join(30)
    assert not errors, errors
    with engine.connect() as connection:
        rows = connection.scalars(text("SELECT writer FROM note ORDER BY rowid")).all()
    assert rows == ["first", "second"]
    engine.dispose()
