"""The hub's client key pair for private_key_jwt: the private key (PEM) for the app, the public
JWKS for the provider. Made fresh for each test run, or once under instance/ for the demo.

    python -m e2e.oidc.keys DIRECTORY    writes client-key.pem and client-jwks.json if missing
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey

PRIVATE_KEY = "client-key.pem"
PUBLIC_JWKS = "client-jwks.json"


def make_client_keys(directory: Path) -> tuple[Path, Path]:
    """Write a new RSA key pair into `directory`; returns (private PEM path, public JWKS path)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = RSAKey.import_key(pem).as_dict(private=False)
    public.update({"use": "sig", "alg": "RS256", "kid": "hub-client-1"})
    pem_path, jwks_path = directory / PRIVATE_KEY, directory / PUBLIC_JWKS
    # The private key is readable by its owner only, like any other secret.
    fd = os.open(pem_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    jwks_path.write_text(json.dumps({"keys": [public]}, indent=2))
    return pem_path, jwks_path


def main(argv: list[str]) -> int:
    directory = Path(argv[1] if len(argv) > 1 else "instance/oidc-demo")
    if not (directory / PRIVATE_KEY).exists() or not (directory / PUBLIC_JWKS).exists():
        make_client_keys(directory)
    print(directory / PRIVATE_KEY)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
