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


# The demo journey's agencies: the Met runs London's Witness Care Units (police and wcu); the
# CPS joined when it took the case on, by the URN.
DEMO_CPS = "Crown Prosecution Service, London South (demo)"
DEMO_URN = "01MP0000001"


def demo_agency(name: str = DEMO_AGENCY):
    """A demo agency (the police force, or the CPS), made once."""
    from sqlalchemy import select

    from app.cases.models import Agency

    agency = db.session.scalar(select(Agency).where(Agency.name == name))
    if agency is None:
        if name == DEMO_CPS:
            agency = Agency(name=name, kinds=["cps"], contact_email="cases@cps.example")
        else:
            agency = Agency(
                name=name, kinds=["police", "wcu"], contact_email="cases@police.example"
            )
        db.session.add(agency)
        db.session.flush()
    return agency


def ensure_partner_client(client_id: str = "demo-police") -> tuple[str, str]:
    """A demo agency's API client (demo-police, demo-cps). The secret is stored hashed, so a new
    one is issued (and printed) on every run."""
    import secrets

    from sqlalchemy import select

    from app.partners.models import SCOPES, PartnerClient

    agency = demo_agency(DEMO_CPS if client_id == "demo-cps" else DEMO_AGENCY)
    client = db.session.scalar(select(PartnerClient).where(PartnerClient.client_id == client_id))
    secret = secrets.token_urlsafe(24)
    if client is None:
        client = PartnerClient(
            client_id=client_id,
            agency_id=agency.id,
            name="Demo case system",
            client_secret_hash="",
        )
        db.session.add(client)
    client.scope = " ".join(SCOPES)  # every scope, those added since the last run too
    client.set_secret(secret)  # the last run's tokens stop working with its secret
    db.session.commit()
    return client.client_id, secret


# A case from report to sentence: a trial, a verdict and a prison sentence four days ago (so the
# Unduly Lenient Sentence window is open), with the details the courts would send.
DEMO_TIMELINE = [
    ("reported", 120),
    ("crime_reference_issued", 120),
    ("officer_assigned", 118),
    ("needs_assessment_done", 117),
    ("suspect_arrested", 110),
    ("released_on_bail", 109),
    ("information_delivered", 109),  # the arrest was explained to the victim the same day
    ("charged", 90),
    ("hearing_details_received", 88),
    ("vps_offered", 85),
    ("first_hearing", 60),
    ("plea", 60),
    ("trial_date_set", 60),
    ("verdict", 25),
    ("sentence", 4),
]
# Acknowledgements name the Victims' Code duty they discharge.
DEMO_DUTIES = {"information_delivered": "r6-suspect-arrested"}
DEMO_CHARGES = ("Assault occasioning actual bodily harm", "Criminal damage")


def demo_details(today) -> dict[str, dict]:
    """What the agencies said about each step, dated from `today`."""
    import datetime as dt

    def day(days_ago: int) -> str:
        return (today - dt.timedelta(days=days_ago)).isoformat()

    magistrates, crown = "Thames Magistrates' Court", "Snaresbrook Crown Court"
    return {
        "released_on_bail": {
            "conditions": ["no_contact", "not_to_enter_area"],
            "answer_date": day(90),
        },
        "information_delivered": {"regarding": "demo-4", "method": "phone"},
        "charged": {"charges": list(DEMO_CHARGES)},
        "hearing_details_received": {
            "date": day(60),
            "time": "10:00",
            "court": magistrates,
            "hearing_type": "first_hearing",
        },
        "first_hearing": {"date": day(60), "court": magistrates},
        "plea": {"plea": "not_guilty"},
        "trial_date_set": {
            "date": day(27),
            "time": "10:00",
            "court": crown,
            "hearing_type": "trial",
        },
        "verdict": {
            "charges": [
                {"charge": DEMO_CHARGES[0], "outcome": "guilty"},
                {"charge": DEMO_CHARGES[1], "outcome": "not_guilty"},
            ]
        },
        "sentence": {"type": "custodial", "months": 30, "uls_eligible": True, "court": crown},
    }


def ensure_demo_case(victim: User) -> str:
    """A case for the demo victim, already linked, with a realistic timeline."""
    import datetime as dt

    from sqlalchemy import select

    from app.cases.models import Case, CaseVictim, Milestone, Participant

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
            incident_date=(now - dt.timedelta(days=121)).date(),
            urn=DEMO_URN,
            created_at=now - dt.timedelta(days=120),
        )
        db.session.add(case)
        db.session.flush()
        cps = demo_agency(DEMO_CPS)
        db.session.add(
            Participant(
                case_id=case.id,
                agency_id=cps.id,
                reference="CPS-DEMO-1",
                joined_at=now - dt.timedelta(days=91),
            )
        )
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
        from app.cases.details import clean

        details = demo_details(now.date())
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
                    detail=clean(kind, details.get(kind)),  # as the partner API would store it
                )
            )
        # The CPS reviewed the charges after taking the case on.
        db.session.add(
            Milestone(
                case_id=case.id,
                agency_id=cps.id,
                agency_event_id="cps-demo-1",
                type="charges_altered",
                occurred_at=now - dt.timedelta(days=70),
                received_at=now - dt.timedelta(days=70, hours=-1),
                detail=clean("charges_altered", {"charges": list(DEMO_CHARGES)}),
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
    cps_id, cps_secret = ensure_partner_client("demo-cps")
    click.echo(
        f"demo: the CPS on the same journey (URN {DEMO_URN}, its reference CPS-DEMO-1): "
        f"API client {cps_id}, secret {cps_secret}"
    )
    click.echo("demo: POST /oauth/token with grant_type=client_credentials, then /api/v1/…")
