"""Cash moved in or out of a till's drawer other than by a sale or a refund."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.bounds import LedgerDecimal
from sync.messages.base import CurrencyCode, LongText, Payload, TillId

CashMovementKind = Literal["float", "paid_in", "paid_out", "pickup"]


class CashMovedV1(Payload):
    """Cash put into or taken out of a till's drawer other than by a sale or a refund: the
    opening float, a paid-in, a paid-out (a window cleaner paid from the till), a pickup (notes
    taken to the safe). An append-only fact like a sale."""

    movement_id: UUID
    till_id: TillId
    kind: CashMovementKind
    amount: LedgerDecimal = Field(description="Positive; the kind says which way it went")
    currency: CurrencyCode
    reason: LongText
    business_day: date
    business_time: AwareDatetime
