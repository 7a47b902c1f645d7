"""One structured (JSON) log line per request, with nothing personal in it.

No IP address, no query string (search terms can be revealing), no user agent, no path parameters:
only the route pattern, status, timing and language.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import sys
import time
import traceback
from types import TracebackType

from flask import Flask, Response, g, request
from sqlalchemy.exc import StatementError

log = logging.getLogger("hub.request")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)

    def formatException(
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        """The traceback, with each database error's words replaced by what is safe to keep.
        The engine hides statements' parameters (hide_parameters), but PostgreSQL's own message
        can quote them: "Key (email)=(…) already exists", "Failing row contains (…)"."""
        text = "".join(traceback.format_exception(*ei)) if ei[1] is not None else ""
        replaced: dict[str, str] = {}
        seen: set[int] = set()
        error: BaseException | None = ei[1]
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            safe = database_error_summary(error)
            if safe is not None and str(error):
                replaced[str(error)] = safe
            error = error.__cause__ or error.__context__
        # Longest first, through placeholders: a wrapper's words contain the driver's.
        originals = sorted(replaced, key=len, reverse=True)
        for number, original in enumerate(originals):
            text = text.replace(original, f"\x00{number}\x00")
        for number, original in enumerate(originals):
            text = text.replace(f"\x00{number}\x00", replaced[original])
        return text.rstrip("\n")


def database_error_summary(error: BaseException | None) -> str | None:
    """A database error as its kind, SQLSTATE, constraint, table and column (and the statement,
    whose parameters are hidden): never the server's message, which may quote values. None for
    any other exception."""
    statement = None
    if isinstance(error, StatementError):
        statement, error = error.statement, error.orig
    state = getattr(error, "sqlstate", None)
    diag = getattr(error, "diag", None)
    if statement is None and state is None and not isinstance(error, sqlite3.Error):
        return None
    parts = []
    if statement is not None and error is not None:  # the wrapper names the driver's error
        parts.append(f"({type(error).__module__}.{type(error).__name__})")
    if state:
        parts.append(f"SQLSTATE {state}")
    for name in ("constraint_name", "table_name", "column_name"):
        value = getattr(diag, name, None)
        if value:
            parts.append(f"{name.removesuffix('_name')} {value}")
    if isinstance(error, sqlite3.Error):  # SQLite names the constraint, never the values
        parts.append(str(error))
    if statement is not None:
        parts.append(f"[SQL: {statement}] [parameters hidden]")
    return " ".join(parts)


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # WeasyPrint narrates every step of every PDF at INFO; Flask-Limiter logs the client's IP
    # address at INFO when a limit is hit. Neither belongs in our logs.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd, the local mail sink
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    configure_logging()
    if not app.config["LOG_REQUESTS"]:
        return

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        started = g.get("request_started")
        fields = {
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "lang": g.get("lang"),
            "htmx": "HX-Request" in request.headers,
            "ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
        }
        request.environ["hub.log_fields"] = fields
        log.info("request", extra={"fields": fields})
        return response
