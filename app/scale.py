"""Realistic data at London scale for benchmarks: `flask demo --scale N`.

Each journey follows a victim's case as far as it has got: reported, a crime reference, an
officer, the needs assessment; then for some an arrest, interview and bail or release under
investigation; then a charge or no further action; for charged cases hearings, a plea, a trial
date (sometimes moved), a verdict and a sentence; after a custodial sentence the Victim Contact
Scheme. About 10 events per journey on average, dates in order, spread over the last two years,
nothing after today. A share of victims have hub accounts linked to their cases.

Every journey is shared by 2 to 4 London agencies, each under its own reference: the
Metropolitan Police borough that opened it and a second borough (the victim's own, or one the
investigation moved to); once charged, a URN (01, the Met's force code, the borough's two
letters and seven digits), CPS London North or South and the borough's Witness Care Unit instead
of the second borough; after a custodial sentence, the London Probation Service. Each event is
sent by the agency that would send it. One event in ten carries when the sender recorded it (a
little before the hub received it), and about one in thirty reaches the hub days late, so that
compliance figures have something to find.

Rows go in with bulk INSERTs (SQLAlchemy's insertmanyvalues), in chunks, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select

from app.accounts import passwords
from app.accounts.models import Role, User
from app.cases.models import Agency, Case, CaseVictim, Milestone, Participant
from app.core import vocabulary as v
from app.core.ids import new_public_id
from app.core.time import utcnow
from app.extensions import db


class Borough(NamedTuple):
    name: str
    code: str  # the Met's two letters for the borough, as in its URNs
    cps: str  # CPS London North or South
    wcu: str  # the London Witness Care Unit that covers it


BOROUGHS = (
    Borough("Camden", "EK", "North", "North"),
    Borough("Croydon", "ZD", "South", "South"),
    Borough("Hackney", "GD", "North", "East"),
    Borough("Lambeth", "LX", "South", "South"),
    Borough("Newham", "KF", "North", "East"),
    Borough("Southwark", "MD", "South", "South"),
    Borough("Tower Hamlets", "HT", "North", "East"),
    Borough("Brent", "QK", "North", "West"),
    Borough("Ealing", "XD", "North", "West"),
    Borough("Barnet", "SX", "North", "North"),
    Borough("Enfield", "YE", "North", "North"),
    Borough("Haringey", "YR", "North", "North"),
    Borough("Lewisham", "PL", "South", "South"),
    Borough("Wandsworth", "WW", "South", "West"),
)
MET_FORCE_CODE = "01"
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
# Who sends what: the police everything up to the charge (and bail); the rest as below.
SENDERS = {
    v.CHARGES_ALTERED: v.CPS,
    v.CHARGES_DROPPED: v.CPS,
    v.HEARING_DETAILS_RECEIVED: v.WCU,
    v.FIRST_HEARING: v.WCU,
    v.PLEA: v.WCU,
    v.TRIAL_DATE_SET: v.WCU,
    v.TRIAL_DATE_MOVED: v.WCU,
    v.WITNESS_REQUIRED: v.WCU,
    v.VERDICT: v.WCU,
    v.SENTENCE: v.WCU,
    v.VCS_REFERRAL_MADE: v.PROBATION,
    v.VLO_CONTACT_MADE: v.PROBATION,
    v.OFFENDER_RELEASED: v.PROBATION,
}
SCALE_PASSWORD = "scale data password for benchmarks"  # noqa: S105  # nosec B105
CHUNK = 5_000


@dataclass(frozen=True)
class Generated:
    cases: int
    milestones: int
    victims: int
    users: int
    participants: int = 0
    requests: int = 0
    referrals: int = 0
    messages: int = 0


class Event(NamedTuple):
    kind: str
    occurred: dt.datetime
    detail: dict | None = None


def history(rng: random.Random, start: dt.datetime, category: str = "other") -> list[Event]:
    """One journey's events, in order, stopping where the case has got to (the caller drops
    any still to come)."""
    events: list[str] = [
        v.REPORTED,
        v.CRIME_REFERENCE_ISSUED,
        v.OFFICER_ASSIGNED,
        v.NEEDS_ASSESSMENT_DONE,
        v.REFERRAL_OFFERED,
    ]
    months: int | None = None
    if rng.random() < 0.65:
        events += [v.SUSPECT_ARRESTED, v.SUSPECT_INTERVIEWED]
        events.append(v.RELEASED_ON_BAIL if rng.random() < 0.6 else v.RELEASED_UNDER_INVESTIGATION)
        if rng.random() < 0.2:
            events.append(v.BAIL_CONDITIONS_CHANGED)
        if rng.random() < 0.55:
            events += [v.CHARGED, v.VPS_OFFERED, v.HEARING_DETAILS_RECEIVED, v.FIRST_HEARING]
            if rng.random() < 0.1:
                events.append(v.CHARGES_ALTERED)
            if rng.random() < 0.07:
                events.append(v.CHARGES_DROPPED)  # discontinued: the journey ends here
            else:
                events += [v.PLEA, v.TRIAL_DATE_SET]
                if rng.random() < 0.3:
                    events.append(v.TRIAL_DATE_MOVED)
                events += [v.WITNESS_REQUIRED, v.VERDICT, v.SENTENCE]
                # Custody for about two in five; months 0 for a community sentence or a fine.
                months = rng.choice((3, 6, 9, 12, 18, 24, 36, 60)) if rng.random() < 0.4 else 0
                serious = category in (v.VIOLENT, v.SEXUAL)
                if months >= 12 and serious and rng.random() < 0.85:
                    events.append(v.VCS_REFERRAL_MADE)
                    if rng.random() < 0.8:
                        events.append(v.VLO_CONTACT_MADE)
        else:
            events.append(v.NO_FURTHER_ACTION)
    else:
        events.append(v.DECISION_NOT_TO_INVESTIGATE)
    if rng.random() < 0.25:  # most cases are old enough to have got as far as they will
        events = events[: rng.randint(3, len(events))]
    when, timed = start, []
    for kind in events:
        when += dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
        detail = None
        if kind == v.SENTENCE and months is not None:
            detail = {"months": months, "uls_eligible": months >= 24 and rng.random() < 0.3}
        timed.append(Event(kind, when, detail))
    if months and any(e.kind == v.SENTENCE for e in timed):
        # Out at about half the term (the caller drops it if that is still to come).
        sentenced = next(e.occurred for e in timed if e.kind == v.SENTENCE)
        release = max(when, sentenced + dt.timedelta(days=months * 15))
        timed.append(Event(v.OFFENDER_RELEASED, release + dt.timedelta(hours=rng.randint(0, 23))))
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


def _agencies(tag: str) -> dict[tuple[str, str], int]:
    """London's agencies for this run: {(kind, its borough, area or region): agency id}."""
    made: dict[tuple[str, str], Agency] = {}

    def add(key: tuple[str, str], name: str, email: str) -> None:
        made[key] = Agency(name=f"{name} ({tag})", kinds=[key[0]], contact_email=email)
        db.session.add(made[key])

    for borough in BOROUGHS:
        add(
            (v.POLICE, borough.name), f"Metropolitan Police, {borough.name}", "cases@police.example"
        )
    for area in ("North", "South", "East", "West"):
        add((v.WCU, area), f"London Witness Care Unit, {area}", "witnesscare@police.example")
    for region in ("North", "South"):
        add((v.CPS, region), f"CPS London {region}", "london@cps.example")
    add((v.PROBATION, "London"), "London Probation Service", "victims@probation.example")
    db.session.flush()
    return {key: agency.id for key, agency in made.items()}


