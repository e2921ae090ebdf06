"""Secrets the hub issues: enrolment tokens, store credentials, API keys.

Each is 256 bits from `secrets`, shown once, and stored only as its SHA-256. A slow password
hash (argon2) buys nothing for a random 256-bit secret, while it would cost tens of
milliseconds on every sync request; a fast hash of a high-entropy secret cannot be reversed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def issue(prefix: str) -> str:
    """A new secret such as `vxe_...`; the prefix tells a human what it is."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def derived_credential(token: str, attempt: str, node_id: str) -> str:
    """The credential of an enrolment attempt: HMAC-SHA256 keyed by the one-time token.

    Deterministic, so every copy and repeat of one attempt gets the same credential back and
    a copy delivered late can never replace the one the node holds. Only a holder of the
    token can compute it, and the token is useless after its short repeat window; the node
    rotates to a random credential whenever it likes.
    """
    mac = hmac.new(token.encode(), f"node credential|{attempt}|{node_id}".encode(), hashlib.sha256)
    return f"{NODE_CREDENTIAL_PREFIX}_{base64.urlsafe_b64encode(mac.digest()).decode().rstrip('=')}"


def digest(secret: str) -> str:
    """Hex SHA-256 of `secret`, the only form the hub stores."""
    return hashlib.sha256(secret.encode()).hexdigest()


ENROLMENT_TOKEN_PREFIX = "vxe"
NODE_CREDENTIAL_PREFIX = "vxn"
API_KEY_PREFIX = "vxk"
