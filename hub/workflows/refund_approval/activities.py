"""The refund approval's activity: a thin wrapper over hub.service.refunds, run by the hub's
workflow worker (hub/workflows/worker.py) where the hub's database is reachable.

Its input is the service's own command, hub.domain.refunds.RecordRefundOutcome, not a type of
its own: the workflow builds it in the sandbox (hub.domain.refunds is pure), and it encodes to
the JSON the earlier input (`DecisionRecord`) did, so the histories of running workflows decode
into it: the same field names (`request_id`, `status`, `decided_by`, `notes`), each the same
JSON type (the UUID is written as its text, as `request_id` was; Temporal's JSON converter
encodes a UUID as text and reads text back into one). tests/unit/test_activity_inputs.py
holds both directions to the payload of record.
"""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.domain.refunds import RecordRefundOutcome
from hub.errors import RefundRequestNotFound, StatusChangeRefused
from hub.service import refunds
from hub.workflows.refund_approval.workflows import RECORD_DECISION

# Error types of business failures a retry cannot help (raised non-retryable).
REQUEST_NOT_FOUND = "RefundRequestNotFound"
STATUS_CHANGE_REFUSED = "StatusChangeRefused"


class RefundActivities:
    """The activities, bound to the hub's unit of work (its database and clock)."""

    def __init__(self, uow: HubUnitOfWork) -> None:
        self._uow = uow

    @activity.defn(name=RECORD_DECISION)
    async def record_decision(self, command: RecordRefundOutcome) -> str:
        """Write the workflow's outcome and its feed entry; returns the request's status after
        it (its current one if it has moved on). Raises ApplicationError, not retryable:
        REQUEST_NOT_FOUND, STATUS_CHANGE_REFUSED (an outcome the workflow does not record)."""
        try:
            return await refunds.record_decision(command, self._uow)
        except RefundRequestNotFound as error:
            raise ApplicationError(str(error), type=REQUEST_NOT_FOUND, non_retryable=True) from None
        except StatusChangeRefused as error:
            raise ApplicationError(
                str(error), type=STATUS_CHANGE_REFUSED, non_retryable=True
            ) from None
