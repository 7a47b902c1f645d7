"""Realistic data at London scale for benchmarks: `flask demo --scale N`.

Each case follows the journey as far as it has got: reported, a crime reference, an officer, the
needs assessment; then for some an arrest, interview and bail or release under investigation;
then a charge or no further action; for charged cases hearings, a plea, a trial date (sometimes
moved), a verdict and a sentence. About 10 events per case on average, dates in order, spread
over the last two years. A share of victims have hub accounts linked to their cases.

Rows go in with bulk INSERTs (SQLAlchemy's insertmanyvalues), in chunks, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert

from app.accounts import passwords
from app.accounts.models import Role, User
from app.cases.models import Agency, Case, CaseVictim, Milestone, Participant
from app.core import vocabulary as v
from app.core.ids import new_public_id
from app.core.time import utcnow
from app.extensions import db

BOROUGHS = (
    "Camden",
    "Croydon",
    "Hackney",
    "Lambeth",
    "Newham",
    "Southwark",
    "Tower Hamlets",
    "Brent",
    "Ealing",
    "Barnet",
    "Enfield",
    "Haringey",
    "Lewisham",
    "Wandsworth",
)
CRIMES = (
    ("burglary", "other"),
    ("robbery", "violent"),
    ("assault", "violent"),
    ("harassment", "violent"),
    ("stalking", "violent"),
    ("fraud", "other"),
    ("theft", "other"),
    ("criminal damage", "other"),
    ("sexual assault", "sexual"),
    ("domestic abuse", "violent"),
    ("hate crime", "violent"),
)
SCALE_PASSWORD = "scale data password for benchmarks"  # noqa: S105  # nosec B105
CHUNK = 5_000


@dataclass(frozen=True)
class Generated:
    cases: int
    milestones: int
    victims: int
    users: int
    requests: int = 0
    referrals: int = 0
    messages: int = 0


def history(rng: random.Random, start: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """One case's events, in order, stopping where the case has got to."""
    events: list[str] = [
        v.REPORTED,
        v.CRIME_REFERENCE_ISSUED,
        v.OFFICER_ASSIGNED,
        v.NEEDS_ASSESSMENT_DONE,
        v.REFERRAL_OFFERED,
    ]
    if rng.random() < 0.65:
        events += [v.SUSPECT_ARRESTED, v.SUSPECT_INTERVIEWED]
        events.append(v.RELEASED_ON_BAIL if rng.random() < 0.6 else v.RELEASED_UNDER_INVESTIGATION)
        if rng.random() < 0.2:
            events.append(v.BAIL_CONDITIONS_CHANGED)
        if rng.random() < 0.55:
            events += [
                v.CHARGED,
                v.VPS_OFFERED,
                v.HEARING_DETAILS_RECEIVED,
                v.FIRST_HEARING,
                v.PLEA,
                v.TRIAL_DATE_SET,
            ]
            if rng.random() < 0.3:
                events.append(v.TRIAL_DATE_MOVED)
            events += [v.WITNESS_REQUIRED, v.VERDICT, v.SENTENCE]
            if rng.random() < 0.4:
                events.append(v.VCS_REFERRAL_MADE)
        else:
            events.append(v.NO_FURTHER_ACTION)
    else:
        events.append(v.DECISION_NOT_TO_INVESTIGATE)
    if rng.random() < 0.25:  # most cases are old enough to have got as far as they will
        events = events[: rng.randint(3, len(events))]
    when, timed = start, []
    for kind in events:
        when += dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
        timed.append((kind, when))
    return timed


