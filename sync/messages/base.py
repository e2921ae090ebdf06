"""What every sync message shares: the protocol version, the base models, constrained texts."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

PROTOCOL_VERSION = 1


Sku = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ShortText = Annotated[str, StringConstraints(max_length=64)]
TillId = Annotated[str, StringConstraints(min_length=1, max_length=32)]
LongText = Annotated[str, StringConstraints(max_length=500)]
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Message(BaseModel):
    """Base of every wire message. Unknown fields are ignored: a newer peer may add fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Payload(BaseModel):
    """Base of event payloads. Unknown fields are ignored so newer writers stay readable."""

    model_config = ConfigDict(extra="ignore", frozen=True)
