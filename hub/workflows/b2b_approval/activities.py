"""The B2B order approval's activities: thin wrappers over hub.service.b2b, run by the hub's
workflow worker (hub/workflows/worker.py) where the hub's database is reachable."""

from __future__ import annotations

from uuid import UUID

from temporalio import activity
from temporalio.exceptions import ApplicationError

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.errors import B2BOrderNotFound, StatusChangeRefused
from hub.service import b2b
from hub.workflows.b2b_approval.workflows import (
    PLACE_ORDER,
    RECORD_STATUS,
    B2BRecord,
    PlaceOrderInput,
)

# Error types of business failures a retry cannot help (raised non-retryable).
ORDER_NOT_FOUND = "B2BOrderNotFound"
STATUS_CHANGE_REFUSED = "StatusChangeRefused"


class B2BActivities:
    """The activities, bound to the hub's unit of work (its database and clock)."""

    def __init__(self, uow: HubUnitOfWork) -> None:
        self._uow = uow

    @activity.defn(name=RECORD_STATUS)
    async def record_status(self, record: B2BRecord) -> str:
        """Write the workflow's step and its feed entry; returns the order's status after it
        (its current one if it has moved on). Raises ApplicationError, not retryable:
        ORDER_NOT_FOUND, STATUS_CHANGE_REFUSED (a step the workflow does not record)."""
        try:
            return await b2b.record_status(
                UUID(record.order_id),
                record.status,
                record.decided_by,
                record.notes,
                self._uow,
            )
        except B2BOrderNotFound as error:
            raise ApplicationError(str(error), type=ORDER_NOT_FOUND, non_retryable=True) from None
        except StatusChangeRefused as error:
            raise ApplicationError(
                str(error), type=STATUS_CHANGE_REFUSED, non_retryable=True
            ) from None

    @activity.defn(name=PLACE_ORDER)
    async def place(self, order: PlaceOrderInput) -> str:
        """Place an order whose payment HQ approved: returns placed or blocked (or the order's
        status if it has moved on). Raises ApplicationError, not retryable: ORDER_NOT_FOUND."""
        try:
            return await b2b.place(UUID(order.order_id), self._uow)
        except B2BOrderNotFound as error:
            raise ApplicationError(str(error), type=ORDER_NOT_FOUND, non_retryable=True) from None
