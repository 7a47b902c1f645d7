"""What a victim can do in their account: a Victim Personal Statement, a Right to Review, a
referral to a support service, messages with the hub's navigators."""

from flask import Blueprint

bp = Blueprint("requests", __name__, template_folder="templates")

from app.victim_requests import (  # noqa: E402,F401  (routes register on import)
    message_views,
    models,
    referral_views,
    review_views,
    statement_views,
    views,
)
