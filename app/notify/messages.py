"""A message as the outbox's channels send it: its words are written by the capability that owns
the recipient (app/accounts/messages.py for victims, app/cases/agency_messages.py for agencies)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    subject: str
    body: str  # e-mail body
    short: str  # text message (one SMS part where the language allows)
