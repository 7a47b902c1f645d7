"""Who sends what. The outbox knows messages, not people: each channel ("email", "webhook",
"referral", …) is registered by the capability that owns its recipients, and so is what to do
when a kind of message finally fails. Registered on the app (``init_app`` of each capability),
so two apps in one process never share them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

from app.notify.models import Notification

Sender = Callable[[Notification, dt.datetime], None]
FailureHandler = Callable[[Notification], None]


class NothingToSend(Exception):
    """The person or agency can no longer be reached this way (deleted, opted out, no URL)."""


class NotYet(Exception):
    """The victim changed their safe times since the message was queued."""

    def __init__(self, when: dt.datetime) -> None:
        self.when = when


@dataclass
class Channels:
    senders: dict[str, Sender] = field(default_factory=dict)
    on_failed: dict[str, list[FailureHandler]] = field(default_factory=dict)


def _of(app: Flask) -> Channels:
    return app.extensions.setdefault("notify_channels", Channels())


def register_channel(app: Flask, name: str, sender: Sender) -> None:
    channels = _of(app)
    if channels.senders.get(name, sender) is not sender:
        raise ValueError(f"outbox channel {name!r} is registered twice")
    channels.senders[name] = sender


def on_failed(app: Flask, kind: str, handler: FailureHandler) -> None:
    """`handler` runs when a message of this kind has failed for the last time."""
    _of(app).on_failed.setdefault(kind, []).append(handler)


def sender_for(channel: str) -> Sender:
    try:
        return _of(current_app).senders[channel]
    except KeyError:
        raise LookupError(f"no sender for outbox channel {channel!r}") from None


def failure_handlers(kind: str) -> list[FailureHandler]:
    return _of(current_app).on_failed.get(kind, [])
