"""The replay pays with tenders: a gift card sold in the data is loaded at the hub and redeemed
the next day, a card the acquirer declines is paid in cash, and the books still balance."""

from __future__ import annotations

import csv
from pathlib import Path

import httpx

from vectis.replay.dataset import REQUIRED_COLUMNS
from vectis.replay.driver import run_replay
from vectis.replay.options import OfflineWindow, ReplayOptions
from vectis.replay.result import ReplayResult
from vectis.replay.tenders import gift_card_number

ROWS = [
    # Monday: a walk-in buys a 20.00 gift card; a trade customer's 12.51 is declined
    # (the simulator's do_not_honour amount); another pays 30.60 by card.
    ["580001", "gift_0001_20", "GIFT VOUCHER 20.00", "1", "2010-12-06 10:00:00", "20.00", "", "UK"],
    ["580002", "22423", "REGENCY CAKESTAND", "1", "2010-12-06 11:00:00", "12.51", "12345", "UK"],
    ["580003", "85123A", "WHITE HANGING HEART", "12", "2010-12-06 12:00:00", "2.55", "12346", "UK"],
    # Tuesday: the first walk-in redeems half the gift card and pays the rest in cash; the
    # next one's card is declined too.
    ["580004", "85123A", "WHITE HANGING HEART", "10", "2010-12-07 09:30:00", "2.55", "", "UK"],
    ["580005", "22423", "REGENCY CAKESTAND", "1", "2010-12-07 10:00:00", "12.51", "", "UK"],
]


def write_dataset(path: Path) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REQUIRED_COLUMNS)
        writer.writerows(ROWS)
    return path


async def test_a_gift_card_sold_is_loaded_at_the_hub_and_redeemed_and_a_declined_card_paid_in_cash(
    tmp_path: Path,
) -> None:
    number = gift_card_number("580001", 1)  # the file's first data row
    ledger: dict[str, object] = {}

    async def ask_hq(result: ReplayResult) -> None:
        async with httpx.AsyncClient(base_url=result.urls["hub"], trust_env=False) as client:
            answer = await client.get(
                f"/v1/gift-cards/{number}",
                headers={"Authorization": f"Bearer {result.urls['admin_token']}"},
            )
        assert answer.status_code == 200, answer.text
        ledger.update(answer.json())

    options = ReplayOptions(
        dataset=write_dataset(tmp_path / "tenders.csv"), work_dir=tmp_path / "run", stores=1
    )
    result = await run_replay(options, on_result=ask_hq)

    assert result.mismatches == []
    report = result.to_json()
    monday = report["hub"]["by_day"]["2010-12-06"]
    tuesday = report["hub"]["by_day"]["2010-12-07"]
    # The gift card and 30.60 by card; both 12.51 declined at the till and taken in cash.
    assert report["tender_fallbacks"]["card_declined"] == 2
    assert monday["tenders"] == {"card": "50.60", "cash": "12.51"}
    assert tuesday["tenders"] == {"cash": "28.01", "gift_card": "10.00"}
    assert report["offline_cards"]["taken"] == 0
    assert ledger["balance"] == "10.00"
    assert [(m["kind"], m["amount"]) for m in ledger["movements"]] == [  # type: ignore[attr-defined]
        ("activation", "20.00"),
        ("redemption", "-10.00"),
    ]


OFFLINE_ROWS = [
    # Wednesday, the store offline 09:00-12:00 (its link to the acquirer cut too): 12.51 and
    # 30.60 go store-and-forward; 255.00 is above the 100.00 offline cap: paid in cash.
    ["581001", "22423", "REGENCY CAKESTAND", "1", "2010-12-08 10:00:00", "12.51", "12345", "UK"],
    ["581002", "85123A", "WHITE HANGING HEART", "12", "2010-12-08 10:30:00", "2.55", "12346", "UK"],
    [
        "581003",
        "85123A",
        "WHITE HANGING HEART",
        "100",
        "2010-12-08 11:00:00",
        "2.55",
        "12347",
        "UK",
    ],
    # Back online: forwarded; the 12.51 is declined then (do_not_honour), the sale stands.
    ["581004", "85123A", "WHITE HANGING HEART", "4", "2010-12-08 13:00:00", "2.55", "12348", "UK"],
]


