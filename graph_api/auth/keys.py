"""API keys: `gak_<key id>_<secret>` tokens, of which the store keeps only a hash of the secret.

The secret is 32 random bytes from `secrets`, so a plain SHA-256 of it is enough: slow password hashes
(bcrypt, argon2) exist to make guessing a *low-entropy* password expensive, and nobody can enumerate 2^256
secrets; a fast hash also keeps checking a key on every request cheap. Comparisons are constant-time.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from graph_api.errors import Unauthenticated
from graph_api.models import ApiKey

PREFIX = "gak"
"""Marks our API keys among bearer tokens (and makes a leaked one easy to find with a secret scanner)."""
KEY_ID_BYTES = 6
SECRET_BYTES = 32
UNKNOWN = "unknown or wrong API key"
"""The one answer for a key id that does not exist and a wrong secret alike, so neither can be probed."""
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


def hash_secret(secret: str) -> str:
    """The hex SHA-256 of a key's secret, as the store keeps it."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key(
    organisation: str,
    scopes: Sequence[str],
    now: datetime.datetime,
    name: str | None = None,
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key for the organisation (a global id), and its token: shown once, never kept."""
    key_id = secrets.token_hex(KEY_ID_BYTES)  # hex: no `_`, so the token splits unambiguously
    secret = secrets.token_urlsafe(SECRET_BYTES)
    key = ApiKey(
        id=key_id,
        organisation=organisation,
        scopes=tuple(dict.fromkeys(scopes)),
        name=name,
        secret_hash=hash_secret(secret),
        created_at=now,
        expires_at=expires_at,
    )
    return key, f"{PREFIX}_{key_id}_{secret}"


def is_api_key(token: str) -> bool:
    """Whether a bearer token is meant as one of our API keys (rather than a JWT)."""
    return token.startswith(f"{PREFIX}_")


def parse_token(token: str) -> tuple[str, str]:
    """The key id and secret of a `gak_` token, or `Unauthenticated` if it is not shaped like one."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret or not all(c in "0123456789abcdef" for c in key_id):
        raise Unauthenticated("malformed API key: expected gak_<key id>_<secret>")
    return key_id, secret


def verify(token: str, key: ApiKey | None, now: datetime.datetime) -> ApiKey:
    """The stored key the token proves, or `Unauthenticated`: malformed, unknown or wrong, expired, revoked.

    Expiry and revocation are told only once the secret has matched, so they reveal nothing to a guesser.
    """
    key_id, secret = parse_token(token)
    # compare against a dummy hash when the key is unknown, so both cases take the same time
    stored = key.secret_hash if key is not None and key.id == key_id else _DUMMY_HASH
    if not hmac.compare_digest(hash_secret(secret), stored) or key is None:
        raise Unauthenticated(UNKNOWN)
    if key.revoked_at is not None:
        raise Unauthenticated(f"API key {key.id} was revoked at {key.revoked_at.isoformat(timespec='seconds')}")
    if key.expires_at is not None and key.expires_at <= now:
        raise Unauthenticated(f"API key {key.id} expired at {key.expires_at.isoformat(timespec='seconds')}")
    return key
