"""Which database errors mean "the database went away, try again" (a 503) and which are bugs (a
500): by SQLSTATE, not by the words of the driver's message."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from psycopg import errors
from sqlalchemy.exc import DBAPIError

from app.errors import _is_disconnect


def wrapped(orig: Exception) -> DBAPIError:
    return DBAPIError.instance("SELECT 1", {}, orig, psycopg.Error)


@pytest.mark.parametrize(
    "orig",
    [
        errors.AdminShutdown("terminating connection due to administrator command"),  # 57P01
        errors.CrashShutdown("terminating connection because of crash"),  # 57P02
        errors.CannotConnectNow("the database system is starting up"),  # 57P03
        errors.ConnectionFailure("connection failure"),  # 08006
        errors.ConnectionDoesNotExist("no connection"),  # 08003
        psycopg.OperationalError("connection failed: Connection refused"),  # before any SQLSTATE
        psycopg.OperationalError("the connection is closed"),
    ],
)
def test_the_database_gone_away_is_retryable(orig: Exception) -> None:
    assert _is_disconnect(wrapped(orig))


@pytest.mark.parametrize(
    "orig",
    [
        errors.UniqueViolation("duplicate key value"),  # 23505: a bug or a race, not an outage
        errors.UndefinedTable("relation does not exist"),
        errors.QueryCanceled("canceling statement due to statement timeout"),
        errors.DeadlockDetected("deadlock detected"),
        sqlite3.OperationalError("database is locked"),  # SQLite has no server to lose
        # A message that merely mentions a connection is not an outage.
        errors.RaiseException("could not connect the dots"),
    ],
)
def test_other_database_errors_are_not(orig: Exception) -> None:
    assert not _is_disconnect(wrapped(orig))
