"""Test data, made through the same code paths as production (keyword-only arguments)."""

from __future__ import annotations

import re
import secrets
import time

import pyotp

from app.accounts import passwords
from app.accounts.models import Role, User
from app.core import crypto
from app.core.time import utcnow
from app.extensions import db

PASSWORD = "correct horse battery staple"


def create_user(
    *,
    email: str | None = None,
    password: str = PASSWORD,
    role: Role = Role.VICTIM,
    confirmed: bool = True,
    totp_secret: str | None = None,
) -> User:
    user = User(
        email=email or f"person-{secrets.token_hex(4)}@example.org",
        password_hash=passwords.hash_password(password),
        role=role,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    if totp_secret:
        user.totp_secret_encrypted = crypto.encrypt(totp_secret)
        user.totp_enabled_at = utcnow()
    db.session.add(user)
    db.session.commit()
    return user


def current_code(secret: str, offset_steps: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + offset_steps * totp.interval)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


def post_form(client, url: str, data: dict, *, get_url: str | None = None, **kwargs):
    """GET the form (for its CSRF token), then POST it, as a browser would."""
    page = client.get(get_url or url)
    return client.post(
        url, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))}, **kwargs
    )


def sign_in(client, user: User, password: str = PASSWORD, totp_secret: str | None = None):
    response = post_form(client, "/account/sign-in", {"email": user.email, "password": password})
    if totp_secret:
        response = post_form(client, "/account/sign-in/code", {"code": current_code(totp_secret)})
    return response


def create_agency(
    *,
    name: str = "Metropolitan Police Service",
    kind: str = "police",
    kinds: list[str] | None = None,
):
    """An agency of one kind (`kind`), or of several (`kinds`: the Met is police and wcu)."""
    from app.cases.models import Agency

    agency = Agency(name=name, kinds=kinds or [kind])
    db.session.add(agency)
    db.session.commit()
    return agency


# What every token could do before scopes covered reads and webhooks (not the requests).
DEFAULT_PARTNER_SCOPE = "cases:read cases:write events:write entitlements:read webhooks:manage"


def create_partner_client(*, agency, scope: str = DEFAULT_PARTNER_SCOPE):
    """An API client; returns (client, secret) — the secret is shown once, like production."""
    from app.partners.models import PartnerClient, secret_hash

    secret = secrets.token_urlsafe(32)
    client = PartnerClient(
        client_id=f"client-{secrets.token_hex(6)}",
        client_secret_hash=secret_hash(secret),
        agency_id=agency.id,
        name=f"{agency.name} case system",
        scope=scope,
    )
    db.session.add(client)
    db.session.commit()
    return client, secret


def create_linked_case(*, user: User, agency=None, reference: str | None = None):
    """A case with `user` linked to it as its victim (as if they had used their invitation)."""
    from app.cases.models import Case, CaseVictim
    from app.core.ids import new_public_id

    agency = agency or create_agency()
    case = Case(
        agency_id=agency.id,
        reference=reference or f"C-{secrets.token_hex(4)}",
        crime_type="robbery",
    )
    db.session.add(case)
    db.session.flush()
    victim = CaseVictim(
        case_id=case.id,
        agency_id=agency.id,
        reference=f"V-{secrets.token_hex(3)}",
        invitation_reference=f"HUB-{new_public_id()[:6]}",
        invitation_expires_at=utcnow(),
        user_id=user.id,
        linked_at=utcnow(),
    )
    db.session.add(victim)
    db.session.commit()
    return case, victim
