"""Optional accounts for victims, and accounts for staff: sign-up, sign-in, two-step
verification, sessions, profile and the audit log."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")

# Routes register on import (OpenID Connect routes live on the same blueprint).
from app.accounts import oidc_views, views  # noqa: E402, F401
