"""The B2B order approval's activities: thin wrappers over hub.service.b2b, run by the hub's
workflow worker (hub/workflows/worker.py) where the hub's database is reachable.

Their inputs are the service's own commands, hub.domain.b2b.RecordB2BStep and PlaceB2BOrder,
not types of their own: the workflow builds them in the sandbox (hub.domain.b2b is pure).
Temporal's histories hold the JSON of the inputs a workflow scheduled, so a new worker must
read what earlier workflows wrote:

- `record_b2b_status` was scheduled with `B2BRecord`, whose JSON RecordB2BStep writes and
  reads as it is (the same field names, `status` among them though it holds a step, each the
  same JSON type; the UUID as its text, which Temporal's JSON converter reads back into one);
- `place_b2b_order` was scheduled with the order id alone, a JSON string (`"<uuid>"`), and is
  now scheduled with PlaceB2BOrder, a JSON object (`{"order_id": "<uuid>"}`): `place` takes
  either. A worker from before the commands cannot read the object: drain the old workers
  before starting new ones (docs/operations.md).

tests/unit/test_activity_inputs.py holds these payloads of record.
"""

from __future__ import annotations

from uuid import UUID

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
    async def place(self, command: PlaceB2BOrder | str) -> str:
        """Place an order whose payment HQ approved: returns placed or blocked (or the order's
        status if it has moved on). `command` is a PlaceB2BOrder, or the order's id as text
        (UUID), the input workflows started before the commands scheduled and their histories
        still hold. Raises ApplicationError, not retryable: ORDER_NOT_FOUND."""
        if isinstance(command, str):
            command = PlaceB2BOrder(UUID(command))
        try:
            return await b2b.place(command, self._uow)
        except B2BOrderNotFound as error:
            raise ApplicationError(str(error), type=ORDER_NOT_FOUND, non_retryable=True) from None
