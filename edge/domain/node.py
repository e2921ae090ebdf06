"""The edge node's identity: which store it is, and the store's trading configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """Who this node is, as agreed with the hub at enrolment."""

    store_id: str
    node_id: str
    node_name: str
    store_name: str
    timezone: str
    currency: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_time(self, moment: datetime) -> datetime:
        """`moment` (aware) in the store's time zone."""
        return moment.astimezone(self.zone)

    def business_day(self, moment: datetime) -> date:
        """The trading day of `moment`: the store-local calendar date."""
        return self.local_time(moment).date()


def rotation_due_at(received_at: datetime, max_age_s: int | None) -> datetime | None:
    """When to rotate a credential received at `received_at` that lives `max_age_s` (HQ's
    setting; None: forever, never due): after two thirds of its life, so a node that misses
    the moment (offline, or its clock off) has a third of it left to rotate."""
    if max_age_s is None:
        return None
    return received_at + timedelta(seconds=max_age_s * 2 / 3)
