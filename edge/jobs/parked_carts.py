"""The edge job that voids carts still parked when their business day is over (every few
minutes, at the node's clock; edge.service.parking.void_stale_parked_carts)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

from edge.adapters.unit_of_work import EdgeTransactions
from edge.domain.node import NodeIdentity
from edge.service.parking import void_stale_parked_carts

log = logging.getLogger("vectis.edge.parked_carts")

SWEEP_INTERVAL_S = 300


async def sweep_parked_carts(
    transactions: EdgeTransactions, identity: Callable[[], NodeIdentity | None]
) -> list[UUID]:
    """Void the carts parked on an earlier business day, in one write transaction; nothing
    before the node is enrolled (it knows no store calendar yet). Returns the ids voided."""
    node = identity()
    if node is None:
        return []
    voided = await transactions.write(lambda uow: void_stale_parked_carts(uow, identity=node))
    if voided:
        log.info("voided %d cart(s) left parked past their business day", len(voided))
    return voided
