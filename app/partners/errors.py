"""Errors as JSON: {"error": code, "detail": message or per-field messages}."""

from __future__ import annotations

from flask import Response, jsonify


def api_error(status: int, error: str, detail: object) -> Response:
    response = jsonify(error=error, detail=detail)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
