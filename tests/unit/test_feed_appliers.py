"""The edge's feed appliers: every entity the hub's feed may carry has one applier."""

from __future__ import annotations

from edge.service.feed import known_entities
from sync.messages import FEED_ENTITIES


def test_every_feed_entity_has_an_applier_and_nothing_else_does() -> None:
    assert known_entities() == set(FEED_ENTITIES)
