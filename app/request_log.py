"""One structured (JSON) log line per request, with nothing personal in it.

No IP address, no query string (search terms can be revealing), no user agent, no path parameters:
only the route pattern, status, timing and language.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time

from flask import Flask, Response, g, request

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
