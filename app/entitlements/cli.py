"""`flask entitlements …`: re-evaluate every case (after a rules change), and check the rules."""

from __future__ import annotations

import os
import time

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.cases.models import Case
from app.entitlements import service
from app.extensions import db

entitlements_cli = AppGroup("entitlements", help="Victims' Code entitlements of every case.")


@entitlements_cli.command("recompute")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    # One per core: a third process on two cores was slower in every measured run (bench/).
    default=os.cpu_count() or 1,
    show_default="the number of cores",
    help="Processes to share the work.",
)
def recompute_command(workers: int) -> None:
    """Re-evaluate every case's entitlements (run after changing the rules file)."""
    total = db.session.scalar(select(func.count()).select_from(Case)) or 0
    started = time.perf_counter()
    with click.progressbar(
        length=total, label="Evaluating cases", show_pos=True, show_eta=True
    ) as bar:
        done = service.recompute_all(progress=bar.update, workers=workers)
    seconds = time.perf_counter() - started
    click.echo(f"{done:,} cases evaluated in {seconds:.1f} s with {len(service.rules())} rules")


@entitlements_cli.command("rules")
def rules_command() -> None:
    """List the rules as loaded (a broken file stops the app before this runs)."""
    for rule in service.rules():
        flag = "" if rule.confirmed else "  (unconfirmed)"
        click.echo(f"right {rule.right:>2}  {rule.id:<34} {rule.duty_holder:<10}{flag}")


@entitlements_cli.command("alerts")
def alerts_command() -> None:
    """Run the alerts job now (the worker runs it every 15 minutes)."""
    from app.entitlements import alerts

    for name, count in alerts.run().items():
        click.echo(f"{name.replace('_', ' ')}: {count}")
