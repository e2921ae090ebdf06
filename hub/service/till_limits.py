"""A store's till limits at the hub: HQ sets them, the store's feed carries them to its tills,
and ingest takes a second look at every refund a till made on its own.

The limits and their defaults are shared.till_limits'. A till enforces them (edge.domain.
till_limits); the hub checks each uploaded return that names no approved request against the
limits it holds, and records a `refund_problem` exception (never a refusal: the money has
left the drawer) for one the till should not have made alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from hub.adapters.unit_of_work import HubTransaction, HubUnitOfWork
from hub.domain.ledger import LedgerDocument
from hub.domain.sale_exceptions import SaleException
from hub.domain.stores import StoreRecord
from hub.errors import StoreNotFound
from hub.service.stores import store_feed_entry
from shared.errors import InvalidAmount
from shared.money import Money
from shared.till_limits import LINE_QUANTITY_CEILING, TillLimitOverrides, TillLimits


@dataclass(frozen=True, slots=True)
class SetTillLimits:
    """The till limits of a store, all at once, in its currency (None: the default). Amounts
    are money of the store's currency, zero or more; `line_quantity_max` 1 to
    LINE_QUANTITY_CEILING units."""

    store_id: str
    refund_approval_over: Decimal | None = None
    no_receipt_refund_over: Decimal | None = None
    line_quantity_max: int | None = None
    line_amount_max: Decimal | None = None
    sale_total_max: Decimal | None = None
    no_receipt_above_catalogue_price: bool | None = None


async def set_till_limits(command: SetTillLimits, uow: HubUnitOfWork) -> StoreRecord:
    """Set every till limit of a store (each None: back to its default) and publish the
    store's configuration to its feed. Returns the store as recorded. Raises StoreNotFound,
    InvalidAmount (negative, or more places than the store's currency has), ValueError
    (`line_quantity_max` out of range)."""
    if command.line_quantity_max is not None and not (
        1 <= command.line_quantity_max <= LINE_QUANTITY_CEILING
    ):
        raise ValueError(f"line_quantity_max must be 1 to {LINE_QUANTITY_CEILING}")
    async with uow.write() as tx:
        store = await tx.stores.get(command.store_id)
        if store is None:
            raise StoreNotFound(command.store_id)

        def minor(amount: Decimal | None) -> int | None:
            return minor_of(amount, store.currency)

        limits = TillLimitOverrides(
            refund_approval_over_minor=minor(command.refund_approval_over),
            no_receipt_refund_over_minor=minor(command.no_receipt_refund_over),
            line_quantity_max=command.line_quantity_max,
            line_amount_max_minor=minor(command.line_amount_max),
            sale_total_max_minor=minor(command.sale_total_max),
            no_receipt_above_catalogue_price=command.no_receipt_above_catalogue_price,
        )
        return await publish_limits(store.store_id, limits, tx, uow)


async def publish_limits(
    store_id: str, limits: TillLimitOverrides, tx: HubTransaction, uow: HubUnitOfWork
) -> StoreRecord:
    """Record a store's till limits and publish its configuration, in the caller's
    transaction; the store must exist."""
    updated = await tx.stores.set_limits(store_id, limits)
    assert updated is not None  # the caller read the row in this transaction
    tx.publish(store_feed_entry(updated, updated.config_version, uow.now()))
    return updated


def minor_of(amount: Decimal | None, currency: str) -> int | None:
    """An amount HQ typed, in minor units (None stays None). Raises InvalidAmount (negative,
    or more places than `currency` has)."""
    if amount is None:
        return None
    if amount < 0:
        raise InvalidAmount(str(amount), "a limit cannot be negative")
    return Money.exact(amount, currency).minor


async def get_till_limits(store_id: str, uow: HubUnitOfWork) -> StoreRecord:
    """The store, with the till limits HQ set (`limits`; `limits.in_force(currency)` for the
    ones in force). Raises StoreNotFound."""
    async with uow.read() as tx:
        store = await tx.stores.get(store_id)
    if store is None:
        raise StoreNotFound(store_id)
    return store


async def refunds_beyond_limits(
    documents: Iterable[LedgerDocument], tx: HubTransaction
) -> list[SaleException]:
    """The `refund_problem` exceptions of returns a till made on its own (naming no refund
    request) beyond its store's limits as the hub holds them: above the refund limit, or
    without a receipt above the no-receipt limit, a line over the per-line caps, or refunding
    more per unit than the hub's current catalogue price. In the caller's transaction."""
    returns = [
        document
        for document in documents
        if document.kind == "return" and document.refund_request_id is None
    ]
    if not returns:
        return []
    stores: dict[str, StoreRecord | None] = {}
    no_receipt_skus = sorted(
        {
            line.sku
            for document in returns
            if document.original_document_id is None
            for line in document.lines
        }
    )
    terms = await tx.catalogue.sale_terms(no_receipt_skus, "default") if no_receipt_skus else {}
    prices = {sku: price.unit_price for sku, (_, price) in terms.items() if price is not None}
    problems = []
    for document in returns:
        if document.store_id not in stores:
            stores[document.store_id] = await tx.stores.get(document.store_id)
        store = stores[document.store_id]
        if store is None or store.currency != document.currency:
            continue
        details = _beyond(document, store.limits.in_force(store.currency), prices)
        if details:
            problems.append(
                SaleException(
                    document.document_id,
                    document.store_id,
                    "refund_problem",
                    None,
                    "made without HQ's approval: " + "; ".join(details),
                )
            )
    return problems


def _beyond(document: LedgerDocument, limits: TillLimits, prices: dict[str, Decimal]) -> list[str]:
    currency = document.currency
    refunded = Money.from_minor(-document.total_minor, currency)
    found = []
    if refunded > limits.refund_approval_over:
        found.append(
            f"refunded {refunded.amount}, above the store's refund limit of "
            f"{limits.refund_approval_over.amount}"
        )
    if document.original_document_id is not None:
        return found
    if refunded > limits.no_receipt_refund_over:
        found.append(
            f"refunded {refunded.amount} without a receipt, above the store's limit of "
            f"{limits.no_receipt_refund_over.amount}"
        )
    for line in document.lines:
        units = abs(Decimal(line.quantity))
        amount = Money.from_minor(abs(line.line_total_minor), currency)
        if units > limits.line_quantity_max:
            found.append(
                f"line {line.line_no}: {units} units, over the limit of "
                f"{limits.line_quantity_max} per line"
            )
        if amount > limits.line_amount_max:
            found.append(
                f"line {line.line_no}: {amount.amount}, over the limit of "
                f"{limits.line_amount_max.amount} per line"
            )
        price = prices.get(line.sku)
        if (
            price is not None
            and line.unit_price > price
            and not limits.no_receipt_above_catalogue_price
        ):
            found.append(
                f"line {line.line_no}: SKU {line.sku!r} refunded at {line.unit_price} per "
                f"unit, above the catalogue's {price}"
            )
    return found
