"""validate_id_token: every check an ID token must pass, with keys made here (no app, no network).
The callback runs this same function, so what is refused here is refused in production."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from app.accounts.oidc import IdTokenError, validate_id_token

ISSUER = "https://oidc.example.gov.uk/"
CLIENT_ID = "hub-client"
NONCE = "a-nonce-for-this-sign-in"
NOW = 1_750_000_000.0

RSA = RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "use": "sig", "alg": "RS256"})
EC = ECKey.generate_key("P-256", parameters={"kid": "ec-1", "use": "sig", "alg": "ES256"})
PS = RSAKey.generate_key(2048, parameters={"kid": "ps-1", "use": "sig", "alg": "PS256"})
JWKS = {"keys": [k.as_dict(private=False) for k in (RSA, EC, PS)]}


def claims(**changes) -> dict:
    base = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "urn:fdc:gov.uk:2022:someone",
        "iat": int(NOW) - 5,
        "exp": int(NOW) + 180,
        "nonce": NONCE,
        "vot": "Cl.Cm",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict, *, key=RSA, alg: str = "RS256", kid: str | None = "rsa-1") -> str:
    header = {"alg": alg, **({"kid": kid} if kid else {})}
    return jwt.encode(header, payload, key, algorithms=[alg])


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict, payload: dict, signature: bytes = b"") -> str:
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(payload).encode())
    return signing_input + "." + b64(signature)


def check(token: str, *, expected_vot: str | None = "Cl.Cm", now: float = NOW) -> dict:
    return validate_id_token(
        token,
        jwks=JWKS,
        issuer=ISSUER,
        client_id=CLIENT_ID,
        nonce=NONCE,
        expected_vot=expected_vot,
        now=now,
    )


def refused(token: str, reason: str | set[str], **kwargs) -> None:
    with pytest.raises(IdTokenError) as caught:
        check(token, **kwargs)
    assert caught.value.reason in ({reason} if isinstance(reason, str) else reason), caught.value


def test_a_good_token_is_accepted_and_its_claims_returned():
    got = check(sign(claims()))
    assert got["sub"] == "urn:fdc:gov.uk:2022:someone" and got["vot"] == "Cl.Cm"


@pytest.mark.parametrize(("key", "alg", "kid"), [(EC, "ES256", "ec-1"), (PS, "PS256", "ps-1")])
def test_other_asymmetric_algorithms_are_accepted(key, alg, kid):
    assert check(sign(claims(), key=key, alg=alg, kid=kid))["iss"] == ISSUER


def test_a_list_audience_needs_this_client_as_authorised_party():
    assert check(sign(claims(aud=[CLIENT_ID], azp=CLIENT_ID)))
    refused(sign(claims(aud=[CLIENT_ID, "another-client"])), "azp")
    refused(sign(claims(aud=[CLIENT_ID, "another-client"], azp="another-client")), "azp")


def test_wrong_issuer():
    refused(sign(claims(iss="https://attacker.example/")), "iss")
    refused(sign(claims(iss=ISSUER.rstrip("/"))), "iss")  # exactly the provider's, no "nearly"


def test_wrong_audience():
    refused(sign(claims(aud="another-client")), "aud")
    refused(sign(claims(aud=["another-client"])), "aud")


def test_alg_none():
    refused(unsigned({"alg": "none"}, claims()), "alg")
    refused(unsigned({"alg": "None", "kid": "rsa-1"}, claims()), "alg")


def test_alg_hs256_signed_with_the_public_key_as_secret():
    # The classic confusion attack: a verifier that lets the token pick HMAC would check this
    # with the provider's public key, which the attacker has, as the shared secret.
    header = {"alg": "HS256", "kid": "rsa-1"}
    secret = RSA.as_pem(private=False)
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims()).encode())
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    refused(signing_input + "." + b64(mac), "alg")


def test_a_symmetric_key_in_the_key_set_is_never_used():
    secret = b"x" * 32
    jwks = {"keys": [{"kty": "oct", "k": b64(secret), "kid": "oct-1"}, *JWKS["keys"]]}
    header = {"alg": "HS256", "kid": "oct-1"}
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims()).encode())
    token = signing_input + "." + b64(hmac.new(secret, signing_input.encode(), "sha256").digest())
    with pytest.raises(IdTokenError):
        validate_id_token(
            token,
            jwks=jwks,
            issuer=ISSUER,
            client_id=CLIENT_ID,
            nonce=NONCE,
            expected_vot=None,
            now=NOW,
        )


def test_bad_signature():
    impostor = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
    refused(sign(claims(), key=impostor), "signature")
    header, _, signature = sign(claims()).split(".")
    tampered = b64(json.dumps(claims(sub="someone-else")).encode())
    refused(f"{header}.{tampered}.{signature}", "signature")


def test_a_key_used_with_another_algorithm_than_its_own():
    # A PS256 signature presented as made with the provider's RS256-only key.
    _, payload, signature = sign(claims(), key=PS, alg="PS256", kid="ps-1").split(".")
    relabelled = b64(json.dumps({"alg": "PS256", "kid": "rsa-1"}).encode())
    refused(f"{relabelled}.{payload}.{signature}", {"alg", "key"})


def test_a_key_the_provider_does_not_have():
    other = RSAKey.generate_key(2048, parameters={"kid": "rsa-2"})
    refused(sign(claims(), key=other, kid="rsa-2"), "key")


def test_wrong_nonce():
    refused(sign(claims(nonce="another-sign-in")), "nonce")
    payload = claims()
    del payload["nonce"]
    refused(sign(payload), "nonce")


def test_expired_beyond_the_leeway():
    refused(sign(claims(exp=int(NOW) - 61)), "exp")
    assert check(sign(claims(exp=int(NOW) - 30)))  # within 60 s of clock skew
    payload = claims()
    del payload["exp"]
    refused(sign(payload), "exp")


def test_not_valid_yet():
    refused(sign(claims(nbf=int(NOW) + 120)), "nbf")
    assert check(sign(claims(nbf=int(NOW) + 30)))


def test_issued_in_the_future():
    refused(sign(claims(iat=int(NOW) + 120)), "iat")


def test_vot_missing_or_different():
    refused(sign(claims(vot=None)), "vot")
    refused(sign(claims(vot="Cl")), "vot")  # the low level is not enough
    refused(sign(claims(vot=["Cl.Cm"])), "vot")


def test_vot_is_not_required_when_no_level_is_expected():
    assert check(sign(claims(vot=None)), expected_vot=None)


@pytest.mark.parametrize(
    "token", ["", "not-a-token", "a.b", "a.b.c.d.e", "!!!.e30.sig", b64(b"[]") + ".e30.x"]
)
def test_malformed_tokens(token):
    with pytest.raises(IdTokenError) as caught:
        check(token)
    assert caught.value.reason in {"malformed", "alg"}


def test_no_subject():
    refused(sign(claims(sub="")), "sub")
