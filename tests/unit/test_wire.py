"""The edge's wire registry: every domain event the outbox may receive has one encoder."""

from __future__ import annotations

from typing import get_args

from edge.domain.documents import DomainEvent
from edge.wire import encode


def test_every_domain_event_has_a_wire_encoder_and_nothing_else_does() -> None:
    registered = set(encode.registry) - {object}
    assert registered == set(get_args(DomainEvent))
