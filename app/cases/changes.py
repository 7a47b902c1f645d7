"""A case changed: an agency sent events or new facts, or a victim's details came in. What others
must do about it (the Victims' Code engine works out again what is owed) is registered here by
the capabilities above cases, at init_app, and runs in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection

from flask import Flask, current_app

# (case ids, now, the types of the events just stored or None when the case itself changed)
Listener = Callable[[Collection[int], dt.datetime | None, Collection[str] | None], object]


def on_change(app: Flask, listener: Listener) -> None:
    listeners = app.extensions.setdefault("case_listeners", [])
    if listener not in listeners:
        listeners.append(listener)


def changed(
    case_ids: Collection[int],
    now: dt.datetime | None = None,
    event_types: Collection[str] | None = None,
) -> None:
    for listener in current_app.extensions.get("case_listeners", ()):
        listener(case_ids, now, event_types)
