"""Shared pieces of the edge API's bodies: constrained texts, sanity caps, the strict base."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

TillId = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")
]
SkuText = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=64)]

# Sanity caps, not business limits: far beyond any till, and with MAX_LINE_QUANTITY every
# amount stays well inside the 64-bit minor units SQLite and PostgreSQL store.
MAX_UNIT_PRICE = Decimal(10_000_000)
MAX_AMOUNT = Decimal(1_000_000_000)


class Body(BaseModel):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")
