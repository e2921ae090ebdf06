"""Stores, their edge nodes and HQ's API keys, as the hub holds them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from shared.till_limits import TillLimitOverrides

ApiScope = Literal["hq", "erp"]
"""What an API key is for: HQ's tools (`hq`) or an ERP integration (`erp`)."""


@dataclass(frozen=True, slots=True)
class StoreRecord:
    """A store and its configuration (`config_version` counts changes its feed carried):
    `limits` are the till limits HQ set (shared.till_limits; None for each it did not)."""

    store_id: str
    name: str
    timezone: str
    currency: str
    created_at: datetime
    limits: TillLimitOverrides = TillLimitOverrides()
    config_version: int = 1


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """An enrolled edge node, its acknowledged seq and its clock skew (ms) at its last push.

    `credential_issued_at` is when its current credential was issued (its age counts from
    there), `next_credential_issued_at` when a rotated one not used yet was; `confirmed_at` is
    its first authenticated request, which ends the repeat of its enrolment (None before).
    """

    node_id: str
    store_id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None
    acked_seq: int
    last_push_at: datetime | None
    skew_ms: int | None
    credential_issued_at: datetime | None = None
    next_credential_issued_at: datetime | None = None
    confirmed_at: datetime | None = None


CredentialAge = Literal["valid", "grace", "expired"]
"""A node credential by its age: valid; past its maximum age but within the grace period
(only good for rotating it); or past both."""


@dataclass(frozen=True, slots=True)
class CredentialPolicy:
    """How long a node credential lives: `max_age` (None: forever), then `grace` during which
    it can still rotate itself, so a store offline past the maximum age is not locked out."""

    max_age: timedelta | None
    grace: timedelta = timedelta(0)

    def age(self, issued_at: datetime, now: datetime) -> CredentialAge:
        """The credential issued at `issued_at` (aware), seen at `now` (aware)."""
        if self.max_age is None or now < issued_at + self.max_age:
            return "valid"
        if now < issued_at + self.max_age + self.grace:
            return "grace"
        return "expired"

    def expires_at(self, issued_at: datetime) -> datetime | None:
        """When a credential issued at `issued_at` stops being accepted for sync; None: never."""
        return issued_at + self.max_age if self.max_age is not None else None


class PushState(NamedTuple):
    """A node's acknowledged seq, and its last push as the hub measured it (None before)."""

    acked_seq: int
    last_sent_at: datetime | None
    one_way_ms: int | None


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """An API key of HQ's tools (`hq`) or an ERP integration (`erp`); its secret is not kept."""

    key_id: str
    name: str
    scope: ApiScope
    revoked_at: datetime | None


def api_key_name_key(name: str) -> str:
    """What makes two API key names the same: `name` case-folded (str.casefold, full Unicode
    folding: "Till ERP", "till erp" and "TILL ERP" are one name)."""
    return name.casefold()
