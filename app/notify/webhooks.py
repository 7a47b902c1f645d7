"""Signed alerts to agencies' systems. Each POST carries

    Hub-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the agency's secret>
    Hub-Delivery: <id, the same on every retry of one alert: receivers drop repeats by it>

so a receiver can check the alert came from the hub, is fresh, and is not a replay."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import socket
import time
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3

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


# Never a webhook's address, in any environment: link-local networks (where clouds answer with
# their instance's credentials) and the metadata services' own addresses (AWS's IPv6 one and
# Alibaba's are outside link-local). Nor "this host" (0.0.0.0 reaches the loopback) or multicast.
REFUSED_EVERYWHERE = tuple(
    ipaddress.ip_network(network)
    for network in (
        "169.254.0.0/16",
        "fe80::/10",
        "169.254.169.254/32",
        "fd00:ec2::254/128",
        "100.100.100.200/32",
        "0.0.0.0/8",
        "::/128",
        "224.0.0.0/4",
        "ff00::/8",
    )
)
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
TIMEOUT = urllib3.Timeout(connect=10, read=10)


def check_url(url: str, *, allow_private: bool) -> str:
    """A URL agencies may register: https (http only to loopback when testing locally), and in
    production never an address inside the hub's own network (no server-side request forgery).
    Link-local and cloud metadata addresses are refused everywhere."""
    checked_addresses(url, allow_private=allow_private)
    return url


def checked_addresses(url: str, *, allow_private: bool) -> list[Address]:
    """The addresses the URL's host resolves to, once, each of them checked; a delivery connects
    to these and resolves nothing again (no DNS rebinding between the check and the connection)."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise WebhookRefused("Use an https:// URL.")
    if parts.username or parts.password:
        raise WebhookRefused("Do not put credentials in the URL.")
    if parts.scheme == "http" and not allow_private:
        raise WebhookRefused("Use an https:// URL.")
    addresses = _resolve(parts.hostname)
    for address in addresses:
        plain = _unmapped(address)
        if any(plain in network for network in REFUSED_EVERYWHERE):
            raise WebhookRefused("The URL points to a link-local or cloud metadata address.")
        if not allow_private and not plain.is_global:
            raise WebhookRefused("The URL points to a private or reserved address.")
        if parts.scheme == "http" and not plain.is_loopback:
            raise WebhookRefused("Use an https:// URL.")  # plain http: local testing only
    return addresses


def _unmapped(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _resolve(host: str) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise WebhookRefused("The host name does not resolve.") from exc
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not addresses:
        raise WebhookRefused("The host name does not resolve.")
    return addresses


def _ca_bundle() -> str:
    """The certificates a receiver's must chain to: as `requests` chooses them."""
    return (
        os.environ.get("REQUESTS_CA_BUNDLE")
        or os.environ.get("CURL_CA_BUNDLE")
        or requests.utils.DEFAULT_CA_BUNDLE_PATH
    )


def _pool(scheme: str, address: Address, port: int, hostname: str) -> urllib3.HTTPConnectionPool:
    """A connection to this address only; over TLS, the name is sent (SNI) and the receiver's
    certificate is verified for the name, not for the address."""
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            str(address),
            port,
            timeout=TIMEOUT,
            retries=False,
            server_hostname=hostname,
            assert_hostname=hostname,
            cert_reqs="CERT_REQUIRED",
            ca_certs=_ca_bundle(),
        )
    return urllib3.HTTPConnectionPool(str(address), port, timeout=TIMEOUT, retries=False)


def post(url: str, secret: str, delivery_id: str, payload: dict, *, allow_private: bool) -> None:
    """POST one alert; raises on anything but a 2xx, so the outbox tries again later. The host is
    resolved and checked again (DNS may have changed since the URL was set), and the connection
    goes to an address so checked, with the URL's name in the Host header and for TLS."""
    addresses = checked_addresses(url, allow_private=allow_private)
    parts = urlsplit(url)
    hostname = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Host": parts.netloc,
        "Content-Type": "application/json",
        "Hub-Signature": sign(secret, body, int(time.time())),
        "Hub-Delivery": delivery_id,
        "User-Agent": "VictimCareHub-Webhooks/1",
    }
    failure: Exception | None = None
    for address in addresses:  # in the resolver's order, as a client would try them
        with _pool(parts.scheme, address, port, hostname) as pool:
            try:
                response = pool.urlopen(
                    "POST", target, body=body, headers=headers, redirect=False, retries=False
                )
            except urllib3.exceptions.HTTPError as exc:
                failure = exc
                continue
        if not 200 <= response.status < 300:
            raise RuntimeError(f"webhook answered {response.status}")
        return
    raise ConnectionError(f"webhook: no address of {hostname} answered") from failure