def _chunks(rows: Iterator[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def generate(
    n_cases: int,
    *,
    seed: int = 1,
    linked_users: int = 1000,
    tag: str | None = None,
    progress: Callable[[int], None] = lambda _n: None,
) -> Generated:
    """Add `n_cases` cases with histories and victims; `progress(k)` after each k cases."""
    if n_cases >= 10**7:
        raise ValueError("at most 9,999,999 cases per run")
    # A seeded generator: the same data set every run (test data, never a secret).
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    tag = tag or utcnow().strftime("%Y%m%d%H%M%S")
    # Invitation references are 12 characters and unique: a per-run prefix keeps runs apart.
    prefix = "S" + "".join(secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(4))
    now = utcnow()
    agencies = []
    for borough in BOROUGHS:
        agency = Agency(
            name=f"Metropolitan Police, {borough} ({tag})",
            kinds=["police"],
            contact_email="cases@police.example",
        )
        db.session.add(agency)
        agencies.append(agency)
    db.session.flush()
    agency_ids = [a.id for a in agencies]

    password_hash = passwords.hash_password(SCALE_PASSWORD)  # one hash: Argon2 is slow on purpose
    users = min(linked_users, n_cases)
    user_ids = list(
        db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "email": f"scale-{tag}-{i}@example.org",
                    "password_hash": password_hash,
                    "role": Role.VICTIM,
                    "email_confirmed_at": now,
                    "safe_days": "mon,tue,wed,thu,fri,sat,sun",
                    "safe_from": "00:00",
                    "safe_to": "24:00",
                }
                for i in range(users)
            ],
        )
    )

    milestones = victims = 0
    extra = {"requests": 0, "referrals": 0, "messages": 0}
    for first in range(0, n_cases, CHUNK):
        count = min(CHUNK, n_cases - first)
        case_rows: list[dict[str, Any]] = []
        for i in range(first, first + count):
            crime, category = rng.choice(CRIMES)
            incident = now - dt.timedelta(days=rng.randint(30, 730))
            borough_index = rng.randrange(len(BOROUGHS))
            case_rows.append(
                {
                    "agency_id": agency_ids[borough_index],
                    "borough": BOROUGHS[borough_index],
                    "reference": f"S{tag}-{i:07d}",
                    "crime_type": crime,
                    "offence_category": category,
                    "enhanced": category in ("violent", "sexual") and rng.random() < 0.4,
                    "incident_date": incident.date(),
                    "reported_date": incident.date(),
                    "public_id": new_public_id(),
                    "created_at": incident,
                    "updated_at": now,
                }
            )
        case_ids = list(
            db.session.scalars(
                insert(Case).returning(Case.id, sort_by_parameter_order=True), case_rows
            )
        )
        # Bulk inserts skip the ORM's hook that makes the opener a participant: made here.
        db.session.execute(
            insert(Participant),
            [
                {
                    "case_id": case_id,
                    "agency_id": row["agency_id"],
                    "reference": row["reference"],
                    "joined_at": row["created_at"],
                }
                for case_id, row in zip(case_ids, case_rows, strict=True)
            ],
        )
        milestone_rows, victim_rows = [], []
        for i, (case_id, row) in enumerate(zip(case_ids, case_rows, strict=True)):
            start = dt.datetime.combine(row["incident_date"], dt.time(9), tzinfo=dt.UTC)
            for n, (kind, when) in enumerate(history(rng, start)):
                milestone_rows.append(
                    {
                        "case_id": case_id,
                        "agency_id": row["agency_id"],
                        "agency_event_id": f"{row['reference']}-{n}",
                        "type": kind,
                        "occurred_at": min(when, now),
                        "received_at": min(when, now),
                        "public_id": new_public_id(),
                    }
                )
            index = first + i
            victim_rows.append(
                {
                    "case_id": case_id,
                    "agency_id": row["agency_id"],
                    "reference": "V1",
                    "public_id": new_public_id(),
                    "invitation_reference": f"{prefix}{index:07d}",
                    "invitation_expires_at": now,
                    "user_id": user_ids[index] if index < users else None,
                    "linked_at": now if index < users else None,
                }
            )
        for chunk in _chunks(iter(milestone_rows)):
            db.session.execute(insert(Milestone), chunk)
        victim_ids = list(
            db.session.scalars(
                insert(CaseVictim).returning(CaseVictim.id, sort_by_parameter_order=True),
                victim_rows,
            )
        )
        linked = [
            (victim_ids[i], case_ids[i], case_rows[i]["agency_id"], user_ids[first + i])
            for i in range(count)
            if first + i < users
        ]
        if linked:
            made = _requests(rng, linked, now)
            for key, value in made.items():
                extra[key] += value
        db.session.commit()
        milestones += len(milestone_rows)
        victims += len(victim_rows)
        progress(count)
    return Generated(cases=n_cases, milestones=milestones, victims=victims, users=users, **extra)


_STATEMENT = {
    "kind": "make",
    "effects_physical": "I still do not sleep well since it happened.",
    "effects_emotional": "I am anxious when I go out, especially after dark.",
    "reading": "someone_else",
    "statement_language": "en",
    "interpreter": "no",
}
_REFERRAL_SERVICES = (
    "victim-support",
    "london-victim-and-witness-service",
    "galop",
    "survivors-uk",
    "the-havens",
)


def _requests(rng: random.Random, linked: list[tuple[int, int, int, int]], now) -> dict:
    """What victims with accounts do: about half send a statement (at some stage since), some
    ask for a referral, some write to the hub. Written as the app writes them (encrypted)."""
    from app.victim_requests.models import Message, Referral, StatusChange, VictimRequest
    from app.victim_requests.service import new_reference

    requests, referrals, messages = [], [], []
    for victim_id, case_id, agency_id, user_id in linked:
        if rng.random() < 0.5:
            status = rng.choice(("submitted", "received", "taken"))
            requests.append(
                {
                    "public_id": new_public_id(),
                    "reference": new_reference("VPS"),
                    "kind": "vps",
                    "user_id": user_id,
                    "case_victim_id": victim_id,
                    "case_id": case_id,
                    "agency_id": agency_id,
                    "scheme": "make",
                    "status": status,
                    "answers": _STATEMENT,
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                }
            )
        if rng.random() < 0.3:
            referrals.append(
                {
                    "public_id": new_public_id(),
                    "reference": new_reference("REF"),
                    "user_id": user_id,
                    "case_id": case_id,
                    "service_id": rng.choice(_REFERRAL_SERVICES),
                    "channel": "navigator",
                    "shared": {"email": f"victim-{user_id}@example.org"},
                    "consent_fields": ["email"],
                    "consented_at": now,
                    "status": rng.choice(("requested", "sent", "accepted", "contacted")),
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if rng.random() < 0.3:
            messages.append(
                {
                    "public_id": new_public_id(),
                    "victim_id": user_id,
                    "author_id": user_id,
                    "from_victim": True,
                    "body": "Is there any news about my case?",
                    "created_at": now,
                }
            )
    history = []

    def step(subject: str, ids, before: str | None, after: str) -> list[dict]:
        return [
            {
                "subject": subject,
                "subject_id": i,
                "from_status": before,
                "to_status": after,
                "actor": "victim",
                "at": now,
            }
            for i in ids
        ]

    if requests:
        ids = db.session.scalars(
            insert(VictimRequest).returning(VictimRequest.id, sort_by_parameter_order=True),
            requests,
        )
        history += step("request", ids, "draft", "submitted")
    if referrals:
        ids = db.session.scalars(
            insert(Referral).returning(Referral.id, sort_by_parameter_order=True), referrals
        )
        history += step("referral", ids, None, "requested")
    if messages:
        db.session.execute(insert(Message), messages)
    if history:
        db.session.execute(insert(StatusChange), history)
    return {"requests": len(requests), "referrals": len(referrals), "messages": len(messages)}
