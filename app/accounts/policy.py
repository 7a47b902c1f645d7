"""Who may see what. Every view that is not public says so with one of these decorators, and the
access-control matrix test fails for any route that has none."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, session, url_for

from app.accounts.models import Role

PUBLIC = "public"


def public(view: Callable) -> Callable:
    """Anyone, signed in or not."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def _sign_in_redirect():
    return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))


def login_required(*roles: Role) -> Callable:
    """Signed in, with the second factor if the account has one (staff must have one), and, if
    roles are given, holding one of them. A wrong role answers 404: it does not confirm the page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = g.get("user")
            if user is None:
                return _sign_in_redirect()
            if user.is_staff and not user.has_totp:
                return redirect(url_for("accounts.two_step_setup"))
            if user.has_totp and g.user_session.mfa_at is None:
                return _sign_in_redirect()
            if roles and user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        wrapper.access = tuple(roles) or "signed-in"  # type: ignore[attr-defined]
        return wrapper

    return decorator


def signed_in_without_mfa(view: Callable) -> Callable:
    """Signed in with a password only: the pages that set up the second factor."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            return _sign_in_redirect()
        return view(*args, **kwargs)

    wrapper.access = "signed-in-setup"  # type: ignore[attr-defined]
    return wrapper


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None. Browsers drop tabs and newlines and read
    a backslash as a slash, so "/\\t/evil.example" would become "//evil.example": anything with a
    control character, a backslash, or a scheme or host of its own is refused."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith("//"):
        return None
    return target


# Seeing or taking away everything held about someone asks for their password again first.
REAUTH_SECONDS = 300


def recently_reauthenticated() -> bool:
    return time.time() - session.get("reauth_at", 0) < REAUTH_SECONDS


def ask_again():
    return redirect(url_for("accounts.confirm_identity", next=request.path))
