"""Forwarded headers (X-Forwarded-For, -Proto, …) are believed only from the proxies the hub is
told about: FORWARDED_ALLOW_IPS, addresses or networks, comma-separated, as gunicorn reads the
same variable for the scheme. From anyone else they are removed before the app sees them, so a
client that reaches the app server directly can neither pick the address its rate limits are
counted against nor claim its plain http was https."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_allowed(value: str) -> list[Network] | None:
    """The trusted proxies' networks; None for "*" (every peer is trusted)."""
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if "*" in entries:
        return None
    try:
        return [ipaddress.ip_network(entry, strict=False) for entry in entries]
    except ValueError as exc:
        raise RuntimeError(
            f"FORWARDED_ALLOW_IPS must list IP addresses or networks, comma-separated: {exc}"
        ) from exc


def _peer_is_trusted(remote: str | None, networks: Iterable[Network] | None) -> bool:
    if networks is None:
        return True
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return True  # a UNIX socket: no address, trusted as gunicorn trusts it
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


class TrustedProxies:
    """ProxyFix (`count` proxies) for requests from a trusted proxy; for any other peer, its
    forwarded headers dropped."""

    def __init__(self, app: WSGIApplication, allowed: str, count: int) -> None:
        self.app = app
        self.networks = parse_allowed(allowed)
        self.fixed: WSGIApplication = ProxyFix(app, x_for=count, x_proto=count) if count else app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        if _peer_is_trusted(environ.get("REMOTE_ADDR"), self.networks):
            return self.fixed(environ, start_response)
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_")]:
            del environ[key]
        environ.pop("HTTP_FORWARDED", None)
        return self.app(environ, start_response)
