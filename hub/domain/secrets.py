"""Secrets the hub issues: enrolment tokens, store credentials, API keys.

Each is 256 bits from `secrets`, shown once, and stored only as its SHA-256; none is computed
from another secret. A slow password hash (argon2) buys nothing for a random 256-bit secret,
while it would cost tens of milliseconds on every sync request; a fast hash of a high-entropy
secret cannot be reversed. A node that proposes its own credential at enrolment sends only the
SHA-256 of a secret it made the same way: the hub never sees that secret.
"""

from __future__ import annotations

import hashlib
import secrets


def issue(prefix: str) -> str:
    """A new secret such as `vxe_...`; the prefix tells a human what it is."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(secret: str) -> str:
    """Hex SHA-256 of `secret`, the only form the hub stores."""
    return hashlib.sha256(secret.encode()).hexdigest()


ENROLMENT_TOKEN_PREFIX = "vxe"
NODE_CREDENTIAL_PREFIX = "vxn"
API_KEY_PREFIX = "vxk"
