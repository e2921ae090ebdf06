"""The approval activities' inputs on Temporal's wire: a workflow that scheduled an activity
before the hub's use cases took commands still has it run after.

RecordRefundOutcome and RecordB2BStep write the JSON the inputs they replaced (written out again
here as they were) wrote, and read it back. `place_b2b_order` was scheduled with the order id
alone, a JSON string; PlaceB2BOrder is an object, so the activity takes either: both payloads
decode into the union its signature declares, as the worker decodes them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, get_type_hints

from hypothesis import given
from hypothesis import strategies as st
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter

from hub.domain.b2b import WORKFLOW_STEPS, B2BStep, PlaceB2BOrder, RecordB2BStep
from hub.domain.refunds import WORKFLOW_OUTCOMES, RecordRefundOutcome, RefundStatus
from hub.workflows.b2b_approval.activities import B2BActivities


@dataclass(frozen=True)
class DecisionRecord:  # hub/workflows/refund_approval/workflows.py before the commands
    request_id: str
    status: RefundStatus
    decided_by: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class B2BRecord:  # hub/workflows/b2b_approval/workflows.py before the commands
    order_id: str
    status: B2BStep
    decided_by: str | None = None
    notes: str | None = None


CONVERTER = DataConverter.default.payload_converter
names = st.none() | st.text(max_size=40)


def encoded(value: Any) -> bytes:
    (payload,) = CONVERTER.to_payloads([value])
    return payload.data


def decoded(data: bytes, as_type: type[Any]) -> Any:
    payload = Payload(metadata={"encoding": b"json/plain"}, data=data)
    (value,) = CONVERTER.from_payloads([payload], [as_type])
    return value


@given(st.uuids(), st.sampled_from(sorted(WORKFLOW_OUTCOMES)), names, names)
def test_a_refund_outcome_is_written_and_read_as_the_decision_record_was(
    request_id: uuid.UUID, status: RefundStatus, decided_by: str | None, notes: str | None
) -> None:
    command = RecordRefundOutcome(request_id, status, decided_by, notes)
    before = encoded(DecisionRecord(str(request_id), status, decided_by, notes))

    assert encoded(command) == before
    assert decoded(before, RecordRefundOutcome) == command


@given(st.uuids(), st.sampled_from(sorted(WORKFLOW_STEPS)), names, names)
def test_a_b2b_step_is_written_and_read_as_the_b2b_record_was(
    order_id: uuid.UUID, step: B2BStep, decided_by: str | None, notes: str | None
) -> None:
    command = RecordB2BStep(order_id, step, decided_by, notes)
    before = encoded(B2BRecord(str(order_id), step, decided_by, notes))

    assert encoded(command) == before
    assert decoded(before, RecordB2BStep) == command


@given(st.uuids())
def test_placing_an_order_reads_the_bare_order_id_that_running_workflows_hold(
    order_id: uuid.UUID,
) -> None:
    # b46d833's workflow: execute_activity(PLACE_ORDER, order.order_id, ...), a str.
    before = encoded(str(order_id))
    accepts = get_type_hints(B2BActivities.place)["command"]

    assert before == f'"{order_id}"'.encode()
    assert decoded(before, accepts) == str(order_id)
    assert decoded(encoded(PlaceB2BOrder(order_id)), accepts) == PlaceB2BOrder(order_id)


def test_the_status_decodes_as_the_domains_enum_which_the_services_compare() -> None:
    request_id = uuid.UUID("0190a6f2-7c3e-7d41-8a55-2b9f0c1d2e3f")
    outcome = decoded(
        encoded(DecisionRecord(str(request_id), RefundStatus.LAPSED)), RecordRefundOutcome
    )
    step = decoded(encoded(B2BRecord(str(request_id), B2BStep.EXPIRED)), RecordB2BStep)

    assert (type(outcome.status), type(outcome.request_id)) == (RefundStatus, uuid.UUID)
    assert (type(step.status), type(step.order_id)) == (B2BStep, uuid.UUID)


def test_the_payload_of_record_is_plain_json_with_the_id_as_text() -> None:
    request_id = uuid.UUID("0190a6f2-7c3e-7d41-8a55-2b9f0c1d2e3f")

    data = encoded(RecordRefundOutcome(request_id, RefundStatus.APPROVED, "hq-anna", "ok"))

    assert data == (
        b'{"decided_by":"hq-anna","notes":"ok",'
        b'"request_id":"0190a6f2-7c3e-7d41-8a55-2b9f0c1d2e3f","status":"approved"}'
    )
