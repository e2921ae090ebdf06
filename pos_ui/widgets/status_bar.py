"""The status bar every till screen shows: who and where, the edge's clock, the link to HQ,
the outbox (unsynced events and the age of the oldest), the offline card headroom and the
nearest deadline as a countdown, quarantined events. Refreshed every `REFRESH_S` seconds
from the edge (`GET /v1/status`, `GET /v1/tills/{till}/tenders`); an edge that does not
answer shows as such, and the cashier keeps the screen."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.widgets import Static

from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient
from pos_ui.models import NodeStatus, OfflineCards

REFRESH_S = 2.0
WIDTH = 120  # columns of the smallest terminal the till is laid out for


def countdown(left: timedelta) -> str:
    """A deadline's time left as `23h59m`, `45m`, or `overdue`."""
    seconds = int(left.total_seconds())
    if seconds <= 0:
        return "overdue"
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def age(elapsed: timedelta) -> str:
    """How long ago, as `40s`, `12m`, `3h05m` (`now` for anything not yet past)."""
    seconds = int(elapsed.total_seconds())
    if seconds <= 0:
        return "now"
    if seconds < 60:
        return f"{seconds}s"
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def describe(
    status: NodeStatus | None, cards: OfflineCards | None, who: str, till: str, shift: str
) -> str:
    """The status bar's two lines (pure: tests read it): who, where and when; then the link
    to HQ, the outbox, the offline cards and quarantined events. Each line fits a terminal
    of 120 columns (WIDTH) for names of up to 30 characters."""
    parts = [who or "signed out", f"till {till}", shift or "no shift"]
    if status is None:
        return "  |  ".join(parts) + "\nEDGE NOT ANSWERING: the sale stays on screen; retry"
    now = status.clock
    parts.append(now.strftime("%a %d %b %H:%M"))
    health = [{True: "online", False: "OFFLINE", None: "link ?"}[status.sync.online]]
    unsynced = f"unsynced {status.outbox.pending}"
    oldest = status.outbox.oldest_pending_created_at
    if status.outbox.pending and oldest is not None:
        unsynced += f" (oldest {age(now - _aware(oldest, now))})"
    health.append(unsynced)
    if cards is not None and cards.card_terminal:
        card = f"offline cards {cards.headroom} left"
        if cards.stored and cards.oldest_deadline is not None:
            card += f" ({cards.stored} to send, {countdown(cards.oldest_deadline - now)})"
        health.append(card)
    if status.outbox.quarantined:
        health.append(f"QUARANTINED {status.outbox.quarantined}")
    return "  |  ".join(parts) + "\n" + "  |  ".join(health)


def _aware(moment: datetime, like: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=like.tzinfo)


class StatusBar(Static):
    """The bar at the foot of every screen (see the module)."""

    DEFAULT_CSS = """
    StatusBar { dock: bottom; height: 2; background: $panel; color: $text; padding: 0 1; }
    StatusBar.offline { background: $warning; color: $text; }
    StatusBar.down { background: $error; color: $text; }
    """

    def __init__(self, client: TillClient, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.client = client
        self.shift_label = ""

    def on_mount(self) -> None:
        self.set_interval(REFRESH_S, self.refresh_status)
        self.call_later(self.refresh_status)

    async def refresh_status(self) -> None:
        """Ask the edge and redraw; never raises (an edge down is shown, not thrown)."""
        status: NodeStatus | None = None
        cards: OfflineCards | None = None
        try:
            status = await self.client.status()
            if self.client.session is not None:
                cards = await self.client.offline_cards()
        except (EdgeUnreachable, EdgeRefused):
            pass
        session = self.client.session
        who = f"{session.staff.name} ({session.staff.role})" if session else ""
        self.update(describe(status, cards, who, self.client.till_id, self.shift_label))
        self.set_class(status is None, "down")
        self.set_class(status is not None and status.sync.online is False, "offline")
