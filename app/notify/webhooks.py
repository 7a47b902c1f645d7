"""Signed alerts to agencies' systems. Each POST carries

    Hub-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the agency's secret>
    Hub-Delivery: <id, the same on every retry of one alert: receivers drop repeats by it>

so a receiver can check the alert came from the hub, is fresh, and is not a replay."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from urllib.parse import urlsplit

import requests

TOLERANCE_SECONDS = 300


class WebhookRefused(ValueError):
    """The URL may not be used (wrong scheme, a private address in production)."""


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, body: bytes, header: str, now: float | None = None) -> bool:
    """What a receiver does (and what the tests and the API docs show)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def check_url(url: str, *, allow_private: bool) -> str:
    """A URL agencies may register: https (http only to loopback when testing locally), and in
    production never an address inside the hub's own network (no server-side request forgery)."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise WebhookRefused("Use an https:// URL.")
    if parts.username or parts.password:
        raise WebhookRefused("Do not put credentials in the URL.")
    if parts.scheme == "http" and not allow_private:
        raise WebhookRefused("Use an https:// URL.")
    if not allow_private:
        _refuse_private(parts.hostname)
    return url


def _refuse_private(host: str) -> None:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError as exc:
        raise WebhookRefused("The host name does not resolve.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise WebhookRefused("The URL points to a private or reserved address.")


def post(url: str, secret: str, delivery_id: str, payload: dict, *, allow_private: bool) -> None:
    """POST one alert; raises on anything but a 2xx, so the outbox tries again later."""
    check_url(url, allow_private=allow_private)  # again: DNS may have changed since it was set
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    response = requests.post(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "Hub-Signature": sign(secret, body, int(time.time())),
            "Hub-Delivery": delivery_id,
            "User-Agent": "VictimCareHub-Webhooks/1",
        },
        timeout=10,
        allow_redirects=False,
    )
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"webhook answered {response.status_code}")
