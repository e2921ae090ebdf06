"""What the till's status bar says (pos_ui.widgets.status_bar.describe): the link, the
unsynced events and their age, the offline card headroom and the nearest deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pos_ui.models import NodeStatus, OfflineCards
from pos_ui.widgets.status_bar import WIDTH, countdown, describe

NOW = datetime(2010, 12, 1, 15, 0, tzinfo=UTC)


def status(online: bool | None, pending: int = 0, quarantined: int = 0) -> NodeStatus:
    return NodeStatus.model_validate(
        {
            "clock": NOW.isoformat(),
            "outbox": {
                "pending": pending,
                "oldest_pending_created_at": (NOW - timedelta(minutes=12)).isoformat(),
                "quarantined": quarantined,
            },
            "sync": {"online": online},
        }
    )


def test_offline_with_unsynced_sales_and_cards_stored_says_so_with_a_countdown() -> None:
    cards = OfflineCards(
        card_terminal=True,
        headroom=Decimal("40.00"),
        outstanding=Decimal("460.00"),
        stored=5,
        oldest_deadline=NOW + timedelta(hours=23, minutes=5),
    )
    line = describe(status(False, pending=7, quarantined=1), cards, "Ann (cashier)", "T1", "")
    assert "OFFLINE" in line and "unsynced 7 (oldest 12m)" in line
    assert "offline cards 40.00 left (5 to send, 23h05m)" in line
    assert "QUARANTINED 1" in line and "till T1" in line


def test_an_edge_that_does_not_answer_is_shown_not_hidden() -> None:
    assert "EDGE NOT ANSWERING" in describe(None, None, "", "T2", "")
    assert countdown(timedelta(seconds=-1)) == "overdue"
    assert countdown(timedelta(minutes=45)) == "45m"


def test_every_part_fits_a_120_column_terminal_at_its_longest() -> None:
    # A 30-character name, a long shift label, thousands unsynced for hours, the till's whole
    # offline allowance in use with a hundred cards waiting, and quarantined events.
    cards = OfflineCards(
        card_terminal=True,
        headroom=Decimal("99999.99"),
        outstanding=Decimal("99999.99"),
        stored=100,
        oldest_deadline=NOW + timedelta(hours=23, minutes=59),
    )
    busy = status(False, pending=123456, quarantined=999)
    busy = busy.model_copy(
        update={
            "outbox": busy.outbox.model_copy(
                update={"oldest_pending_created_at": NOW - timedelta(hours=99)}
            )
        }
    )
    who = f"{'W' * 30} (supervisor)"
    lines = describe(busy, cards, who, "T12", "shift of 2010-12-01").split("\n")
    assert len(lines) == 2
    assert "offline cards 99999.99 left (100 to send, 23h59m)" in lines[1]
    assert "QUARANTINED 999" in lines[1] and "unsynced 123456 (oldest 99h00m)" in lines[1]
    # the bar's own padding takes 2 columns
    assert max(len(line) for line in lines) <= WIDTH - 2, lines
