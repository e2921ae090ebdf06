"""What the hub's inbox can hold, and the digest that tells a re-send from an altered one."""

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from hub.domain.inbox import content_digest, envelope_problem
from sync.messages import RawEvent


def raw(**changes: Any) -> RawEvent:
    fields: dict[str, Any] = {
        "event_id": uuid.uuid4(),
        "store_id": "store-1",
        "node_id": "n1",
        "seq": 1,
        "schema_version": 1,
        "hlc": "001291197600000-000001-n1",
        "occurred_at": datetime(2010, 12, 1, 10, tzinfo=UTC),
        "kind": "sale.completed",
        "payload": {"b": [1, {"y": "2.55", "x": None}], "a": "é"},
    }
    return RawEvent.model_construct(**(fields | changes))


def test_the_digest_reads_content_not_spelling() -> None:
    event = raw()
    same = raw(
        event_id=event.event_id,
        payload={"a": "é", "b": [1, {"x": None, "y": "2.55"}]},
        occurred_at=datetime(2010, 12, 1, 11, tzinfo=timezone(timedelta(hours=1))),
    )
    assert content_digest(same) == content_digest(event)
    for changed in (
        raw(payload={"a": "é", "b": [1, {"x": None, "y": "2.56"}]}),
        raw(hlc="001291197600000-000002-n1"),
        raw(schema_version=2),
        raw(occurred_at=datetime(2010, 12, 1, 10, 0, 1, tzinfo=UTC)),
    ):
        assert content_digest(changed) != content_digest(event)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"seq": 2**63}, "seq 9223372036854775808 is not between 1 and"),
        ({"schema_version": 2**31}, "schema_version 2147483648 is not between"),
        ({"kind": "sale\x00completed"}, "kind holds a control character"),
        ({"hlc": "1\n2"}, "hlc holds a control character"),
        (
            {"occurred_at": datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-14)))},
            "out of range in UTC",
        ),
    ],
)
def test_an_envelope_the_inbox_cannot_hold_says_why(changes: dict[str, Any], problem: str) -> None:
    assert envelope_problem(raw()) is None
    found = envelope_problem(raw(**changes))
    assert found is not None and problem in found
