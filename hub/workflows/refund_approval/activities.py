"""The refund approval's activity: a thin wrapper over hub.service.refunds, run by the hub's
workflow worker (hub/workflows/worker.py) where the hub's database is reachable."""

from __future__ import annotations

from uuid import UUID

from temporalio import activity
from temporalio.exceptions import ApplicationError

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.errors import RefundRequestNotFound, StatusChangeRefused
from hub.service import refunds
from hub.workflows.refund_approval.workflows import RECORD_DECISION, DecisionRecord

# Error types of business failures a retry cannot help (raised non-retryable).
REQUEST_NOT_FOUND = "RefundRequestNotFound"
STATUS_CHANGE_REFUSED = "StatusChangeRefused"


class RefundActivities:
    """The activities, bound to the hub's unit of work (its database and clock)."""

    def __init__(self, uow: HubUnitOfWork) -> None:
        self._uow = uow

    @activity.defn(name=RECORD_DECISION)
    async def record_decision(self, record: DecisionRecord) -> str:
        """Write the workflow's outcome and its feed entry; returns the request's status after
        it (its current one if it has moved on). Raises ApplicationError, not retryable:
        REQUEST_NOT_FOUND, STATUS_CHANGE_REFUSED (an outcome the workflow does not record)."""
        try:
            return await refunds.record_decision(
                UUID(record.request_id),
                record.status,
                record.decided_by,
                record.notes,
                self._uow,
            )
        except RefundRequestNotFound as error:
            raise ApplicationError(str(error), type=REQUEST_NOT_FOUND, non_retryable=True) from None
        except StatusChangeRefused as error:
            raise ApplicationError(
                str(error), type=STATUS_CHANGE_REFUSED, non_retryable=True
            ) from None
