"""The upload: a node's batch of raw events and the hub's acknowledgement of it."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.bounds import Int32
from sync.messages.base import Identifier, Message
from sync.messages.events import RawEvent


class RoundTripV1(Message):
    """A node's estimate of hub clock minus its own from the round trip of one push: the hub
    stamped `hub_time` half-way between the push's `sent_at` and the answer's receipt."""

    sent_at: AwareDatetime = Field(description="The sent_at of the push measured")
    skew_ms: int = Field(ge=-(10**15), le=10**15, description="Hub clock minus node clock, ms")


# Events in one push at most: the hub refuses more (422); an edge's push_batch_events stays
# within it.
MAX_PUSH_EVENTS = 2000


class PushRequest(Message):
    protocol_version: Int32
    store_id: Identifier
    node_id: Identifier
    sent_at: AwareDatetime = Field(description="The edge's clock when it sent the batch")
    previous_round_trip: RoundTripV1 | None = Field(
        default=None,
        description="The node's round-trip skew estimate of its previous push (absent before "
        "its first): the hub takes the transit out of its one-way measure with it",
    )
    events: list[RawEvent] = Field(max_length=MAX_PUSH_EVENTS)


class SeqRange(Message):
    first: int
    last: int


class RejectedEvent(Message):
    seq: int
    event_id: UUID
    reason: str


class PushResponse(Message):
    protocol_version: int
    acked_seq: int = Field(description="Highest seq such that every seq up to it is stored")
    accepted: int = Field(description="Events stored by this request")
    duplicates: int = Field(description="Events the hub already had")
    missing: list[SeqRange] = Field(description="Gaps below the highest seq received: re-send")
    deferred: int = Field(
        0,
        description="Events above a gap, not stored (the hub applies a node's events in seq "
        "order only): send them again once the gap is filled",
    )
    rejected: list[RejectedEvent] = []
    hub_time: AwareDatetime
