"""Guidance for anyone, signed in or not: pages, the step-by-step journey, search and PDFs."""

from flask import Blueprint

bp = Blueprint("guidance", __name__, template_folder="templates")

from app.guidance import checker_views, directory_views, views  # noqa: E402,F401  (routes register on import)
