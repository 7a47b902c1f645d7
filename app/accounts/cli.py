"""`flask accounts …`: housekeeping and staff accounts."""

from __future__ import annotations

import secrets

import click
from flask.cli import with_appcontext

from app.accounts import audit, mydata, passwords, service
from app.accounts.models import Role, User
from app.core.time import utcnow
from app.extensions import db


@click.group("accounts", help="Manage accounts.")
def accounts_cli() -> None:
    pass


@accounts_cli.command("purge", help="Delete accounts whose cooling-off period has ended.")
@with_appcontext
def purge_command() -> None:
    deleted = mydata.purge_due()
    click.echo(f"{deleted} accounts deleted")


@accounts_cli.command("create-staff", help="Create a staff account and print a one-time password.")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role if r != Role.VICTIM]))
@with_appcontext
def create_staff(email: str, role: str) -> None:
    if service.find_by_email(email):
        raise click.ClickException("an account with that e-mail address already exists")
    password = secrets.token_urlsafe(18)
    user = User(
        email=service.normalise_email(email),
        password_hash=passwords.hash_password(password),
        password_changed_at=utcnow(),
        email_confirmed_at=utcnow(),
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("staff_created", subject=user, role=role)
    db.session.commit()
    click.echo(f"{role} account {user.email} created. One-time password: {password}")
    click.echo("They must set up two-step verification when they first sign in.")


@accounts_cli.command(
    "rotate-data-key",
    help="Re-encrypt everything stored encrypted with the first key in DATA_KEY, so that the "
    "keys after it can be removed. Safe to stop and run again.",
)
@with_appcontext
def rotate_data_key() -> None:
    from app.accounts.data_keys import rotate_all

    changed = rotate_all()
    for table, count in changed.items():
        click.echo(f"{table}: {count} value(s) re-encrypted")
    click.echo(f"done: {sum(changed.values())} value(s) re-encrypted with the first DATA_KEY")
