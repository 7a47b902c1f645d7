"""Idempotent writes: the first answer to a given Idempotency-Key is kept and replayed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from flask import Response, request
from sqlalchemy import select

from app.core.bulk import insert_new
from app.extensions import db
from app.partners.errors import api_error
from app.partners.models import IdempotencyRecord, PartnerClient

MAX_KEY = 100


def idempotent(client: PartnerClient, handler: Callable[[], tuple]) -> Response:
    """Run `handler` once per Idempotency-Key. It returns (body, status), or (body, status,
    body_to_keep) when the first answer holds a secret that must not be stored or replayed."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > MAX_KEY:
        return api_error(
            400,
            "idempotency_key_required",
            f"Send an Idempotency-Key header of 1 to {MAX_KEY} characters.",
        )
    request_hash = hashlib.sha256(request.get_data()).hexdigest()
    stored = _find(client, key)
    if stored is not None:
        return _replay(stored, request_hash)
    body, status, *kept = handler()
    record = {
        "client_pk": client.id,
        "key": key,
        "request_hash": request_hash,
        "status": status,
        "body": json.dumps(kept[0] if kept else body, default=str),
    }
    if not insert_new(IdempotencyRecord, [record], unique=("client_pk", "key"), returning=("id",)):
        # The same key arrived twice at once: the other request's answer stands, and this one's
        # work is undone.
        db.session.rollback()
        stored = _find(client, key)
        assert stored is not None  # its row is what the insert ran into
        return _replay(stored, request_hash)
    db.session.commit()
    return Response(json.dumps(body, default=str), status=status, mimetype="application/json")


def _find(client: PartnerClient, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.client_pk == client.id, IdempotencyRecord.key == key
        )
    )


def _replay(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        return api_error(
            422, "idempotency_key_reused", "This Idempotency-Key was used for a different request."
        )
    response = Response(record.body, status=record.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response
