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


def search(text: str, uow: EdgeUnitOfWork, *, limit: int) -> list[PricedItem]:
    """At most `limit` items whose SKU or description contains `text`, by SKU."""
    return uow.catalogue.search(text, limit, at=uow.now())
