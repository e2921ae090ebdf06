"""Gift-card and store-credit ledgers at the hub: moved by the documents ingest records, read
by the stores (a balance before a spend) and by HQ (an account with its movements).

The rules of what moves what are `hub.domain.tenders`; here they meet the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from hub.adapters.unit_of_work import HubTransaction, HubUnitOfWork
from hub.domain.ledger import LedgerDocument
from hub.domain.sale_exceptions import SaleException
from hub.domain.tenders import (
    AccountRecord,
    Movement,
    MovementRecord,
    StoredValueKind,
    movements_of,
    overdraft,
    shown,
)
from hub.errors import AccountNotFound

_STORED_VALUE = ("gift_card", "store_credit")


async def move_balances(
    documents: Sequence[LedgerDocument], tx: HubTransaction, now: datetime
) -> list[SaleException]:
    """Record the stored-value movements of `documents` (recorded in the ledger in this
    transaction, so each document is new: a retried upload never comes here twice), in
    upload order, and move the accounts' balances; returns the exceptions found: an
    overdraft, a movement in another currency than its account's (not recorded), a line
    loading a gift card on a product that is not one. Raises StorageRefused."""
    if not any(
        tender.kind in _STORED_VALUE for document in documents for tender in document.tenders
    ) and not any(line.gift_card_number for document in documents for line in document.lines):
        return []
    gift_lines = sorted(
        {line.sku for document in documents for line in document.lines if line.gift_card_number}
    )
    products = await tx.catalogue.products(gift_lines) if gift_lines else {}
    gift_card_skus = {sku for sku, product in products.items() if product.kind == "gift_card"}
    movements, found = movements_of(documents, gift_card_skus)
    if not movements:
        return found
    accounts = await tx.stored_value.lock(movements, now)
    state = dict(accounts)
    recorded: list[tuple[Movement, int]] = []
    for item in movements:
        held = state[item.key]
        if held.currency != item.currency:
            found.append(
                SaleException(
                    item.document_id,
                    item.store_id,
                    "tender_problem",
                    None,
                    f"{item.source} {item.number}: {shown(item.kind, item.account)} is kept in "
                    f"{held.currency}, not {item.currency}: nothing was moved",
                )
            )
            continue
        before = held.balance_minor
        if item.amount_minor < 0 and before + item.amount_minor < 0:
            found.append(overdraft(item, before))
        opened = held.activated_at is None and item.movement in ("activation", "issue")
        state[item.key] = replace(
            held,
            balance_minor=before + item.amount_minor,
            activated_at=item.business_time if opened else held.activated_at,
            store_id=item.store_id if opened or held.store_id is None else held.store_id,
        )
        recorded.append((item, before + item.amount_minor))
    await tx.stored_value.record(recorded, [state[key] for key in sorted(state)], now)
    return found


async def account_of(kind: StoredValueKind, account: str, uow: HubUnitOfWork) -> AccountRecord:
    """A gift card (by number) or a customer's store credit (by customer id) as the hub holds
    it now. Raises AccountNotFound (no movement ever named it)."""
    async with uow.read() as tx:
        held = await tx.stored_value.get(kind, account)
    if held is None:
        raise AccountNotFound(kind, account)
    return held


@dataclass(frozen=True, slots=True)
class AccountHistory:
    """An account and its movements, oldest first."""

    account: AccountRecord
    movements: list[MovementRecord]


async def account_history(
    kind: StoredValueKind, account: str, limit: int, uow: HubUnitOfWork
) -> AccountHistory:
    """An account with its newest `limit` movements, oldest first, read in one snapshot.
    Raises AccountNotFound."""
    async with uow.read(snapshot=True) as tx:
        held = await tx.stored_value.get(kind, account)
        if held is None:
            raise AccountNotFound(kind, account)
        return AccountHistory(held, await tx.stored_value.movements(kind, account, limit))
