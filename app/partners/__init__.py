"""The partner API for justice agencies: OAuth2 client-credentials tokens issued by the hub, and
/api/v1 endpoints to send cases and events."""

from flask import Blueprint

bp = Blueprint("partners", __name__)

from app.partners import request_views, views  # noqa: E402,F401  (routes register on import)
