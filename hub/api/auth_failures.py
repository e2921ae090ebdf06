"""Failed authentications: limited per source and per key, logged, counted.

Every 401 of an authenticated route family (the admin token, API keys, node credentials, and
enrolment tokens at `POST /v1/sync/enrol`) counts against two moving windows (the `limits`
library): one for the client's address, one for the key the secret claims. Once either is
full, requests from that source or with that key get 429 `too_many_attempts` with
`Retry-After`, before their secret is checked, until the window has room again. Successful
requests count against nothing.

The windows live in this process's memory (`limits`' MemoryStorage): each hub process counts
on its own, and a restart forgets them. With `vectis hub serve --workers N`, a source gets up
to N times the limit, still far below the guessing rate of the unlimited hub.

What a secret "claims" is its kind (the prefix the hub issues: `vxk` API key, `vxn` node
credential, `vxe` enrolment token; `other` for anything else, such as the admin token) and
a fingerprint: the first 12 hex digits of its SHA-256, which are the first 12 of the digest
the hub stores for a real key, so a log line can be matched to a key without the secret.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from hub.domain import secrets
from hub.errors import TooManyAttempts
from hub.metrics import HubMetrics

log = logging.getLogger("vectis.hub.auth")

_KINDS = (secrets.API_KEY_PREFIX, secrets.NODE_CREDENTIAL_PREFIX, secrets.ENROLMENT_TOKEN_PREFIX)
FINGERPRINT_HEX_DIGITS = 12


def claimed_key(secret: str | None) -> str | None:
    """`kind:fingerprint` of a presented secret (e.g. `vxk:3f9a0c1b2d4e`), None without one.
    Never reveals the secret: a fingerprint is 48 bits of its SHA-256."""
    if not secret:
        return None
    prefix = secret.split("_", 1)[0]
    kind = prefix if prefix in _KINDS else "other"
    return f"{kind}:{secrets.digest(secret)[:FINGERPRINT_HEX_DIGITS]}"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One authentication: the client's address, the route (method and template), and the key
    the secret claims (None: no secret, or a route whose secret the limiter does not see)."""

    source: str
    route: str
    key: str | None

    @classmethod
    def of(cls, request: Request, secret: str | None) -> Attempt:
        route = getattr(request.scope.get("route"), "path", request.url.path)
        source = request.client.host if request.client else "unknown"
        return cls(source, f"{request.method} {route}", claimed_key(secret))


class AuthFailures:
    """The limiter, the log and the metric of failed authentications, one per app.

    `per_source` and `per_key` are limits in the `limits` notation, several separated by `;`
    (`"10/minute;100/hour"`): the most failures a source or a key may have in each window.
    """

    def __init__(self, per_source: str, per_key: str, metrics: HubMetrics) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._per_source = parse_many(per_source)
        self._per_key = parse_many(per_key)
        self._metrics = metrics

    def _windows(self, attempt: Attempt) -> list[tuple[str, RateLimitItem, str]]:
        windows = [("source", item, attempt.source) for item in self._per_source]
        if attempt.key is not None:
            windows += [("key", item, attempt.key) for item in self._per_key]
        return windows

    async def check(self, attempt: Attempt) -> None:
        """Refuse an attempt whose source or key has used up a window. Raises TooManyAttempts
        (with the whole seconds until the fullest window has room), logged and counted."""
        for over, item, identifier in self._windows(attempt):
            if not await self._limiter.test(item, over, identifier):
                stats = await self._limiter.get_window_stats(item, over, identifier)
                retry_after_s = max(1, math.ceil(stats.reset_time - time.time()))
                self._report(attempt, f"over_limit_{over}", limited=True, key_id=None)
                raise TooManyAttempts(retry_after_s)

    async def failed(self, attempt: Attempt, reason: str, key_id: str | None = None) -> None:
        """Count a failed authentication against its source and key; log and count it."""
        for over, item, identifier in self._windows(attempt):
            await self._limiter.hit(item, over, identifier)
        self._report(attempt, reason, limited=False, key_id=key_id)

    def _report(self, attempt: Attempt, reason: str, *, limited: bool, key_id: str | None) -> None:
        self._metrics.auth_failures.labels(reason, "true" if limited else "false").inc()
        log.warning(
            "authentication failed: source=%s route=%r reason=%s key=%s key_id=%s limited=%s",
            attempt.source,
            attempt.route,
            reason,
            attempt.key or "-",
            key_id or "-",
            str(limited).lower(),
            extra={
                "auth_source": attempt.source,
                "auth_route": attempt.route,
                "auth_reason": reason,
                "auth_key": attempt.key,
                "auth_key_id": key_id,
                "auth_limited": limited,
            },
        )
