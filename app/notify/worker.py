"""The background worker (huey). Started as `huey_consumer app.worker.huey` by `make run`: that
entry point builds the app, whose capabilities register their periodic jobs here as it is made,
and binds it to this worker.

The queue is only a doorbell. The outbox table is the truth: a task says "look at message N now";
the minute sweep and the sweep at start-up find anything a lost task, a dead worker or a queue
outage left behind. Storage: SQLite beside the app by default, Redis when REDIS_URL is set."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask
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
# The app the worker's tasks run in: one per worker process, set by app/worker.py.
_bound: dict[str, Flask] = {}
_jobs: dict[str, Any] = {}
_minute_jobs: dict[str, Callable[[], Any]] = {}


def bind(app: Flask) -> None:
    _bound["app"] = app


def _in_app(work: Callable[[], T]) -> T:
    try:
        app = _bound["app"]
    except KeyError:
        raise RuntimeError(
            "no app bound: start the worker as `huey_consumer app.worker.huey`"
        ) from None
    with app.app_context():
        return work()


def periodic(name: str, schedule: Any, work: Callable[[], Any]) -> None:
    """Run `work` in the app on `schedule` (a huey crontab). Called by the capability that owns
    the job, at init_app; registering a name again (every app made in one process) is a no-op."""
    if name in _jobs:
        return
    huey.periodic_task(schedule, name=name)(lambda: _in_app(work))
    _jobs[name] = (schedule, work)


def every_minute(name: str, work: Callable[[], Any]) -> None:
    periodic(name, crontab(minute="*"), work)
    _minute_jobs[name] = work


def minute_jobs() -> dict[str, Callable[[], Any]]:
    """The jobs that run with every sweep (`flask notify sweep` runs them too)."""
    return dict(_minute_jobs)


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

    return _in_app(lambda: dict(sweep()))


@huey.on_startup()
def _recover() -> None:
    """A worker that starts sends what was left behind, without waiting for the minute."""
    from app.notify.delivery import sweep

    _in_app(sweep)
