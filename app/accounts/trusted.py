"""Trusted people: invitations, acceptance and revocation. Every query is scoped to the victim
(or the invited person) in the query itself, so another person's record is simply not found."""

from __future__ import annotations

import datetime as dt
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts import audit, service
from app.accounts.models import TrustedPerson, User, token_hash
from app.core.time import as_utc, utcnow
from app.extensions import db
from app.notify.email import send_email

INVITE_VALID = dt.timedelta(days=14)


def people_of(victim: User) -> list[TrustedPerson]:
    return list(
        db.session.scalars(
            select(TrustedPerson)
            .where(TrustedPerson.victim_id == victim.id)
            .order_by(TrustedPerson.invited_at.desc())
        )
    )


def find_for_victim(victim: User, public_id: str) -> TrustedPerson | None:
    return db.session.scalar(
        select(TrustedPerson).where(
            TrustedPerson.victim_id == victim.id, TrustedPerson.public_id == public_id
        )
    )


def invite(victim: User, *, name: str, email: str, rights: list[str], lang: str) -> TrustedPerson:
    token = secrets.token_urlsafe(32)
    person = TrustedPerson(
        victim_id=victim.id,
        name=name.strip(),
        email=service.normalise_email(email),
        rights=",".join(r for r in TrustedPerson.RIGHTS if r in rights),
        invite_hash=token_hash(token),
    )
    db.session.add(person)
    db.session.flush()
    audit.record("trusted_person_invited", actor=victim, subject=victim, rights=person.rights)
    db.session.commit()
    link = service.external_url("accounts.accept_trusted", token=token, lang=lang)
    send_email(
        person.email,
        _("An invitation to help someone"),
        _(
            "Someone you know has asked you to help them with their account on Victim Care Hub. "
            "To accept, open this link within 14 days and sign in or create an account with "
            "this e-mail address:\n\n%(link)s\n\n"
            "If you were not expecting this, you can ignore it.",
            link=link,
        ),
    )
    return person


def find_invitation(token: str) -> TrustedPerson | None:
    person = db.session.scalar(
        select(TrustedPerson).where(TrustedPerson.invite_hash == token_hash(token))
    )
    if person is None or person.revoked_at or person.accepted_at:
        return None
    if utcnow() - as_utc(person.invited_at) > INVITE_VALID:
        return None
    return person


def accept(person: TrustedPerson, user: User) -> bool:
    """Only the invited address may accept, so a forwarded link is no use to anyone else."""
    if user.email != person.email or user.id == person.victim_id:
        return False
    person.accepted_at = utcnow()
    person.person_id = user.id
    person.invite_hash = None  # each invitation works once
    audit.record(
        "trusted_person_accepted", actor=user, subject=db.session.get(User, person.victim_id)
    )
    db.session.commit()
    return True


def revoke(victim: User, public_id: str) -> bool:
    person = find_for_victim(victim, public_id)
    if person is None:
        return False
    person.revoked_at = utcnow()
    person.invite_hash = None
    audit.record("trusted_person_revoked", actor=victim, subject=victim)
    db.session.commit()
    return True


def acting_for(user: User) -> list[TrustedPerson]:
    """The victims this person may act for (active, not revoked)."""
    return list(
        db.session.scalars(
            select(TrustedPerson).where(
                TrustedPerson.person_id == user.id,
                TrustedPerson.accepted_at.is_not(None),
                TrustedPerson.revoked_at.is_(None),
            )
        )
    )
