"""The audit log: who did what to whose record. Append-only (triggers refuse UPDATE and DELETE).

Nothing secret is ever written: detail keys that could hold a password, code or token are dropped.
"""

from __future__ import annotations

import json
from typing import Any

from app.accounts.models import AuditEvent, User
from app.extensions import db

_SECRET_WORDS = ("password", "secret", "token", "code", "otp")

# An agency's system read a victim's data through the partner API (no hub account is the actor:
# detail names the agency). Shown to the victim with the reads by hub staff.
AGENCY_READ = "agency_read"


def record(
    action: str, *, actor: User | None = None, subject: User | None = None, **detail: Any
) -> AuditEvent:
    clean = {k: v for k, v in detail.items() if not any(w in k.lower() for w in _SECRET_WORDS)}
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else None,
        subject_id=subject.id if subject else None,
        detail=json.dumps(clean, default=str, sort_keys=True) if clean else None,
    )
    db.session.add(event)
    return event
