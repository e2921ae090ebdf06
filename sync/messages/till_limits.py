"""The `store` feed entity: the store's configuration and the till limits HQ set for it."""

from __future__ import annotations

from pydantic import Field

from shared.money import DecimalText
from shared.till_limits import LINE_QUANTITY_CEILING
from sync.messages.base import Payload
from sync.messages.enrolment import StoreConfigV1


class TillLimitsV1(Payload):
    """The limits HQ set for a store's tills (shared.till_limits); a field absent or null: HQ
    did not set it, and the default applies. Amounts are in the store's currency."""

    no_receipt_refund_over: DecimalText | None = Field(
        default=None, description="A refund without a receipt above this needs HQ's approval"
    )
    line_quantity_max: int | None = Field(
        default=None, ge=1, le=LINE_QUANTITY_CEILING, description="Units on one line, at most"
    )
    line_amount_max: DecimalText | None = Field(
        default=None, description="One line's total, at most"
    )
    sale_total_max: DecimalText | None = Field(
        default=None, description="One sale's total, at most"
    )
    no_receipt_above_catalogue_price: bool | None = Field(
        default=None,
        description="Whether a refund without a receipt may refund more per unit than the "
        "catalogue's current price (null: the default, no)",
    )


class StoreFeedConfigV1(StoreConfigV1):
    """What the `store` entity of the feed carries: the configuration a node gets at
    enrolment (StoreConfigV1, with `refund_approval_over`: absent, the default) and the
    other till limits. A node older than `till_limits` ignores it."""

    till_limits: TillLimitsV1 = Field(default_factory=TillLimitsV1)
