"""The hub's ingest registry: every event class `sync.messages.parse_event` can return has one
handler, so no kind a store uploads is left to the quarantine's `no handler for kind ...`."""

from __future__ import annotations

from typing import get_args, get_type_hints

from hub.service.ingest_handlers import HANDLERS
from sync.messages import parse_event


def test_every_event_parse_event_returns_has_one_handler_and_nothing_else_has_one() -> None:
    parsed = get_args(get_type_hints(parse_event)["return"])

    assert len(parsed) == len(set(parsed)) >= 7
    assert set(HANDLERS) == set(parsed)
