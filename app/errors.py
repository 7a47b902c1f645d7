"""Error pages, in the language of the URL. An unknown language prefix (/xx/…) is not a language
we offer, so its 404 is in English; every 404 links to the home page in each language offered.
The partner API answers errors in JSON, even those raised before a view is chosen (404, 405)."""

from __future__ import annotations

import logging

import psycopg
from flask import Flask, Response, make_response, render_template, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from app.extensions import db

log = logging.getLogger(__name__)
API_PREFIXES = ("/api/", "/oauth/")


def _respond(error: HTTPException) -> Response:
    if request.path.startswith(API_PREFIXES):
        from app.partners.errors import api_error

        response = api_error(
            error.code or 500, error.name.lower().replace(" ", "_"), error.description
        )
    else:
        response = make_response(render_template("errors/error.html", error=error), error.code)
    for name, value in error.get_headers():
        if name.lower() == "allow":  # a 405 must say which methods are allowed (RFC 9110)
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return _respond(error)

    @app.errorhandler(DBAPIError)
    def _database_error(error: DBAPIError):
        # The database went away (a restart, a failover): the transaction was rolled back
        # whole, so a client can safely try again. Anything else is a bug: a 500.
        if not error.connection_invalidated and not _is_disconnect(error):
            return _unexpected(error)
        log.warning("database unavailable on %s", request.endpoint)
        db.session.rollback()
        response = _respond(
            ServiceUnavailable(
                "The database is not answering for a moment. Nothing was stored: please try again."
            )
        )
        response.headers["Retry-After"] = "2"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s", request.endpoint)
        db.session.rollback()  # leave no half-done transaction for the next request
        return _respond(InternalServerError())


def _is_disconnect(error: DBAPIError) -> bool:
    """Whether PostgreSQL went away, by SQLSTATE: a connection exception (class 08) or the server
    shutting down or starting up (57P01-57P03). A connection refused or dropped before the server
    said anything carries no SQLSTATE: psycopg's OperationalError without one."""
    state = getattr(error.orig, "sqlstate", None)
    if state:
        return state.startswith("08") or state in {"57P01", "57P02", "57P03"}
    return isinstance(error.orig, psycopg.OperationalError)
