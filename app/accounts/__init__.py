"""Optional accounts for victims, and accounts for staff: sign-up, sign-in, two-step
verification, sessions, profile and the audit log."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")

from . import views  # noqa: E402,F401  (routes register on import)
