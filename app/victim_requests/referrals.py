"""Referrals to support services: the victim chooses the service and, field by field, what is
shared; the hub sends it (by e-mail where the service agreed an address, otherwise a navigator
refers them by the service's own phone line or form) and tracks it to an end."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.accounts import contact
from app.accounts.models import User
from app.core.time import utcnow
from app.directory.services import Service, by_id, load_cached
from app.extensions import db
from app.notify import outbox
from app.victim_requests import states
from app.victim_requests.models import Referral
from app.victim_requests.service import _record, new_reference

# What the victim may choose to share, in the order the form shows them.
FIELDS = ("name", "email", "phone", "language", "safe_times", "crime_type", "needs")
CONTACT_FIELDS = frozenset({"email", "phone"})
MAX_NEEDS = 2_000


def services() -> tuple[Service, ...]:
    return load_cached(current_app.config["CONTENT_DIR"] / "services.yaml")


def service(service_id: str) -> Service | None:
    return by_id(services(), service_id)


def referable(item: Service) -> bool:
    return item.referral.channel != "none" or item.id in current_app.config["REFERRAL_ADDRESSES"]


def address_for(item: Service) -> str | None:
    """The agreed secure address (configuration), else the one the service publishes."""
    return current_app.config["REFERRAL_ADDRESSES"].get(item.id) or item.referral.address


def offered_values(user: User, crime_type: str | None) -> dict[str, str]:
    """What could be shared, as it would be: the victim sees exactly this next to each box."""
    days = ", ".join(day for day in user.safe_days.split(",") if day)
    values = {
        "name": user.preferred_name or "",
        "email": user.email,
        "phone": user.phone or "",
        "language": user.language,
        "safe_times": f"{days} {user.safe_from}-{user.safe_to}" if days else "",
        "crime_type": crime_type or "",
    }
    return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class ReferralProblem:
    field: str
    code: str  # no_contact | too_long | not_referable


def check(
    item: Service | None, chosen: Collection[str], offered: dict[str, str], needs: str
) -> list[ReferralProblem]:
    problems = []
    if item is None or not referable(item):
        problems.append(ReferralProblem("service", "not_referable"))
    if not CONTACT_FIELDS & {field for field in chosen if field in offered}:
        problems.append(ReferralProblem("fields", "no_contact"))
    if len(needs) > MAX_NEEDS:
        problems.append(ReferralProblem("needs", "too_long"))
    return problems


def create(
    user: User,
    item: Service,
    chosen: Collection[str],
    offered: dict[str, str],
    needs: str,
    case_id: int | None,
) -> Referral:
    """Record the consent (exactly the fields ticked, with their values) and send."""
    shared = {field: offered[field] for field in FIELDS if field in chosen and field in offered}
    if needs:
        shared["needs"] = needs
    now = utcnow()
    address = address_for(item)
    referral = Referral(
        reference=new_reference("REF"),
        user_id=user.id,
        case_id=case_id,
        service_id=item.id,
        channel="email" if address else "navigator",
        address=address,
        shared=shared,
        consent_fields=sorted(shared),
        consented_at=now,
        status="requested",
        created_at=now,
        updated_at=now,
    )
    db.session.add(referral)
    db.session.flush()
    _record(referral, None, "requested", states.VICTIM, user=user, subject="referral")
    if address:  # the worker e-mails it; a navigator does the others from the console
        outbox.queue_messages(
            [
                {
                    "dedupe_key": f"referral:{referral.public_id}",
                    "kind": "referral",
                    "channel": "referral",
                    "payload": {"referral": referral.public_id},
                    "not_before": now,
                }
            ]
        )
    return referral


def own(user: User, public_id: str) -> Referral | None:
    return db.session.scalar(
        select(Referral).where(Referral.public_id == public_id, Referral.user_id == user.id)
    )


def of(user: User) -> list[Referral]:
    return list(
        db.session.scalars(
            select(Referral).where(Referral.user_id == user.id).order_by(Referral.created_at.desc())
        )
    )


def change_status(
    referral: Referral,
    target: str,
    actor: str,
    *,
    user: User | None = None,
    note: str | None = None,
) -> None:
    states.REFERRAL.check(referral.status, target, actor)
    before = referral.status
    referral.status, referral.updated_at = target, utcnow()
    _record(referral, before, target, actor, user=user, note=note, subject="referral")
    victim = db.session.get(User, referral.user_id)
    if actor != states.VICTIM and victim is not None:
        contact.queue_victim_update(victim, f"referral:{referral.public_id}:{target}")


def by_public_id(public_id: str) -> Referral | None:
    return db.session.scalar(select(Referral).where(Referral.public_id == public_id))


def mark_sent(public_id: str) -> None:
    """The worker sent the e-mail: the referral is on its way (once, however often retried)."""
    referral = by_public_id(public_id)
    if referral is not None and referral.status == "requested":
        change_status(referral, "sent", states.HUB)


def compose_email(referral: Referral) -> tuple[str, str]:
    """The referral e-mail, in English (the services' language): only what the victim agreed to
    share, with the hub's reference. Sent only to an address agreed for referrals."""
    from flask_babel import force_locale

    from app.victim_requests.labels import SHARED_FIELDS

    found = service(referral.service_id)
    with force_locale("en"):
        lines = [
            f"{SHARED_FIELDS[field]}: {value}"
            for field, value in referral.shared.items()
            if field in SHARED_FIELDS
        ]
        name = found.name if found else referral.service_id
        subject = f"Referral {referral.reference} from the Victim Care Hub"
        body = "\n".join(
            [
                f"To {name},",
                "",
                "A person using the Victim Care Hub has asked us to refer them to you. They agreed "
                f"on {referral.consented_at:%d %B %Y} to share these details with you, and nothing "
                "else:",
                "",
                *lines,
                "",
                "Please contact them only in the way and at the times given. If you cannot help, "
                f"reply to this e-mail quoting {referral.reference} so that we can tell them.",
            ]
        )
    return subject, body
