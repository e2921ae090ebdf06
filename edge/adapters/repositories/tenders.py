"""Repositories of tenders beyond cash: the till's card payment log, and the stored-value
balances (gift cards, store credit) the store last knew."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnClause, Connection, Row, func, literal_column, select

from edge.adapters import tables
from edge.domain.card_payments import CardPayment, PaymentState
from shared.money import Money

_PAYMENT = tables.card_payment
# SQLite's rowid: the order the payments were written in (a driven clock may stand still).
_TAKEN_ORDER: ColumnClause[Any] = literal_column("card_payment.rowid")


class CardPaymentRepository:
    """The payment log (edge.domain.card_payments): one row per card charge or refund."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, tender_id: UUID) -> CardPayment | None:
        row = self._connection.execute(
            select(_PAYMENT).where(_PAYMENT.c.tender_id == str(tender_id))
        ).first()
        return _payment(row) if row else None

    def add(self, payment: CardPayment) -> None:
        self._connection.execute(_PAYMENT.insert().values(**_row(payment)))

    def save(self, payment: CardPayment) -> None:
        """Write every field of `payment` over its row."""
        values = _row(payment)
        del values["tender_id"]
        self._connection.execute(
            _PAYMENT.update().where(_PAYMENT.c.tender_id == str(payment.tender_id)).values(**values)
        )

    def of_cart(self, cart_id: UUID) -> list[CardPayment]:
        rows = self._connection.execute(
            select(_PAYMENT).where(_PAYMENT.c.cart_id == str(cart_id)).order_by(_PAYMENT.c.taken_at)
        )
        return [_payment(row) for row in rows]

    def with_status(
        self,
        statuses: Iterable[PaymentState],
        *,
        till_id: str | None = None,
        documented: bool | None = None,
        limit: int = 500,
    ) -> list[CardPayment]:
        """Payments in `statuses`, oldest first (the order a forwarder sends them); with
        `documented`, only those whose sale or return is recorded (True) or not yet, or never
        (False). The filter is in the query: the oldest `limit` rows must not be spent on
        payments a caller skips (a store's thousandth card payment is still found)."""
        query = select(_PAYMENT).where(_PAYMENT.c.status.in_(list(statuses)))
        if till_id is not None:
            query = query.where(_PAYMENT.c.till_id == till_id)
        if documented is not None:
            document = _PAYMENT.c.document_id
            query = query.where(document.is_not(None) if documented else document.is_(None))
        rows = self._connection.execute(
            query.order_by(_PAYMENT.c.taken_at, _TAKEN_ORDER).limit(limit)
        )
        return [_payment(row) for row in rows]

    def count_with_status(self, statuses: Iterable[PaymentState]) -> int:
        """How many payments are in `statuses`."""
        return int(
            self._connection.execute(
                select(func.count())
                .select_from(_PAYMENT)
                .where(_PAYMENT.c.status.in_(list(statuses)))
            ).scalar_one()
        )

    def outstanding(self, till_id: str, currency: str) -> Money:
        """The till's card charges taken offline and not yet forwarded (status stored)."""
        total = self._connection.execute(
            select(func.coalesce(func.sum(_PAYMENT.c.amount_minor), 0)).where(
                _PAYMENT.c.till_id == till_id,
                _PAYMENT.c.status == "stored",
                _PAYMENT.c.operation == "charge",
            )
        ).scalar_one()
        return Money.from_minor(int(total), currency)

    def attach(self, tender_id: UUID, document_id: UUID, tender_no: int) -> None:
        """Name the sale or return that holds the payment."""
        self._connection.execute(
            _PAYMENT.update()
            .where(_PAYMENT.c.tender_id == str(tender_id))
            .values(document_id=str(document_id), tender_no=tender_no)
        )


