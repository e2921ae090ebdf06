"""The hub's ingest registry: every event class `sync.messages.parse_event` can return has one
handler, so no kind a store uploads is left to the quarantine's `no handler for kind ...`; and
what a handler makes of an event names exactly one outcome, since ingest stores an event with
none as applied."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_args, get_type_hints

import pytest

from hub.service.ingest_handlers import HANDLERS, Applied
from sync.messages import CashMoved, RawEvent, SaleCompleted, parse_event
from tests.support import event, sale_payload

NODE = {"store_id": "store-1", "node_id": "node-1"}
SALE = RawEvent.model_validate(event(NODE, 1, sale_payload("R1", [("A", 1, "2.55")])))
NOW = datetime(2010, 12, 1, 10, tzinfo=UTC)
DOCUMENT = HANDLERS[SaleCompleted].classify(SALE, parse_event(SALE), NOW).document
CASH = HANDLERS[CashMoved]


def test_every_event_parse_event_returns_has_one_handler_and_nothing_else_has_one() -> None:
    parsed = get_args(get_type_hints(parse_event)["return"])

    assert len(parsed) == len(set(parsed)) >= 7
    assert set(HANDLERS) == set(parsed)


def test_each_named_outcome_is_that_outcome_alone() -> None:
    assert DOCUMENT is not None
    outcomes = [
        Applied.to_ledger(SALE, DOCUMENT),
        Applied.to_record(SALE, CASH, "a value"),
        Applied.quarantined(SALE, "why"),
    ]

    assert [(item.document, item.handler, item.value, item.reason) for item in outcomes] == [
        (DOCUMENT, None, None, None),
        (None, CASH, "a value", None),
        (None, None, None, "why"),
    ]


@pytest.mark.parametrize(
    ("document", "reason", "handler"),
    [
        pytest.param(None, None, None, id="none"),
        pytest.param(DOCUMENT, "why", None, id="document-and-reason"),
        pytest.param(None, "why", CASH, id="reason-and-record"),
        pytest.param(DOCUMENT, None, CASH, id="document-and-record"),
    ],
)
def test_an_event_with_no_outcome_or_several_is_refused_not_stored_as_applied(
    document: Any, reason: str | None, handler: Any
) -> None:
    with pytest.raises(ValueError, match="needs one outcome"):
        Applied(SALE, document, reason, handler)
