"""The replay's tender breakdown: what the tills took per day and store, and its checks."""

from __future__ import annotations

from decimal import Decimal

from vectis.replay.reconcile import Mismatch, Report, Totals
from vectis.replay.tender_report import TenderTally, check_tenders


def totals(revenue: str) -> Totals:
    return Totals(1, 1, 1, Decimal(revenue), Decimal("0.00"))


def report(**by_store_day: dict[str, str]) -> Report:
    """A report of stores (store_1 -> "store-1") with one revenue per day."""
    nested = {
        store.replace("_", "-"): {day: totals(revenue) for day, revenue in days.items()}
        for store, days in by_store_day.items()
    }
    by_day: dict[str, Totals] = {}
    for days in nested.values():
        for day, held in days.items():
            by_day[day] = by_day.get(day, Totals.zero()) + held
    by_store = {store: sum(days.values(), Totals.zero()) for store, days in nested.items()}
    return Report(by_day, by_store, nested)


def sale_tenders(*pairs: tuple[str, str], stored: bool = False) -> list[dict[str, object]]:
    return [
        {
            "kind": kind,
            "amount": amount,
            "tender_id": f"t-{kind}-{amount}",
            "card": {"status": "stored" if stored else "captured"} if kind == "card" else None,
        }
        for kind, amount in pairs
    ]


def tally_of_two_stores() -> TenderTally:
    till_1, till_2 = TenderTally(), TenderTally()
    till_1.add_document("store-1", "T1", "2010-12-01", sale_tenders(("card", "30.00")), 1)
    till_1.add_document(
        "store-1", "T1", "2010-12-01", sale_tenders(("card", "12.00"), ("cash", "8.00")), 1
    )
    till_1.add_document("store-1", "T1", "2010-12-01", sale_tenders(("cash", "5.00")), -1)
    till_2.add_document(
        "store-2", "T2", "2010-12-01", sale_tenders(("card", "40.00"), stored=True), 1
    )
    till_2.over_cap_paid_cash = 2
    till_1.merge(till_2)
    return till_1


def test_a_day_is_broken_down_by_tender_net_of_refunds_and_offline_cards_are_listed() -> None:
    tally = tally_of_two_stores()
    assert tally.by_day() == {"2010-12-01": {"card": Decimal("82.00"), "cash": Decimal("3.00")}}
    assert tally.nested()["store-1"]["2010-12-01"] == {
        "card": Decimal("42.00"),
        "cash": Decimal("3.00"),
    }
    (offline,) = tally.offline_cards
    assert (offline.store_id, offline.amount) == ("store-2", Decimal("40.00"))
    assert tally.over_cap_paid_cash == 2


def test_the_json_report_gives_each_day_and_store_day_its_tenders_and_reads_them_back() -> None:
    held = report(store_1={"2010-12-01": "45.00"}, store_2={"2010-12-01": "40.00"})
    tally_of_two_stores().fill(held)
    document = held.to_json()
    assert document["by_day"]["2010-12-01"]["tenders"] == {"card": "82.00", "cash": "3.00"}
    assert document["by_store_day"]["store-2"]["2010-12-01"]["tenders"] == {"card": "40.00"}
    assert "tenders" not in document["by_store"]["store-1"]
    assert Report.from_json(document) == held


def test_a_report_without_tenders_keeps_its_old_shape() -> None:
    held = report(store_1={"2010-12-01": "45.00"})
    assert "tenders" not in held.to_json()["by_day"]["2010-12-01"]
    assert Report.from_json(held.to_json()) == held


def test_tenders_that_add_up_to_the_revenue_on_both_sides_are_no_mismatch() -> None:
    expected = report(store_1={"2010-12-01": "45.00"}, store_2={"2010-12-01": "40.00"})
    actual = report(store_1={"2010-12-01": "45.00"}, store_2={"2010-12-01": "40.00"})
    tally_of_two_stores().fill(expected)
    assert check_tenders(expected, actual) == []  # a hub without a breakdown: one side
    tally_of_two_stores().fill(actual)
    assert check_tenders(expected, actual) == []


def test_a_hub_whose_card_money_differs_from_the_tills_is_a_mismatch_per_kind() -> None:
    expected = report(store_1={"2010-12-01": "45.00"})
    actual = report(store_1={"2010-12-01": "45.00"})
    expected.tenders_by_day = {"2010-12-01": {"card": Decimal("42.00"), "cash": Decimal("3")}}
    actual.tenders_by_day = {"2010-12-01": {"card": Decimal("40.00"), "cash": Decimal("5")}}
    assert check_tenders(expected, actual) == [
        Mismatch("day", "2010-12-01", "tenders.card", "42.00", "40.00"),
        Mismatch("day", "2010-12-01", "tenders.cash", "3.00", "5.00"),
    ]


def test_tenders_that_do_not_sum_to_the_revenue_are_a_mismatch() -> None:
    expected = report(store_1={"2010-12-01": "45.00", "2010-12-02": "10.00"})
    actual = report(store_1={"2010-12-01": "45.00", "2010-12-02": "10.00"})
    expected.tenders_by_store_day = {"store-1": {"2010-12-01": {"card": Decimal("42.00")}}}
    found = check_tenders(expected, actual)
    assert Mismatch("store_day", "store-1/2010-12-01", "tenders (dataset)", "45.00", "42.00") in (
        found
    )
    assert Mismatch("store_day", "store-1/2010-12-02", "tenders (dataset)", "10.00", "0.00") in (
        found
    )
