"""The approval activities' inputs on Temporal's wire: the service commands they now take
(hub.domain's RecordRefundOutcome, RecordB2BStep, PlaceB2BOrder) write the JSON the inputs they
replaced wrote, and read it back, so a workflow that scheduled an activity before the change
still runs it after. The replaced types are written out again here as they were."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter

from hub.domain.b2b import WORKFLOW_STEPS, B2BStep, PlaceB2BOrder, RecordB2BStep
from hub.domain.refunds import WORKFLOW_OUTCOMES, RecordRefundOutcome, RefundStatus


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


@dataclass(frozen=True)
class PlaceOrderInput:  # hub/workflows/b2b_approval/workflows.py before the commands
    order_id: str


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
def test_placing_an_order_is_written_and_read_as_the_place_order_input_was(
    order_id: uuid.UUID,
) -> None:
    before = encoded(PlaceOrderInput(str(order_id)))

    assert encoded(PlaceB2BOrder(order_id)) == before
    assert decoded(before, PlaceB2BOrder) == PlaceB2BOrder(order_id)


def test_the_payload_of_record_is_plain_json_with_the_id_as_text() -> None:
    request_id = uuid.UUID("0190a6f2-7c3e-7d41-8a55-2b9f0c1d2e3f")

    data = encoded(RecordRefundOutcome(request_id, RefundStatus.APPROVED, "hq-anna", "ok"))

    assert data == (
        b'{"decided_by":"hq-anna","notes":"ok",'
        b'"request_id":"0190a6f2-7c3e-7d41-8a55-2b9f0c1d2e3f","status":"approved"}'
    )
