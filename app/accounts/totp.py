"""Time-based one-time passwords (RFC 6238) and recovery codes. Plain Python, no Flask."""

from __future__ import annotations

import hmac
import secrets

import pyotp
import segno

ISSUER = "Victim Care Hub"
VALID_WINDOW = 1  # accept the previous and next 30-second step: phones' clocks drift
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 12  # characters, not counting the hyphens


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> str:
    """The QR code as inline SVG (no image request, nothing for the CSP to allow)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, title=title, dark="#0b0c0c", light="#ffffff", border=4
    )


def verify(secret: str, code: str, *, last_used_step: int | None, at: float) -> int | None:
    """The time step the code belongs to, or None. A step already used is refused (replay)."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step_now = int(at // totp.interval)
    for step in range(step_now - VALID_WINDOW, step_now + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if last_used_step is not None and step <= last_used_step:
                return None
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes like 'k7f2-9xqm-3pwd' (60 bits each): written down, each usable once."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return [
        "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def normalise_recovery_code(code: str) -> str:
    """People copy codes with spaces, capitals or without the hyphens: all the same code."""
    return "".join(ch for ch in code.lower() if ch.isalnum())
