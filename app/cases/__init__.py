"""Cases: what agencies tell the hub about a victim's case, and the victim's view of it."""

from flask import Blueprint

bp = Blueprint("cases", __name__, template_folder="templates")

from app.cases import views  # noqa: E402,F401  (routes register on import)
