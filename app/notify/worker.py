"""The background worker (huey): `huey_consumer app.notify.worker.huey`, started by `make run`.

The queue is only a doorbell. The outbox table is the truth: a task says "look at message N now";
the minute sweep and the sweep at start-up find anything a lost task, a dead worker or a queue
outage left behind. Storage: SQLite beside the app by default, Redis when REDIS_URL is set."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from functools import cache
from typing import TypeVar

from huey import RedisHuey, SqliteHuey, crontab

from app.config import ROOT

T = TypeVar("T")


def _make_huey():
    if os.environ.get("REDIS_URL"):
        return RedisHuey("victim-care-hub", url=os.environ["REDIS_URL"])
    path = os.environ.get("HUEY_SQLITE_PATH") or str(ROOT / "instance" / "huey.db")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return SqliteHuey("victim-care-hub", filename=path)


huey = _make_huey()


@cache
def _app():
    from app import create_app

    return create_app()


def _in_app(work: Callable[[], T]) -> T:
    with _app().app_context():
        return work()


def enqueue(queued: Iterable[tuple[int, dt.datetime]]) -> None:
    for notification_id, not_before in queued:
        deliver_notification.schedule(args=(notification_id,), eta=not_before)


@huey.task()
def deliver_notification(notification_id: int) -> str:
    from app.notify.delivery import deliver

    return _in_app(lambda: deliver(notification_id))


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> dict:
    from app.notify.delivery import sweep
    from app.notify.escalation import escalate_unconfirmed

    def work() -> dict:
        tally = dict(sweep())
        tally["escalated"] = escalate_unconfirmed()
        return tally

    return _in_app(work)


@huey.on_startup()
def _recover() -> None:
    """A worker that starts sends what was left behind, without waiting for the minute."""
    from app.notify.delivery import sweep

    _in_app(sweep)


@huey.periodic_task(crontab(minute="*/15"))
def victims_code_alerts() -> dict:
    """Overdue statuses brought up to date; agencies alerted, navigators given what is still
    overdue, victims told of their own time limits."""
    from app.entitlements import alerts

    return _in_app(alerts.run)
