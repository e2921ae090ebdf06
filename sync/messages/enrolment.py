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


CredentialHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""Hex SHA-256 of a credential, in lowercase."""

MAX_AGE_DESCRIPTION = (
    "Maximum age of the credential in seconds (HQ's setting; None: it never expires); the "
    "node rotates it after two thirds of it"
)


class EnrolRequest(Message):
    protocol_version: int
    token: Annotated[str, StringConstraints(min_length=16, max_length=256)]
    node_name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    credential_hash: CredentialHash | None = Field(
        None,
        description="SHA-256 (hex) of the credential the node made for itself (256 random "
        "bits); the hub keeps only this and answers no credential. Repeating the same token "
        "and hash after a lost answer gets the same node back until the node first "
        "authenticates; absent: the hub makes the credential and answers it once",
    )


class EnrolResponse(Message):
    protocol_version: int
    store: StoreConfigV1
    node_id: Identifier
    credential: str | None = Field(
        None,
        description="Bearer credential for every later sync request, when the hub made it "
        "(shown once); absent when the node proposed its own",
    )
    credential_max_age_s: int | None = Field(None, description=MAX_AGE_DESCRIPTION)


class CredentialRotated(Message):
    """A node's new credential (shown once); the old one works until this one is first used."""

    credential: str
    credential_max_age_s: int | None = Field(None, description=MAX_AGE_DESCRIPTION)
