"""What the simulated acquirer does with each request: payments, captures, voids, refunds,
the first answer again for a key seen before, and the settlement report of a day.

Every money-moving call is one transaction of `AcquirerStore` that also records the answer
under the request's idempotency key. A key seen before answers that first result again
(`replayed: true`); the same key with a different request raises IdempotencyKeyReused.
Amounts are integer minor units inside, decimal strings in bodies (shared.money).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from shared.errors import SharedError
from shared.money import MINOR_UNITS, Money
from vectis.acquirer.clock import AcquirerClock
from vectis.acquirer.errors import (
    IdempotencyKeyReused,
    InvalidAmount,
    InvalidState,
    OperationNotFound,
    PaymentNotFound,
    SeveralCurrencies,
    UnsupportedCurrency,
)
from vectis.acquirer.rules import brand_of, last4_of, payment_outcome
from vectis.acquirer.store import AcquirerStore

Answer = tuple[int, dict[str, Any]]
"""An HTTP status and a JSON body."""


def text(amount_minor: int, currency: str) -> str:
    """Integer minor units as the decimal string bodies carry ("12.50", "1200" JPY)."""
    return str(Money.from_minor(amount_minor, currency).amount)


def to_minor_exact(amount: Decimal, currency: str) -> int:
    """A positive amount, exact in `currency`, as integer minor units. Raises
    UnsupportedCurrency, InvalidAmount."""
    if currency not in MINOR_UNITS:
        raise UnsupportedCurrency(f"{currency} is not a currency the simulator knows")
    try:
        money = Money.exact(amount, currency)
    except SharedError as error:
        raise InvalidAmount(str(error)) from None
    if money.amount <= 0:
        raise InvalidAmount(f"an amount must be more than zero, got {amount}")
    return money.minor


def _fingerprint(operation: str, request: dict[str, Any]) -> str:
    canonical = json.dumps({"operation": operation, **request}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def payment_body(payment: dict[str, Any], idempotency_key: str, operation: str) -> dict[str, Any]:
    """A payment as the API shows it, answering `operation` sent under `idempotency_key`."""
    currency = payment["currency"]
    return {
        "operation": operation,
        "payment_id": payment["payment_id"],
        "status": payment["status"],
        "decline_code": payment["decline_code"],
        "amount": text(payment["amount_minor"], currency),
        "currency": currency,
        "captured": text(payment["captured_minor"], currency),
        "refunded": text(payment["refunded_minor"], currency),
        "brand": payment["brand"],
        "last4": payment["last4"],
        "held_for_review": bool(payment["held_for_review"]),
        "reference": payment["reference"],
        "idempotency_key": idempotency_key,
        "created_at": payment["created_at"],
        "replayed": False,
    }


class Acquirer:
    """The simulator's use cases over its store; `default_currency` names the settlement
    report's currency on a day without payments."""

    def __init__(
        self, store: AcquirerStore, clock: AcquirerClock, default_currency: str = "GBP"
    ) -> None:
        self.store = store
        self.clock = clock
        self.default_currency = default_currency

    def _once(
        self, key: str, operation: str, request: dict[str, Any], act: Callable[[str], Answer]
    ) -> Answer:
        """Run `act(now)` and record its answer under `key`, in one transaction; a key seen
        before answers its first result (200, replayed) or raises IdempotencyKeyReused."""
        fingerprint = _fingerprint(operation, request)
        with self.store.transaction():
            recorded = self.store.operation(key)
            if recorded is not None:
                if recorded.fingerprint != fingerprint:
                    raise IdempotencyKeyReused(
                        f"idempotency key {key!r} was first used for another request "
                        f"({recorded.operation})"
                    )
                return 200, {**recorded.body, "replayed": True}
            now = self.clock.now().isoformat()
            status, body = act(now)
            self.store.record_operation(key, operation, fingerprint, status, body, now)
            return status, body

    def _payment(self, payment_id: str) -> dict[str, Any]:
        payment = self.store.payment(payment_id)
        if payment is None:
            raise PaymentNotFound(f"no payment {payment_id!r}")
        return payment

    def _capture_entry(
        self, payment: dict[str, Any], amount_minor: int, key: str, now: str
    ) -> None:
        self.store.add_ledger_entry(
            {
                "kind": "capture",
                "day": now[:10],
                "at": now,
                "payment_id": payment["payment_id"],
                "refund_id": None,
                "amount_minor": amount_minor,
                "currency": payment["currency"],
                "reference": payment["reference"],
                "idempotency_key": key,
                "held_for_review": payment["held_for_review"],
            }
        )

    def create_payment(
        self,
        amount: Decimal,
        currency: str,
        card: str,
        capture: bool,
        idempotency_key: str,
        reference: str,
    ) -> Answer:
        """POST /v1/payments: authorize (and with `capture`, capture) `amount` on `card`.
        201 with the payment: `authorized`, `captured` or `declined` (docs/payments.md)."""
        amount_minor = to_minor_exact(amount, currency)
        request = {
            "amount_minor": amount_minor,
            "currency": currency,
            "card": card,
            "capture": capture,
            "reference": reference,
        }

        def act(now: str) -> Answer:
            outcome = payment_outcome(card, amount_minor)
            if outcome.decline_code is not None:
                status = "declined"
            else:
                status = "captured" if capture else "authorized"
            payment = {
                "payment_id": f"pay_{secrets.token_hex(12)}",
                "status": status,
                "decline_code": outcome.decline_code,
                "amount_minor": amount_minor,
                "currency": currency,
                "captured_minor": amount_minor if status == "captured" else 0,
                "refunded_minor": 0,
                "brand": brand_of(card),
                "last4": last4_of(card),
                "held_for_review": int(outcome.held_for_review),
                "reference": reference,
                "idempotency_key": idempotency_key,
                "created_at": now,
            }
            self.store.insert_payment(payment)
            if status == "captured":
                self._capture_entry(payment, amount_minor, idempotency_key, now)
            return 201, payment_body(payment, idempotency_key, "payment")

        return self._once(idempotency_key, "payment", request, act)

    def capture(self, payment_id: str, amount: Decimal | None, idempotency_key: str) -> Answer:
        """POST /v1/payments/{id}/capture: take `amount` (default: all) of an authorized
        payment. Raises PaymentNotFound, InvalidState (not authorized), InvalidAmount."""
        request = {
            "payment_id": payment_id,
            "amount": None if amount is None else str(amount.normalize()),
        }

        def act(now: str) -> Answer:
            payment = self._payment(payment_id)
            if payment["status"] != "authorized":
                raise InvalidState(f"payment {payment_id} is {payment['status']}, not authorized")
            amount_minor = payment["amount_minor"]
            if amount is not None:
                amount_minor = to_minor_exact(amount, payment["currency"])
                if amount_minor > payment["amount_minor"]:
                    raise InvalidAmount(
                        f"{amount} is more than the {text(payment['amount_minor'], payment['currency'])} authorized"
                    )
            self.store.update_payment(payment_id, status="captured", captured_minor=amount_minor)
            payment.update(status="captured", captured_minor=amount_minor)
            self._capture_entry(payment, amount_minor, idempotency_key, now)
            return 200, payment_body(payment, idempotency_key, "capture")

        return self._once(idempotency_key, "capture", request, act)

    def void(self, payment_id: str, idempotency_key: str) -> Answer:
        """POST /v1/payments/{id}/void: release an authorized payment. Raises
        PaymentNotFound, InvalidState (captured, declined or voided already)."""

        def act(_now: str) -> Answer:
            payment = self._payment(payment_id)
            if payment["status"] != "authorized":
                raise InvalidState(f"payment {payment_id} is {payment['status']}, not authorized")
            self.store.update_payment(payment_id, status="voided")
            payment["status"] = "voided"
            return 200, payment_body(payment, idempotency_key, "void")

        return self._once(idempotency_key, "void", {"payment_id": payment_id}, act)

    def refund(self, payment_id: str, amount: Decimal, idempotency_key: str) -> Answer:
        """POST /v1/payments/{id}/refunds: pay back `amount` of a captured payment. 201 with
        the refund, `refunded`, or `declined` with `refund_exceeds_capture` when it is more
        than captured less refunded. Raises PaymentNotFound, InvalidAmount."""
        request = {"payment_id": payment_id, "amount": str(amount.normalize())}

        def act(now: str) -> Answer:
            payment = self._payment(payment_id)
            currency = payment["currency"]
            amount_minor = to_minor_exact(amount, currency)
            refundable = payment["captured_minor"] - payment["refunded_minor"]
            declined = amount_minor > refundable
            refund = {
                "refund_id": f"re_{secrets.token_hex(12)}",
                "payment_id": payment_id,
                "status": "declined" if declined else "refunded",
                "decline_code": "refund_exceeds_capture" if declined else None,
                "amount_minor": amount_minor,
                "idempotency_key": idempotency_key,
                "created_at": now,
            }
            self.store.insert_refund(refund)
            if not declined:
                refunded_minor = payment["refunded_minor"] + amount_minor
                self.store.update_payment(payment_id, refunded_minor=refunded_minor)
                self.store.add_ledger_entry(
                    {
                        "kind": "refund",
                        "day": now[:10],
                        "at": now,
                        "payment_id": payment_id,
                        "refund_id": refund["refund_id"],
                        "amount_minor": amount_minor,
                        "currency": currency,
                        "reference": payment["reference"],
                        "idempotency_key": idempotency_key,
                        "held_for_review": 0,
                    }
                )
                refundable -= amount_minor
            return 201, {
                "operation": "refund",
                "refund_id": refund["refund_id"],
                "payment_id": payment_id,
                "amount": text(amount_minor, currency),
                "currency": currency,
                "status": refund["status"],
                "decline_code": refund["decline_code"],
                "refundable": text(refundable, currency),
                "brand": payment["brand"],
                "last4": payment["last4"],
                "reference": payment["reference"],
                "idempotency_key": idempotency_key,
                "created_at": now,
                "replayed": False,
            }

        return self._once(idempotency_key, "refund", request, act)

    def operation(self, idempotency_key: str) -> dict[str, Any]:
        """GET /v1/operations/{key}: the first answer given under the key (`replayed`
        true). Raises OperationNotFound when the simulator never recorded the key."""
        recorded = self.store.operation(idempotency_key)
        if recorded is None:
            raise OperationNotFound(f"no operation under idempotency key {idempotency_key!r}")
        return {**recorded.body, "replayed": True}

    def settlement(
        self, day: str, reference_prefix: str | None, currency: str | None
    ) -> dict[str, Any]:
        """GET /v1/settlements/{day}: the captures and refunds of the UTC `day`
        (YYYY-MM-DD), in one currency, with totals and per store (the reference up to its
        first `/`). Raises SeveralCurrencies when the day has several and none is named."""
        entries = self.store.ledger_of_day(day, reference_prefix)
        currencies = {entry["currency"] for entry in entries}
        if currency is None:
            if len(currencies) > 1:
                raise SeveralCurrencies(f"{day} holds {', '.join(sorted(currencies))}")
            currency = currencies.pop() if currencies else self.default_currency
        if currency not in MINOR_UNITS:
            raise UnsupportedCurrency(f"{currency} is not a currency the simulator knows")
        entries = [entry for entry in entries if entry["currency"] == currency]
        totals: dict[str, list[int]] = {}
        items = []
        for entry in entries:
            store_totals = totals.setdefault(entry["reference"].split("/", 1)[0], [0, 0])
            store_totals[entry["kind"] == "refund"] += entry["amount_minor"]
            items.append(
                {
                    "kind": entry["kind"],
                    "payment_id": entry["payment_id"],
                    "refund_id": entry["refund_id"],
                    "amount": text(entry["amount_minor"], currency),
                    "reference": entry["reference"],
                    "idempotency_key": entry["idempotency_key"],
                    "held_for_review": bool(entry["held_for_review"]),
                    "at": entry["at"],
                }
            )
        captured = sum(captured for captured, _ in totals.values())
        refunded = sum(refunded for _, refunded in totals.values())
        return {
            "day": day,
            "currency": currency,
            "captured": text(captured, currency),
            "refunded": text(refunded, currency),
            "net": text(captured - refunded, currency),
            "count": len(items),
            "items": items,
            "by_reference": {
                prefix: {
                    "captured": text(store_captured, currency),
                    "refunded": text(store_refunded, currency),
                    "net": text(store_captured - store_refunded, currency),
                }
                for prefix, (store_captured, store_refunded) in sorted(totals.items())
            },
        }
