"""Error pages, in the language of the URL. An unknown language prefix (/xx/…) is not a language
we offer, so its 404 is in English; every 404 links to the home page in each language offered."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_template("errors/error.html", error=error), error.code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s", request.endpoint)
        db.session.rollback()  # leave no half-done transaction for the next request
        return render_template("errors/error.html", error=InternalServerError()), 500