async def test_a_card_taken_offline_and_declined_when_forwarded_stands_and_is_left_out_of_settlement(
    tmp_path: Path,
) -> None:
    exceptions: list[dict[str, object]] = []

    async def ask_hq(result: ReplayResult) -> None:
        async with httpx.AsyncClient(base_url=result.urls["hub"], trust_env=False) as client:
            answer = await client.get(
                "/v1/exceptions",
                params={"kind": "card_declined"},
                headers={"Authorization": f"Bearer {result.urls['admin_token']}"},
            )
        assert answer.status_code == 200, answer.text
        exceptions.extend(answer.json())

    dataset = tmp_path / "offline.csv"
    with dataset.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REQUIRED_COLUMNS)
        writer.writerows(OFFLINE_ROWS)
    options = ReplayOptions(
        dataset=dataset,
        work_dir=tmp_path / "run",
        stores=1,
        offline=[OfflineWindow.parse("1,2010-12-08T09:00,2010-12-08T12:00")],
    )
    result = await run_replay(options, on_result=ask_hq)

    # The books balance and the acquirer settled the hub's card money less the declined card.
    assert result.mismatches == []
    report = result.to_json()
    assert report["offline_cards"] == {
        "taken": 2,
        "amount": "43.11",
        "forwarded": 2,
        "declined": 1,
        "expired": 0,
        "over_cap_paid_cash": 1,
    }
    assert report["hub"]["by_day"]["2010-12-08"]["tenders"] == {"card": "53.31", "cash": "255.00"}
    (declined,) = exceptions
    assert declined["store_id"] == "store-1"


GIFT_ROWS = [
    # A customer buys two 20.00 gift cards on one row: the till loads one card a line.
    [
        "582001",
        "gift_0001_20",
        "GIFT VOUCHER 20.00",
        "2",
        "2010-12-09 10:00:00",
        "20.00",
        "12349",
        "UK",
    ],
    # A sale the till refuses half-way (2,000,000 units on a line: more than a till line
    # takes, 1,000,000): voided, and the day still closes.
    ["582002", "85123A", "WHITE HANGING HEART", "1", "2010-12-09 11:00:00", "2.55", "12350", "UK"],
    [
        "582002",
        "22423",
        "REGENCY CAKESTAND",
        "2000000",
        "2010-12-09 11:00:00",
        "12.75",
        "12350",
        "UK",
    ],
]


async def test_a_row_of_two_gift_cards_loads_two_and_a_refused_sale_is_voided_and_named(
    tmp_path: Path,
) -> None:
    numbers = [gift_card_number("582001", 1, unit) for unit in (0, 1)]
    balances: dict[str, str] = {}

    async def ask_hq(result: ReplayResult) -> None:
        async with httpx.AsyncClient(base_url=result.urls["hub"], trust_env=False) as client:
            for number in numbers:
                answer = await client.get(
                    f"/v1/gift-cards/{number}",
                    headers={"Authorization": f"Bearer {result.urls['admin_token']}"},
                )
                assert answer.status_code == 200, answer.text
                balances[number] = answer.json()["balance"]

    dataset = tmp_path / "gifts.csv"
    with dataset.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REQUIRED_COLUMNS)
        writer.writerows(GIFT_ROWS)
    options = ReplayOptions(dataset=dataset, work_dir=tmp_path / "run", stores=1)
    result = await run_replay(options, on_result=ask_hq)

    assert balances == {numbers[0]: "20.00", numbers[1]: "20.00"}
    # The gift-card row is two lines at the till and in the expected report alike: only the
    # refused sale's day and store differ, by its invoice, its lines, its units, its money.
    day = {m.field: (m.dataset, m.hub) for m in result.mismatches if m.scope == "day"}
    assert day["lines"] == ("4", "2")
    # The refused sale is named, line by line, and is the only difference from the file.
    assert {(r["invoice"], r["stock_code"]) for r in result.refused} == {
        ("582002", "85123A"),
        ("582002", "22423"),
    }
    assert all("quantity" in r["reason"] for r in result.refused)
    assert {(m.key, m.field) for m in result.mismatches} >= {("2010-12-09", "revenue")}
    assert {(m.scope, m.key) for m in result.mismatches} == {
        ("day", "2010-12-09"),
        ("store", "store-1"),
        ("store_day", "store-1/2010-12-09"),
    }
    # Its cart was voided, so the till's shift closed: the day's Z report is there.
    assert {line.business_day for line in result.z_reports} == {"2010-12-09"}
