"""A node's enrolment: its request, the answer with its store's configuration, a new credential."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from shared.money import DecimalText
from sync.messages.base import CurrencyCode, Identifier, Message, Payload


class StoreConfigV1(Payload):
    store_id: Identifier
    name: str
    timezone: str
    currency: CurrencyCode
    refund_approval_over: DecimalText | None = Field(
        default=None,
        description="A refund above this needs HQ's approval; absent: no refund does",
    )


class EnrolRequest(Message):
    protocol_version: int
    token: Annotated[str, StringConstraints(min_length=16, max_length=256)]
    node_name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    attempt: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        None,
        description="The node's id for this enrolment; repeating it after a lost answer "
        "(within 15 minutes) gets the same node a new credential",
    )


class EnrolResponse(Message):
    protocol_version: int
    store: StoreConfigV1
    node_id: Identifier
    credential: str = Field(description="Bearer credential for every later sync request")


class CredentialRotated(Message):
    """A node's new credential (shown once); the old one works until this one is first used."""

    credential: str