def _received(rng: random.Random, occurred: dt.datetime) -> tuple[dt.datetime | None, dt.datetime]:
    """When the sender recorded an event (if it says) and when the hub received it."""
    chance = rng.random()
    if chance < 0.10:  # passed on: the sender logged it a while after, and sent it soon after
        recorded = occurred + dt.timedelta(minutes=rng.randint(10, 48 * 60))
        return recorded, recorded + dt.timedelta(minutes=rng.randint(1, 240))
    if chance < 0.13:  # sent late: days after it happened
        return None, occurred + dt.timedelta(days=rng.randint(2, 14), minutes=rng.randint(0, 1439))
    return None, occurred + dt.timedelta(seconds=rng.randint(1, 900))


def generate(
    n_cases: int,
    *,
    seed: int = 1,
    linked_users: int = 1000,
    tag: str | None = None,
    progress: Callable[[int], None] = lambda _n: None,
) -> Generated:
    """Add `n_cases` journeys with their agencies, histories and victims; `progress(k)` after
    each k journeys."""
    if n_cases >= 10**7:
        raise ValueError("at most 9,999,999 cases per run")
    # A seeded generator: the same data set every run (test data, never a secret).
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    tag = tag or utcnow().strftime("%Y%m%d%H%M%S")
    # Invitation references are 12 characters and unique: a per-run prefix keeps runs apart.
    prefix = "S" + "".join(secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(4))
    now = utcnow()
    agencies = _agencies(tag)
    police_ids = [agencies[(v.POLICE, b.name)] for b in BOROUGHS]
    probation_id = agencies[(v.PROBATION, "London")]
    # URNs are unique across runs: each run numbers on from the journeys already there.
    serials = db.session.scalar(select(func.count()).select_from(Case)) or 0

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

    milestones = victims = participants = 0
    extra = {"requests": 0, "referrals": 0, "messages": 0}
    for first in range(0, n_cases, CHUNK):
        count = min(CHUNK, n_cases - first)
        case_rows: list[dict[str, Any]] = []
        journeys: list[tuple[list[Event], list[tuple[str, int, str, dt.datetime]]]] = []
        for i in range(first, first + count):
            crime, category = rng.choice(CRIMES)
            incident = now - dt.timedelta(days=rng.randint(30, 730))
            borough_index = rng.randrange(len(BOROUGHS))
            borough = BOROUGHS[borough_index]
            start = dt.datetime.combine(incident.date(), dt.time(9), tzinfo=dt.UTC)
            events = [e for e in history(rng, start, category) if e.occurred <= now]
            reference = f"S{tag}-{i:07d}"
            # (kind of agency, agency, its reference, joined): the opener first.
            taking_part = [(v.POLICE, police_ids[borough_index], reference, incident)]
            charged = next((e.occurred for e in events if e.kind == v.CHARGED), None)
            urn = None
            if charged is not None:
                urn = f"{MET_FORCE_CODE}{borough.code}{(serials + i) % 10**7:07d}"
                taking_part += [
                    (v.CPS, agencies[(v.CPS, borough.cps)], urn, charged),
                    (v.WCU, agencies[(v.WCU, borough.wcu)], urn, charged),
                ]
                sentence = next((e for e in events if e.kind == v.SENTENCE), None)
                if sentence is not None and sentence.detail and sentence.detail["months"]:
                    taking_part.append(
                        (v.PROBATION, probation_id, f"P{tag}-{i:07d}", sentence.occurred)
                    )
            else:  # the victim's own borough, or one the investigation moved to
                other = rng.randrange(len(BOROUGHS) - 1)
                other += other >= borough_index
                joined = events[min(len(events) - 1, rng.randint(1, 4))].occurred
                joined = max(joined, incident + dt.timedelta(minutes=1))  # after the opener
                taking_part.append((v.POLICE, police_ids[other], f"T{tag}-{i:07d}", joined))
            journeys.append((events, taking_part))
            case_rows.append(
                {
                    "agency_id": police_ids[borough_index],
                    "borough": borough.name,
                    "reference": reference,
                    "urn": urn,
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
        # render_nulls: the ORM otherwise leaves out None values and splits the rows into a
        # statement per run of rows with the same keys (the URN is None for most journeys, and
        # interleaved): thousands of small statements, and with RETURNING a quadratic splice.
        case_ids = list(
            db.session.scalars(
                insert(Case)
                .returning(Case.id, sort_by_parameter_order=True)
                .execution_options(render_nulls=True),
                case_rows,
            )
        )
        participant_rows, milestone_rows, detailed_rows, victim_rows = [], [], [], []
        for i, (case_id, row, (events, taking_part)) in enumerate(
            zip(case_ids, case_rows, journeys, strict=True)
        ):
            # Bulk inserts skip the ORM's hook that makes the opener a participant: made here.
            participant_rows += [
                {"case_id": case_id, "agency_id": agency_id, "reference": ref, "joined_at": at}
                for _kind, agency_id, ref, at in taking_part
            ]
            # The first of each kind sends its kind's events (the opener the police's).
            senders: dict[str, tuple[int, str]] = {}
            for kind, agency_id, ref, _at in taking_part:
                senders.setdefault(kind, (agency_id, ref))
            police = senders[v.POLICE]
            for n, event in enumerate(events):
                agency_id, ref = senders.get(SENDERS.get(event.kind, v.POLICE), police)
                recorded, received = _received(rng, event.occurred)
                received = min(received, now)
                milestone = {
                    "case_id": case_id,
                    "agency_id": agency_id,
                    "agency_event_id": f"{ref}-{n}",
                    "type": event.kind,
                    "occurred_at": event.occurred,
                    "recorded_at": recorded and min(recorded, received),
                    "received_at": received,
                    "public_id": new_public_id(),
                }
                if event.detail is None:
                    milestone_rows.append(milestone)
                else:
                    detailed_rows.append({**milestone, "detail": event.detail})
            index = first + i
            victim_rows.append(
                {
                    "case_id": case_id,
                    "agency_id": row["agency_id"],  # the police invite the victim
                    "reference": "V1",
                    "public_id": new_public_id(),
                    "invitation_reference": f"{prefix}{index:07d}",
                    "invitation_expires_at": now,
                    "user_id": user_ids[index] if index < users else None,
                    "linked_at": now if index < users else None,
                }
            )
        for chunk in _chunks(iter(participant_rows)):
            db.session.execute(insert(Participant), chunk)
        for chunk in _chunks(iter(milestone_rows)):
            db.session.execute(insert(Milestone).execution_options(render_nulls=True), chunk)
        if detailed_rows:
            db.session.execute(insert(Milestone), detailed_rows)
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
        milestones += len(milestone_rows) + len(detailed_rows)
        participants += len(participant_rows)
        victims += len(victim_rows)
        progress(count)
    return Generated(
        cases=n_cases,
        milestones=milestones,
        victims=victims,
        users=users,
        participants=participants,
        **extra,
    )


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
