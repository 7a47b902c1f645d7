"""Everything the hub holds about a person, in plain JSON, from the parts each capability
exports about its own data."""

from __future__ import annotations

from typing import Any

from app.accounts.models import User
from app.accounts.mydata import account_export
from app.core.time import utcnow
from app.victim_requests.export import requests_export

EXPORT_FORMAT_VERSION = 1


def export(user: User) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT_VERSION,
        "exported_at": utcnow().isoformat(),
        **account_export(user),
        **requests_export(user),
    }
