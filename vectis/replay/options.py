"""What a replay is asked to do: data set, stores, days, offline windows, hub, chaos seed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from vectis.replay.dataset import parse_store
from vectis.replay.stack import HubDatabaseKind

TIMEZONE = "Europe/London"


@dataclass(frozen=True, slots=True)
class OfflineWindow:
    """A span of dataset time during which one store cannot reach the hub."""

    store_no: int
    start: datetime
    end: datetime

    @classmethod
    def parse(cls, text: str, timezone: str = TIMEZONE) -> OfflineWindow:
        """`STORE,FROM,TO` with ISO date-times in dataset (store-local) time.

        Raises ValueError with what is wrong.
        """
        parts = [part.strip() for part in text.split(",")]
        if len(parts) != 3:
            raise ValueError(f"--offline {text!r}: expected STORE,FROM,TO")
        zone = ZoneInfo(timezone)
        try:
            store_no = parse_store(parts[0])
        except ValueError:
            raise ValueError(
                f"--offline {text!r}: {parts[0]!r} is not a store (2 or store-2)"
            ) from None
        try:
            start, end = (_local(part, zone) for part in parts[1:])
        except ValueError:
            raise ValueError(
                f"--offline {text!r}: FROM and TO must be ISO date-times, e.g. 2010-12-03T10:00"
            ) from None
        if end <= start:
            raise ValueError(f"--offline {text!r}: TO must be after FROM")
        return cls(store_no, start, end)

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _local(text: str, zone: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


@dataclass(slots=True)
class ReplayOptions:
    dataset: Path
    work_dir: Path
    stores: int = 2
    first_day: date | None = None
    last_day: date | None = None
    offline: list[OfflineWindow] = field(default_factory=list)
    hub_url: str | None = None
    admin_token: str | None = None
    hub_database: HubDatabaseKind = "sqlite"
    hub_database_url: str | None = None
    durable_postgres: bool = True
    scan: bool = True
    chaos_seed: int | None = None
    # Customers pay as `vectis.replay.tenders` plans (cards through a simulated acquirer the
    # replay starts), or, False, everything in cash.
    cards: bool = True
    drain_timeout_s: float = 900.0
    ports: dict[str, int] = field(default_factory=dict)
