"""A stand-in OpenID Connect issuer: its signing keys, tokens it signs, and its JWKS on a local HTTP server."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from tests.local_http import serving

ISSUER = "https://login.example.fi/realms/mll"
AUDIENCE = "graph-api"


@dataclass(frozen=True)
class SigningKey:
    """One of the issuer's key pairs, with the `kid` and algorithm it signs with."""

    kid: str
    algorithm: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @classmethod
    def rsa(cls, kid: str) -> SigningKey:
        return cls(kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def ec(cls, kid: str) -> SigningKey:
        return cls(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))

    @property
    def jwk(self) -> dict[str, Any]:
        """The public half, as the issuer publishes it."""
        codec = RSAAlgorithm if self.algorithm.startswith("RS") else ECAlgorithm
        return {**codec.to_jwk(self.private.public_key(), as_dict=True), "kid": self.kid, "use": "sig"}

    @property
    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, kid: str | None = None, **claims: Any) -> str:
        """A token with the usual valid claims, these on top (a claim given as None is left out)."""
        now = int(time.time())
        body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "exp": now + 300, "iat": now}
        body |= {"org": "District:uusimaa", "scope": "places:write"}
        body = {name: value for name, value in (body | claims).items() if value is not None}
        return jwt.encode(body, self.private, algorithm=self.algorithm, headers={"kid": kid or self.kid})


def unsigned(header: dict[str, Any], claims: dict[str, Any], key: bytes | None = None) -> str:
    """A token made by hand, as an attacker would: `alg: none`, or HMAC with `key` (e.g. the public key)."""
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()  # noqa: E731
    signing_input = f"{encode(header)}.{encode(claims)}"
    signature = b"" if key is None else hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


@dataclass
class Jwks:
    """What the JWKS server publishes now, how often it was asked, and how long it takes to answer."""

    keys: list[SigningKey]
    fetches: int = 0
    delay_s: float = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def document(self) -> bytes:
        with self.lock:
            self.fetches += 1
            return json.dumps({"keys": [key.jwk for key in self.keys]}).encode()


@contextlib.contextmanager
def serving_jwks(jwks: Jwks) -> Iterator[str]:
    """Serve the key set at `<base>/jwks.json` while the block runs; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = jwks.document()
            time.sleep(jwks.delay_s)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    with serving(Handler) as base:
        yield f"{base}/jwks.json"
