"""The edge node's identity: which store it is, and the store's trading configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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
