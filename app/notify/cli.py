"""`flask notify …`: run the outbox by hand and the local mail sink."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

notify_cli = AppGroup("notify", help="Messages to victims and agencies.")


@notify_cli.command("sweep")
def sweep_command() -> None:
    """Send every message that is due now, then run the jobs that go with every sweep (such as
    escalating unconfirmed critical updates to navigators)."""
    from app.notify.delivery import sweep
    from app.notify.worker import minute_jobs

    tally = sweep()
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(tally.items())) or "nothing due")
    for name, work in minute_jobs().items():
        click.echo(f"{name}: {work()}")


@notify_cli.command("sink")
@click.option("--port", default=1025, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="0.0.0.0 only inside a private network (compose.yaml): it accepts any mail.",
)
def sink_command(port: int, host: str) -> None:
    """Run the local SMTP mail sink (messages kept under MAIL_SINK_DIR)."""
    from app.notify.sink import start

    directory = Path(current_app.config["MAIL_SINK_DIR"])
    controller = start(directory, host=host, port=port)
    click.echo(f"Mail sink on {host}:{port}, keeping messages in {directory}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
