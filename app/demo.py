"""`flask demo`: demonstration data for a local hub. Refuses to run in production."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.accounts import passwords, service
from app.accounts.models import Role, User
from app.core.time import utcnow
from app.extensions import db
from app.guidance.search import sync_index
from app.guidance.service import content_store

DEMO_PASSWORD = "demo password for the hub"  # demo only, refused in production  # noqa: S105  # nosec B105
DEMO_AGENCY = "Metropolitan Police Service (demo)"
DEMO_PEOPLE = [
    ("demo@example.org", Role.VICTIM),
    ("navigator@example.org", Role.NAVIGATOR),
    ("editor@example.org", Role.EDITOR),
    ("admin@example.org", Role.ADMIN),
]


def ensure_person(email: str, role: Role) -> tuple[User, bool]:
    user = service.find_by_email(email)
    if user is not None:
        return user, False
    user = User(
        email=email,
        password_hash=passwords.hash_password(DEMO_PASSWORD),
        password_changed_at=utcnow(),
        email_confirmed_at=utcnow(),
        role=role,
        preferred_name="Demo" if role == Role.VICTIM else None,
    )
    db.session.add(user)
    db.session.commit()
    return user, True


def demo_agency():
    """The demo police force, made once."""
    from sqlalchemy import select

    from app.cases.models import Agency

    agency = db.session.scalar(select(Agency).where(Agency.name == DEMO_AGENCY))
    if agency is None:
        agency = Agency(
            name=DEMO_AGENCY, kinds=["police", "wcu"], contact_email="cases@police.example"
        )
        db.session.add(agency)
        db.session.flush()
    return agency


def ensure_partner_client() -> tuple[str, str]:
    """A demo police force and its API client. The secret is stored hashed, so a new one is
    issued (and printed) on every run."""
    import secrets

    from sqlalchemy import select

    from app.partners.models import SCOPES, PartnerClient, secret_hash

    agency = demo_agency()
    client = db.session.scalar(
        select(PartnerClient).where(PartnerClient.client_id == "demo-police")
    )
    secret = secrets.token_urlsafe(24)
    if client is None:
        client = PartnerClient(
            client_id="demo-police",
            agency_id=agency.id,
            name="Demo case system",
            scope=" ".join(SCOPES),
            client_secret_hash="",
        )
        db.session.add(client)
    client.client_secret_hash = secret_hash(secret)
    db.session.commit()
    return client.client_id, secret


DEMO_TIMELINE = [
    ("reported", 40),
    ("crime_reference_issued", 40),
    ("officer_assigned", 38),
    ("needs_assessment_done", 37),
    ("suspect_arrested", 30),
    ("released_on_bail", 29),
    ("charged", 12),
    ("hearing_details_received", 10),
    ("vps_offered", 9),
    ("information_delivered", 29),  # the arrest was explained to the victim the next day
]
# Acknowledgements name the Victims' Code duty they discharge.
DEMO_DUTIES = {"information_delivered": "r6-suspect-arrested"}


def ensure_demo_case(victim: User) -> str:
    """A case for the demo victim, already linked, with a realistic timeline."""
    import datetime as dt

    from sqlalchemy import select

    from app.cases.models import Case, CaseVictim, Milestone

    agency = demo_agency()
    case = db.session.scalar(
        select(Case).where(Case.agency_id == agency.id, Case.reference == "DEMO-0001")
    )
    if case is None:
        now = utcnow()
        case = Case(
            agency_id=agency.id,
            reference="DEMO-0001",
            crime_type="assault",
            offence_category="violent",
            enhanced=False,
            incident_date=(now - dt.timedelta(days=41)).date(),
        )
        db.session.add(case)
        db.session.flush()
        db.session.add(
            CaseVictim(
                case_id=case.id,
                agency_id=agency.id,
                reference="V1",
                user_id=victim.id,
                linked_at=now,
                invitation_reference="HUB-DEMO01",
                invitation_expires_at=now,
                date_of_birth=dt.date(1988, 6, 14),
            )
        )
        for number, (kind, days_ago) in enumerate(DEMO_TIMELINE):
            db.session.add(
                Milestone(
                    case_id=case.id,
                    agency_id=agency.id,
                    agency_event_id=f"demo-{number}",
                    type=kind,
                    # In list order within a day: a confirmation comes after the report.
                    occurred_at=now - dt.timedelta(days=days_ago) + dt.timedelta(hours=number),
                    received_at=now - dt.timedelta(days=days_ago) + dt.timedelta(hours=number + 1),
                    duty=DEMO_DUTIES.get(kind),
                )
            )
        db.session.flush()
        from app.entitlements.service import evaluate_cases

        evaluate_cases([case.id])
        db.session.commit()
    return "HUB-DEMO01"


@click.command("demo", help="Load demonstration data: search index and demo accounts.")
@click.option(
    "--scale",
    type=click.IntRange(min=1, max=9_999_999),
    default=None,
    help="Also add this many realistic cases with histories and victims (benchmarks).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="For --scale.")
@with_appcontext
def demo_command(scale: int | None, seed: int) -> None:
    if current_app.config["HUB_ENV"] == "production":
        raise click.ClickException("demo data is never loaded in production")
    if scale:
        from app.scale import SCALE_PASSWORD, generate

        with click.progressbar(
            length=scale, label=f"demo: {scale:,} cases", show_pos=True, show_eta=True
        ) as bar:
            made = generate(scale, seed=seed, progress=bar.update)
        click.echo(
            f"demo: {made.cases:,} journeys ({made.participants:,} agencies taking part), "
            f"{made.milestones:,} events, {made.victims:,} "
            f"victims, {made.users:,} of them with accounts (password "
            f'"{SCALE_PASSWORD}"); {made.requests:,} statements, {made.referrals:,} '
            f"referrals, {made.messages:,} messages"
        )
        return
    changed = sync_index(content_store())
    click.echo(f"demo: search index ready ({changed} documents updated)")
    for email, role in DEMO_PEOPLE:
        _, created = ensure_person(email, role)
        click.echo(f"demo: {role.value:<10} {email}  ({'created' if created else 'already there'})")
    click.echo(f'demo: every demo account\'s password is "{DEMO_PASSWORD}"')
    click.echo("demo: staff accounts set up two-step verification at first sign-in")
    click.echo(f"demo: e-mails are written to {current_app.config['MAIL_SINK_DIR']}")
    victim, _ = ensure_person("demo@example.org", Role.VICTIM)
    reference = ensure_demo_case(victim)
    click.echo(f"demo: demo@example.org follows case {reference}, with a timeline")
    client_id, secret = ensure_partner_client()
    click.echo(f"demo: partner API client {client_id}, secret {secret} (new each run)")
    click.echo("demo: POST /oauth/token with grant_type=client_credentials, then /api/v1/…")
