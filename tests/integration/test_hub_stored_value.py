"""A till asks the hub's gift-card and store-credit ledgers live (`HubStoredValueLedger`),
against a real PostgreSQL hub: the balance after every movement, an account the hub never
saw, and no answer (the offline rule then applies at the till)."""

from __future__ import annotations

import socket
from decimal import Decimal

import pytest

from edge.payments.hub_stored_value import HubStoredValueLedger
from edge.payments.stored_value import AccountUnknown, LedgerUnreachable
from tests.integration.test_hub_sync import push
from tests.integration.test_tender_ledgers import GIFT_CARD, gift_card_sale, node, redeeming, v5

__all__ = ["node"]  # the fixture: store-1 with items A, B and gift card GIFT-25, enrolled
from tests.support import Hub


def ledger(hub: Hub, node: dict[str, str] | None) -> HubStoredValueLedger:
    async def credential() -> str | None:
        return None if node is None else node["authorization"].removeprefix("Bearer ")

    return HubStoredValueLedger("http://hub", credential, transport=hub.transport)


async def test_a_till_reads_a_gift_cards_balance_after_every_store_spent_it(
    hub: Hub, node: dict[str, str]
) -> None:
    await push(
        hub,
        node,
        [v5(node, 1, gift_card_sale("T1-0000001")), v5(node, 2, redeeming("T1-0000002", "7.50"))],
    )
    held = await ledger(hub, node).balance("gift_card", GIFT_CARD)
    assert (held.kind, held.account, held.blocked) == ("gift_card", GIFT_CARD, False)
    assert (held.balance.amount, held.balance.currency) == (Decimal("17.50"), "GBP")


async def test_a_card_the_hub_never_activated_is_unknown(hub: Hub, node: dict[str, str]) -> None:
    with pytest.raises(AccountUnknown):
        await ledger(hub, node).balance("gift_card", "6006490000000000")


async def test_a_node_not_enrolled_or_refused_gets_no_answer(
    hub: Hub, node: dict[str, str]
) -> None:
    with pytest.raises(LedgerUnreachable):
        await ledger(hub, None).balance("store_credit", "C-42")
    with pytest.raises(LedgerUnreachable):
        await ledger(hub, {**node, "authorization": "Bearer vxn_revoked"}).balance(
            "store_credit", "C-42"
        )


async def test_a_hub_that_does_not_answer_is_unreachable() -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def credential() -> str | None:
        return "vxn_credential"

    unreachable = HubStoredValueLedger(f"http://127.0.0.1:{port}", credential, timeout_s=0.5)
    with pytest.raises(LedgerUnreachable):
        await unreachable.balance("gift_card", GIFT_CARD)
