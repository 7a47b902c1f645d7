"""Cases: what agencies tell the hub about a victim's case, and the victim's view of it."""

from flask import Blueprint, Flask

bp = Blueprint("cases", __name__, template_folder="templates")

from app.cases import agency_messages, updates, views  # noqa: E402,F401  (routes register on import)


def init_app(app: Flask) -> None:
    """The case's part of the outbox: the agencies' channels, and victims' updates with their
    escalation."""
    agency_messages.init_app(app)
    updates.init_app(app)
