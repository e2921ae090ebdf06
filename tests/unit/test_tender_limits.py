"""The store's offline tender limits: defaults, settings, the headroom a cashier sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from edge.domain.card_payments import derived_tender_id
from edge.domain.tender_limits import OfflineLimits
from shared.money import Money


def gbp(amount: str) -> Money:
    return Money.of(Decimal(amount), "GBP")


def test_the_defaults_hold_until_the_store_sets_its_own() -> None:
    limits = OfflineLimits.of({}, "GBP")
    assert (limits.card_transaction_max, limits.card_till_max, limits.card_hours) == (
        gbp("100"),
        gbp("500"),
        24,
    )
    assert (limits.gift_card_max, limits.store_credit_max) == (gbp("50"), gbp("50"))
    set_ = OfflineLimits.of(
        {
            "card_offline_transaction_max": "25.50",
            "card_offline_hours": "72",
            "gift_card_offline_max": None,
        },
        "GBP",
    )
    assert (set_.card_transaction_max, set_.card_hours, set_.gift_card_max) == (
        gbp("25.50"),
        72,
        gbp("50"),
    )


def test_the_card_headroom_is_the_lesser_of_the_two_caps_and_never_negative() -> None:
    limits = OfflineLimits.of({}, "GBP")
    assert limits.card_headroom(gbp("0")) == gbp("100")
    assert limits.card_headroom(gbp("430")) == gbp("70")
    assert limits.card_headroom(gbp("520")) == gbp("0")
    taken = datetime(2010, 12, 1, 9, tzinfo=UTC)
    assert limits.card_deadline(taken) == taken + timedelta(hours=24)


def test_stored_value_is_spent_offline_within_the_known_balance_and_the_cap() -> None:
    limits = OfflineLimits.of({"store_credit_offline_max": "30"}, "GBP")
    assert limits.stored_value_headroom("gift_card", gbp("20"), gbp("0")) == gbp("20")
    assert limits.stored_value_headroom("gift_card", gbp("80"), gbp("10")) == gbp("40")
    assert limits.stored_value_headroom("store_credit", gbp("80"), gbp("10")) == gbp("20")
    assert limits.stored_value_headroom("gift_card", gbp("-5"), gbp("0")) == gbp("0")


def test_a_retried_tender_keeps_its_id_and_another_card_or_amount_gets_another() -> None:
    cart = uuid4()
    first = derived_tender_id(cart, 1, "card", gbp("10"), "4242424242424242")
    assert first == derived_tender_id(cart, 1, "card", gbp("10"), "4242424242424242")
    assert first != derived_tender_id(cart, 1, "card", gbp("10"), "5555555555554444")
    assert first != derived_tender_id(cart, 1, "card", gbp("10.01"), "4242424242424242")
    assert first != derived_tender_id(cart, 2, "card", gbp("10"), "4242424242424242")
