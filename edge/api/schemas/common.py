"""Shared pieces of the edge API's bodies: the bounded types they use, the strict base."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# Every field of a request takes a bounded type of shared.bounds (its table says why each
# bound): whatever a till sends that a PostgreSQL hub could not hold is a 422 here.
from shared.bounds import Reference as Reference
from shared.bounds import Sku
from shared.bounds import TillId as TillId

SkuText = Sku


class Body(BaseModel):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")
