"""The B2B order approval's activities: thin wrappers over hub.service.b2b, run by the hub's
workflow worker (hub/workflows/worker.py) where the hub's database is reachable.

Their inputs are the service's own commands, hub.domain.b2b.RecordB2BStep and PlaceB2BOrder,
not types of their own: the workflow builds them in the sandbox (hub.domain.b2b is pure), and
they encode to the JSON the earlier inputs (`B2BRecord`, `PlaceOrderInput`) did, so the
histories of running workflows decode into them: the same field names (`order_id`, `status`,
`decided_by`, `notes`; `status` keeps its name though it holds a step), each the same JSON type
(the UUID is written as its text, as `order_id` was; Temporal's JSON converter encodes a UUID
as text and reads text back into one). tests/unit/test_activity_inputs.py holds both
directions to the payloads of record.
"""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.domain.b2b import PlaceB2BOrder, RecordB2BStep
from hub.errors import B2BOrderNotFound, StatusChangeRefused
from hub.service import b2b
from hub.workflows.b2b_approval.workflows import PLACE_ORDER, RECORD_STATUS

# Error types of business failures a retry cannot help (raised non-retryable).
ORDER_NOT_FOUND = "B2BOrderNotFound"
STATUS_CHANGE_REFUSED = "StatusChangeRefused"


class B2BActivities:
    """The activities, bound to the hub's unit of work (its database and clock)."""

    def __init__(self, uow: HubUnitOfWork) -> None:
        self._uow = uow

    @activity.defn(name=RECORD_STATUS)
    async def record_status(self, command: RecordB2BStep) -> str:
        """Write the workflow's step and its feed entry; returns the order's status after it
        (its current one if it has moved on). Raises ApplicationError, not retryable:
        ORDER_NOT_FOUND, STATUS_CHANGE_REFUSED (a step the workflow does not record)."""
        try:
            return await b2b.record_status(command, self._uow)
        except B2BOrderNotFound as error:
            raise ApplicationError(str(error), type=ORDER_NOT_FOUND, non_retryable=True) from None
        except StatusChangeRefused as error:
            raise ApplicationError(
                str(error), type=STATUS_CHANGE_REFUSED, non_retryable=True
            ) from None

    @activity.defn(name=PLACE_ORDER)
    async def place(self, command: PlaceB2BOrder) -> str:
        """Place an order whose payment HQ approved: returns placed or blocked (or the order's
        status if it has moved on). Raises ApplicationError, not retryable: ORDER_NOT_FOUND."""
        try:
            return await b2b.place(command, self._uow)
        except B2BOrderNotFound as error:
            raise ApplicationError(str(error), type=ORDER_NOT_FOUND, non_retryable=True) from None
