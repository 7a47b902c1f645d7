"""Cases: what agencies tell the hub about a victim's case, and the victim's view of it."""

from flask import Blueprint, Flask

bp = Blueprint("cases", __name__, template_folder="templates")

from app.cases import agency_messages, detail_text, updates, views  # noqa: E402,F401  (routes register on import)

# A milestone's details in words, for the victim's timeline and the navigator's record.
bp.add_app_template_global(detail_text.describe, "milestone_detail")


def init_app(app: Flask) -> None:
    """The case's part of the outbox: the agencies' channels, and victims' updates with their
    escalation."""
    agency_messages.init_app(app)
    updates.init_app(app)
