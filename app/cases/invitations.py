"""Invitations that link a victim's hub account to a case: a short reference to type, a one-time
code stored only as a hash, valid 30 days, plus the victim's date of birth as a second check."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts import audit, passwords
from app.accounts.models import User
from app.cases.agency_messages import queue_webhook
from app.cases.changes import changed
from app.cases.models import Agency, Case, CaseVictim
from app.cases.references import reference_for
from app.core.time import as_utc, utcnow
from app.extensions import db

VALID_FOR = dt.timedelta(days=30)
MAX_FAILURES = 5
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def invite(agency: Agency, case: Case, data: dict) -> tuple[CaseVictim, str]:
    """Add (or re-invite) a victim an agency knows on a journey. Returns the victim and the new
    one-time code."""
    victim = db.session.scalar(
        select(CaseVictim).where(
            CaseVictim.case_id == case.id,
            CaseVictim.agency_id == agency.id,
            CaseVictim.reference == data["reference"],
        )
    )
    if victim is None:
        victim = CaseVictim(
            case_id=case.id,
            agency_id=agency.id,
            reference=data["reference"],
            invitation_reference=f"HUB-{_random(6)}",
        )
        db.session.add(victim)
    for key in ("date_of_birth", "email", "phone", "preferred_language"):
        setattr(victim, key, data.get(key))
    code = _random(10)
    victim.invitation_code_hash = None if victim.user_id else passwords.hash_password(code)
    victim.invitation_expires_at = utcnow() + VALID_FOR
    victim.invitation_failures = 0
    db.session.flush()
    changed([case.id])  # a date of birth can change which time limits apply
    return victim, code


def link(
    user: User, reference: str, code: str, date_of_birth: dt.date | None
) -> tuple[CaseVictim | None, str | None]:
    """Link `user` to the case. Problems: "invalid" (the same answer whatever was wrong, so the
    form cannot be used to test references or dates of birth), "used", "expired", "locked".
    A date of birth of None (the boxes held only spaces) is wrong like any other."""
    victim = db.session.scalar(
        select(CaseVictim).where(
            func.upper(CaseVictim.invitation_reference) == reference.strip().upper()
        )
    )
    if victim is None:
        passwords.burn_time()
        return None, "invalid"
    if victim.user_id is not None or victim.invitation_code_hash is None:
        return None, "used"
    if as_utc(victim.invitation_expires_at) < utcnow():
        return None, "expired"
    if victim.invitation_failures >= MAX_FAILURES:
        return None, "locked"
    code_ok = passwords.verify_password(victim.invitation_code_hash, code.strip().upper())
    if not code_ok or victim.date_of_birth != date_of_birth:
        victim.invitation_failures += 1
        audit.record("case_link_failed", subject=user)
        db.session.commit()
        return None, "invalid"
    victim.user_id = user.id
    victim.linked_at = utcnow()
    victim.invitation_code_hash = None  # used: it works once
    audit.record("case_linked", actor=user, subject=user)
    inviter = db.session.get(Agency, victim.agency_id or victim.case.agency_id)
    if inviter is not None:
        queue_webhook(
            inviter,
            "victim.linked",
            {"case": reference_for(inviter.id, victim.case_id), "victim": victim.reference},
            key=f"linked:{victim.public_id}",
        )
    db.session.commit()
    return victim, None


def cases_of(user: User, *, with_case: bool = False) -> list[CaseVictim]:
    """The victim's journeys, each once (a victim invited by two agencies on one journey has two
    links to it: the first stands for both); `with_case` loads each link's case in the same
    query."""
    query = (
        select(CaseVictim)
        .where(CaseVictim.user_id == user.id)
        .order_by(CaseVictim.linked_at, CaseVictim.id)
    )
    if with_case:
        query = query.options(joinedload(CaseVictim.case))
    links = db.session.scalars(query)
    first: dict[int, CaseVictim] = {}
    for link in links:
        first.setdefault(link.case_id, link)
    return list(first.values())


def case_of(user: User, public_id: str) -> CaseVictim | None:
    """The victim's own link to a case, found in one query scoped to them: another person's
    case is simply not found (404), never fetched and then refused."""
    return db.session.scalar(
        select(CaseVictim).where(CaseVictim.public_id == public_id, CaseVictim.user_id == user.id)
    )


def send(victim: CaseVictim, code: str) -> None:
    """E-mail the invitation. Neutral words: no crime, no agency, no case details."""
    from flask import current_app
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from app.accounts.service import external_url
    from app.notify.email import send_email

    assert victim.email is not None  # the partner API asks for one when the hub delivers
    offered = current_app.config["HUB_LANGUAGES"]
    lang = victim.preferred_language if victim.preferred_language in offered else "en"
    with force_locale(lang):
        link = external_url("cases.link_case", lang=lang)
        send_email(
            victim.email,
            _("You have a new update"),
            _(
                "You can now follow updates in your Victim Care Hub account.\n\n"
                "Reference: %(reference)s\nCode: %(code)s\n\n"
                "Sign in or create an account, then enter them here within 30 days:\n%(link)s",
                reference=victim.invitation_reference,
                code=code,
                link=link,
            ),
        )
