"""Look-ups in the catalogue kept on the node: a SKU with its price, tax, promotion and stock."""

from __future__ import annotations

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.cart import PricedItem
from edge.errors import UnknownSku


def look_up(sku: str, uow: EdgeUnitOfWork) -> tuple[PricedItem, int | None]:
    """The item as it would be scanned now (the promotion in force at the node's clock) and
    the hub's count of it at this store (None when the hub published none, or before
    enrolment). Raises UnknownSku."""
    item = uow.catalogue.priced_item(sku, at=uow.now())
    if item is None:
        raise UnknownSku(sku)
    identity = uow.node.identity()
    return item, uow.catalogue.on_hand(identity.store_id, sku) if identity else None


GTIN_LENGTHS = (8, 12, 13, 14)


def search(text: str, uow: EdgeUnitOfWork, *, limit: int) -> list[PricedItem]:
    """At most `limit` items: first the item whose GTIN is `text` (digits of a GTIN-8, -12,
    -13 or -14, matching any of those forms the item holds: a UPC-A finds its EAN-13 form;
    the check digit is not checked, a wrong one simply finds nothing), then those whose SKU
    or description contains `text`, by SKU."""
    at = uow.now()
    found: list[PricedItem] = []
    if text.isascii() and text.isdigit() and len(text) in GTIN_LENGTHS:
        sku = uow.catalogue.sku_of_gtin(text.zfill(14))
        item = uow.catalogue.priced_item(sku, at=at) if sku is not None else None
        if item is not None:
            found.append(item)
    for item in uow.catalogue.search(text, limit, at=at):
        if len(found) < limit and all(item.sku != held.sku for held in found):
            found.append(item)
    return found