def _row(payment: CardPayment) -> dict[str, Any]:
    def text(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    def ident(value: UUID | None) -> str | None:
        return str(value) if value is not None else None

    return {
        "tender_id": str(payment.tender_id),
        "operation": payment.operation,
        "till_id": payment.till_id,
        "cart_id": ident(payment.cart_id),
        "document_id": ident(payment.document_id),
        "tender_no": payment.tender_no,
        "amount_minor": payment.amount.minor,
        "currency": payment.amount.currency,
        "card_token": payment.card_token,
        "original_transaction_id": payment.original_transaction_id,
        "status": payment.status,
        "outcome": payment.outcome,
        "transaction_id": payment.transaction_id,
        "decline_code": payment.decline_code,
        "brand": payment.brand,
        "last4": payment.last4,
        "taken_at": payment.taken_at.isoformat(),
        "deadline": text(payment.deadline),
        "settled_at": text(payment.settled_at),
    }


def _payment(row: Row[Any]) -> CardPayment:
    def when(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return CardPayment(
        tender_id=UUID(row.tender_id),
        operation=row.operation,
        till_id=row.till_id,
        amount=Money.from_minor(row.amount_minor, row.currency),
        status=row.status,
        taken_at=datetime.fromisoformat(row.taken_at),
        cart_id=UUID(row.cart_id) if row.cart_id else None,
        document_id=UUID(row.document_id) if row.document_id else None,
        tender_no=row.tender_no,
        card_token=row.card_token,
        original_transaction_id=row.original_transaction_id,
        outcome=row.outcome,
        transaction_id=row.transaction_id,
        decline_code=row.decline_code,
        brand=row.brand,
        last4=row.last4,
        deadline=when(row.deadline),
        settled_at=when(row.settled_at),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class KnownBalance:
    """A stored-value account as this store last knew it: `balance` after the hub's last
    answer (`as_of`) and this store's movements since; `spent_offline` since that answer."""

    kind: str
    account: str
    balance: Money
    spent_offline: Money
    as_of: datetime
    blocked: bool


_VALUE = tables.stored_value


class StoredValueRepository:
    """Balances of gift cards and store credit this store last knew (the offline rule)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, kind: str, account: str, currency: str) -> KnownBalance | None:
        row = self._connection.execute(
            select(_VALUE).where(_VALUE.c.kind == kind, _VALUE.c.account == account)
        ).first()
        if row is None:
            return None
        return KnownBalance(
            kind=row.kind,
            account=row.account,
            balance=Money.from_minor(row.balance_minor, currency),
            spent_offline=Money.from_minor(row.spent_offline_minor, currency),
            as_of=datetime.fromisoformat(row.as_of),
            blocked=bool(row.blocked),
        )

    def heard(
        self, kind: str, account: str, balance: Money, as_of: datetime, blocked: bool
    ) -> None:
        """The hub's live answer: the balance it holds; offline spending starts again at 0."""
        values = {
            "balance_minor": balance.minor,
            "spent_offline_minor": 0,
            "as_of": as_of.isoformat(),
            "blocked": int(blocked),
        }
        updated = self._connection.execute(
            _VALUE.update()
            .where(_VALUE.c.kind == kind, _VALUE.c.account == account)
            .values(**values)
        ).rowcount
        if not updated:
            self._connection.execute(_VALUE.insert().values(kind=kind, account=account, **values))

    def moved(self, kind: str, account: str, change: Money, *, offline: bool, at: datetime) -> None:
        """This store moved `change` (signed: negative spends, positive loads or re-credits)
        on the account; spent offline, it also counts towards the offline allowance. An
        account first seen here (a gift card activated here) starts at `change`."""
        spent = -change.minor if offline and change.is_negative() else 0
        updated = self._connection.execute(
            _VALUE.update()
            .where(_VALUE.c.kind == kind, _VALUE.c.account == account)
            .values(
                balance_minor=_VALUE.c.balance_minor + change.minor,
                spent_offline_minor=_VALUE.c.spent_offline_minor + spent,
            )
        ).rowcount
        if not updated:
            self._connection.execute(
                _VALUE.insert().values(
                    kind=kind,
                    account=account,
                    balance_minor=change.minor,
                    spent_offline_minor=spent,
                    as_of=at.isoformat(),
                    blocked=0,
                )
            )

    def unsynced_spend(self, kind: str, account: str, currency: str) -> Money:
        """What this store's sales spent of the account that the hub has not acknowledged
        yet (their events still in the outbox): a live balance does not include it."""
        acked = select(tables.node.c.acked_seq).scalar_subquery()
        total = self._connection.execute(
            select(func.coalesce(func.sum(tables.tender.c.amount_minor), 0))
            .select_from(
                tables.tender.join(
                    tables.sale, tables.sale.c.sale_id == tables.tender.c.document_id
                )
            )
            .where(
                tables.tender.c.kind == kind,
                tables.tender.c.account == account,
                tables.sale.c.event_seq > acked,
            )
        ).scalar_one()
        return Money.from_minor(int(total), currency)
