"""What every sync message shares: the protocol version, the base models, constrained texts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# The bounded types (shared.bounds) wire messages use, under the names they always had.
from shared.bounds import CurrencyCode as CurrencyCode
from shared.bounds import Identifier as Identifier
from shared.bounds import LongText as LongText
from shared.bounds import ShortText as ShortText
from shared.bounds import Sku as Sku
from shared.bounds import TillId as TillId

PROTOCOL_VERSION = 1


class Message(BaseModel):
    """Base of every wire message. Unknown fields are ignored: a newer peer may add fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Payload(BaseModel):
    """Base of event payloads. Unknown fields are ignored so newer writers stay readable."""

    model_config = ConfigDict(extra="ignore", frozen=True)
