"""Identifiers shown outside the database: random, so a URL says nothing about how many rows
there are or which came first."""

from __future__ import annotations

import secrets


def new_public_id() -> str:
    return secrets.token_urlsafe(12)
