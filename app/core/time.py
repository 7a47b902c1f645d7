"""Time as the hub stores it: aware, in UTC."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands timezone-aware columns back without their zone; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def iso(value: dt.datetime | None) -> str | None:
    """A time as the data export and the API write it (ISO 8601), or None."""
    return value.isoformat() if value else None
