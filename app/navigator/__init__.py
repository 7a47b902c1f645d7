"""Staff tools: the content editor (editors), and later the navigator console and compliance."""

from flask import Blueprint

bp = Blueprint("navigator", __name__, template_folder="templates")

from app.navigator import compliance_views, console_views, journey_views, task_views, views  # noqa: E402,F401  (routes register on import)
