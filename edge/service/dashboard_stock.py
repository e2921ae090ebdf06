"""Read models of the dashboard's Stock and Approvals views, from the node's own file.

Stock: `stock_level` holds HQ's count of each SKU at this store as the feed last sent it
(edge.service.feed, entity `stock_level`); the hub's count already takes in every sale and
return it has applied, and the node never decrements it itself. So the level shown is HQ's
count less the units sold (net of returns) in this node's documents the hub has not yet
acknowledged: the sales that have not reached HQ. Weighed items (kg) are not counted in stock
(hub.domain.ledger.movements_of), nor are untracked SKUs.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge.adapters.repositories.dashboard_sync import StockRow
from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.documents import StoredB2BOrder, StoredRefundRequest
from edge.domain.node import NodeIdentity
from edge.service.staff import store_settings

DEFAULT_LOW_STOCK_THRESHOLD = 5
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100

# Requests still waiting on HQ.
REFUND_WAITING = frozenset({"pending"})  # uow.refunds.list takes one status: "pending"
B2B_WAITING = frozenset({"cart_submitted", "payment_composed"})
RECENT_LIMIT = 50


def low_stock_threshold(uow: EdgeUnitOfWork, identity: NodeIdentity) -> int:
    """The store setting `low_stock_threshold` (a whole number of units, from the
    store_settings shared record) or 5."""
    value = store_settings(uow, identity).get("low_stock_threshold")
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return DEFAULT_LOW_STOCK_THRESHOLD


@dataclass(frozen=True, slots=True)
class StockView:
    """One page of the Stock view: `rows` by SKU, `total` rows matching, `page` (from 1) of
    `pages`, the `threshold` at or below which a level is low, and the filter applied."""

    rows: list[StockRow]
    total: int
    page: int
    pages: int
    page_size: int
    threshold: int
    query: str
    low_only: bool


def stock_view(
    uow: EdgeUnitOfWork,
    identity: NodeIdentity,
    *,
    query: str = "",
    low_only: bool = False,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> StockView:
    """Tracked SKUs whose SKU, GTIN or description contains `query` (any case; empty: all),
    with `low_only` only those at or below the low-stock threshold; page `page` (from 1) of
    `page_size` rows (at most 100). A page past the last gives no rows."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    threshold = low_stock_threshold(uow, identity)
    found = uow.dashboard_sync.stock_page(
        identity.store_id,
        query=query.strip() or None,
        at_most=threshold if low_only else None,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    return StockView(
        rows=found.rows,
        total=found.total,
        page=page,
        pages=max(1, -(-found.total // page_size)),
        page_size=page_size,
        threshold=threshold,
        query=query.strip(),
        low_only=low_only,
    )


@dataclass(frozen=True, slots=True)
class ApprovalsView:
    """Refund requests and B2B orders of this store: those waiting on HQ, and the most
    recent others (decided, executed, fulfilled...), newest first."""

    refunds_waiting: list[StoredRefundRequest]
    refunds_recent: list[StoredRefundRequest]
    orders_waiting: list[StoredB2BOrder]
    orders_recent: list[StoredB2BOrder]


def approvals_view(uow: EdgeUnitOfWork) -> ApprovalsView:
    """The Approvals page: what waits on HQ, and the last 50 of each kind otherwise."""
    refunds_waiting = uow.refunds.list("pending", 500)
    orders_waiting = sorted(
        (order for status in B2B_WAITING for order in uow.b2b_orders.list(status, 500)),
        key=lambda order: order.order.business_time,
        reverse=True,
    )
    refunds = uow.refunds.list(None, RECENT_LIMIT + len(refunds_waiting))
    orders = uow.b2b_orders.list(None, RECENT_LIMIT + len(orders_waiting))
    return ApprovalsView(
        refunds_waiting=refunds_waiting,
        refunds_recent=[r for r in refunds if r.status not in REFUND_WAITING][:RECENT_LIMIT],
        orders_waiting=orders_waiting,
        orders_recent=[o for o in orders if o.status not in B2B_WAITING][:RECENT_LIMIT],
    )
