"""Bodies of the tender routes: offline card limits, the card payment log, balance enquiry."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from edge.domain.card_payments import CardPayment
from edge.jobs.card_forwarder import ForwardRun
from edge.service.card_payments import OfflineCardStatus
from edge.service.tendering import BalanceEnquiry
from shared.money import DecimalText


class OfflineCardsOut(BaseModel):
    """A till's offline card position, for the cashier's screen."""

    till_id: str
    currency: str
    card_terminal: bool = Field(description="Whether this till has a card terminal at all")
    transaction_max: DecimalText = Field(description="Most one card may be taken offline")
    till_max: DecimalText = Field(description="Most the till may hold not yet forwarded")
    hours: int = Field(description="Hours a card taken offline has to be forwarded")
    outstanding: DecimalText = Field(description="Taken offline, not yet forwarded")
    headroom: DecimalText = Field(description="Most the next offline card may be")
    stored: int = Field(description="Cards taken offline, not yet forwarded")
    oldest_deadline: datetime | None = Field(description="When the oldest must be forwarded")
    gift_card_offline_max: DecimalText
    store_credit_offline_max: DecimalText

    @classmethod
    def of(cls, till_id: str, status: OfflineCardStatus, terminal: bool) -> OfflineCardsOut:
        limits = status.limits
        return cls(
            till_id=till_id,
            currency=status.outstanding.currency,
            card_terminal=terminal,
            transaction_max=limits.card_transaction_max.amount,
            till_max=limits.card_till_max.amount,
            hours=limits.card_hours,
            outstanding=status.outstanding.amount,
            headroom=status.headroom.amount,
            stored=status.stored,
            oldest_deadline=status.oldest_deadline,
            gift_card_offline_max=limits.gift_card_max.amount,
            store_credit_offline_max=limits.store_credit_max.amount,
        )


class CardPaymentOut(BaseModel):
    """One card charge or refund the till asked for (never the card number)."""

    tender_id: UUID
    operation: str
    till_id: str
    status: str = Field(
        description="pending, captured, refunded, declined, stored (offline), settled "
        "(a stored one forwarded or expired: see outcome), reversed"
    )
    outcome: str | None
    amount: DecimalText
    currency: str
    document_id: UUID | None
    tender_no: int | None
    transaction_id: str | None
    decline_code: str | None
    brand: str | None
    last4: str | None
    taken_at: datetime
    deadline: datetime | None
    settled_at: datetime | None

    @classmethod
    def of(cls, payment: CardPayment) -> CardPaymentOut:
        return cls(
            tender_id=payment.tender_id,
            operation=payment.operation,
            till_id=payment.till_id,
            status=payment.status,
            outcome=payment.outcome,
            amount=payment.amount.amount,
            currency=payment.amount.currency,
            document_id=payment.document_id,
            tender_no=payment.tender_no,
            transaction_id=payment.transaction_id,
            decline_code=payment.decline_code,
            brand=payment.brand,
            last4=payment.last4,
            taken_at=payment.taken_at,
            deadline=payment.deadline,
            settled_at=payment.settled_at,
        )


class ForwardOut(BaseModel):
    """What one forwarding run did."""

    forwarded: int
    declined: int
    expired: int
    reversed: int
    left: int = Field(description="Still stored when the run stopped")
    reachable: bool = Field(description="Whether the acquirer answered")

    @classmethod
    def of(cls, run: ForwardRun) -> ForwardOut:
        return cls(
            forwarded=run.forwarded,
            declined=run.declined,
            expired=run.expired,
            reversed=run.reversed,
            left=run.left,
            reachable=run.reachable,
        )


class BalanceOut(BaseModel):
    """A gift card's or store-credit account's balance at the till."""

    kind: str
    account: str
    balance: DecimalText
    currency: str
    as_of: datetime
    source: str = Field(description="hub (asked live) or last_known (the hub out of reach)")
    offline_allowance: DecimalText = Field(description="Most that may be spent offline now")
    blocked: bool

    @classmethod
    def of(cls, enquiry: BalanceEnquiry) -> BalanceOut:
        return cls(
            kind=enquiry.kind,
            account=enquiry.account,
            balance=enquiry.balance.amount,
            currency=enquiry.balance.currency,
            as_of=enquiry.as_of,
            source=enquiry.source,
            offline_allowance=enquiry.allowance.amount,
            blocked=enquiry.blocked,
        )
