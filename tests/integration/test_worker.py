"""The real worker (huey's consumer, as `make run` starts it) killed in the middle of sending:
every message still arrives, and the SMTP sink keeps each one exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from app.cases import updates
from app.cases.models import Milestone
from app.core.time import utcnow
from app.extensions import db
from app.notify import sink
from app.notify.models import Notification
from tests.factories import create_linked_case, create_user

pytestmark = pytest.mark.usefixtures("app_context")
MESSAGES = 8


class SlowSink(sink.SinkHandler):
    """Keeps each message at once, then holds its answer to the first one of ours (sent to
    `addresses`) until `release` is set: long enough for the test to kill the worker after the
    message arrived but before the worker heard it was accepted (the worst moment: sent, but not
    recorded as sent). Messages other tests left in the outbox pass straight through."""

    def __init__(self, directory: Path, addresses: set[str]) -> None:
        super().__init__(directory)
        self.addresses = addresses
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        self.recipients: list[str] = []  # of every delivery, repeats included

    async def handle_DATA(self, server, session, envelope) -> str:
        self.recipients.extend(envelope.rcpt_tos)
        answer = await super().handle_DATA(server, session, envelope)
        if not self.first_arrived.is_set() and self.addresses & set(envelope.rcpt_tos):
            self.first_arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return answer


def _worker(env: dict, log: Path) -> subprocess.Popen:
    consumer = Path(sys.executable).parent / "huey_consumer"
    # Its log goes to a file: a pipe nobody reads fills up and stops the worker mid-write.
    with open(log, "ab") as out:
        return subprocess.Popen(
            [str(consumer), "app.worker.huey", "--workers", "1", "--worker-type", "thread"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=out,
            start_new_session=True,
        )


def _ours(user_ids: set[int]):
    # Only the messages this test queued: what other tests left in the outbox (and the worker's
    # periodic jobs, the Victims' Code alerts at :00, :15, :30, :45) is sent too, and not counted.
    return Notification.user_id.in_(user_ids)


def _statuses(user_ids: set[int]) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification.status).where(_ours(user_ids)).order_by(Notification.id)
        )
    )


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(app, tmp_path):
    addresses: set[str] = set()
    user_ids: set[int] = set()
    for _ in range(MESSAGES):
        user = create_user()
        addresses.add(user.email)
        user_ids.add(user.id)
        user.safe_days, user.safe_from, user.safe_to = (
            "mon,tue,wed,thu,fri,sat,sun",
            "00:00",
            "23:59",
        )
        _case, _victim = create_linked_case(user=user)
        milestone = Milestone(
            case_id=_case.id,
            agency_id=_case.agency_id,
            agency_event_id=f"w-{user.id}",
            type="charged",
            occurred_at=utcnow(),
        )
        db.session.add(milestone)
        db.session.flush()
        updates.queue_case_update(milestone)
    db.session.commit()
    assert _statuses(user_ids) == ["pending"] * MESSAGES

    handler = SlowSink(tmp_path / "mail", addresses)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "LOG_REQUESTS": "0",
    }
    env.pop("REDIS_URL", None)
    log = tmp_path / "worker.log"
    worker = _worker(env, log)
    try:
        assert handler.first_arrived.wait(60), log.read_text()
        os.killpg(worker.pid, signal.SIGKILL)  # no goodbye: as if the machine died
        worker.wait(10)
        handler.release.set()
        assert "sending" in _statuses(user_ids)  # claimed, sent, never recorded
        # The dead worker's lease runs out: its claim is made older than the lease, rather than
        # waiting for it (a short lease would let a slow send be claimed again by the new worker).
        lease = dt.timedelta(seconds=app.config["NOTIFY_LEASE_SECONDS"] + 1)
        db.session.execute(
            update(Notification)
            .where(_ours(user_ids), Notification.status == "sending")
            .values(claimed_at=utcnow() - lease)
        )
        db.session.commit()
        worker = _worker(env, log)
        # The new worker's start-up sweep, or at the latest its minute sweep, sends the rest.
        deadline = time.monotonic() + 90
        while _statuses(user_ids) != ["sent"] * MESSAGES:
            if time.monotonic() > deadline:
                os.killpg(worker.pid, signal.SIGTERM)
                raise AssertionError(f"{_statuses(user_ids)}\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
    finally:
        handler.release.set()
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(10)
        controller.stop()
    kept = [m for m in sink.read(tmp_path / "mail") if m["To"] in addresses]
    assert len(kept) == MESSAGES  # every message, once
    assert len({m["Message-ID"] for m in kept}) == MESSAGES
    ours = [r for r in handler.recipients if r in addresses]
    assert len(ours) == MESSAGES + 1  # the one in flight at the kill came twice
    attempts = db.session.scalars(select(Notification.attempts).where(_ours(user_ids))).all()
    assert sorted(attempts) == [1] * (MESSAGES - 1) + [2]
