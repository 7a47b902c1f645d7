"""Site-wide routes that belong to no capability: health check and Exit this page."""

from flask import Blueprint

bp = Blueprint("site", __name__, template_folder="templates")

from app.site import views  # noqa: E402,F401  (routes register on import)
