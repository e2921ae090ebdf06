"""`HttpPaymentTerminal`: the payment terminal port over the simulated acquirer's HTTP API
(`vectis acquirer-sim`, docs/payments.md), reached like a real gateway, so a cut link cuts
cards too.

Errors, as the port draws them:
    httpx.TransportError (refused, reset, timed out, cut mid-answer) -> AcquirerUnreachable
    a 5xx, a body that is not the API's, any refusal of the request    -> AcquirerError
    a declined card or refund                                         -> PaymentResult(success=False)

Each call opens its own connection (no pool kept across calls): a till makes few card calls,
and a connection that a cut line left half-open is never reused. The TLS context (the trust
store read from disk) is built once per terminal, not per call: building it cost about as much
CPU as the rest of a card payment (a py-spy profile of the demo's replay).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

import httpx

from edge.payments.port import (
    AcquirerError,
    AcquirerUnreachable,
    PaymentResult,
    PaymentStatus,
)
from shared.errors import SharedError
from shared.money import Money

if TYPE_CHECKING:
    from edge.payments.port import PaymentTerminal
    from edge.settings import EdgeSettings

_STATUSES: frozenset[str] = frozenset({"authorized", "captured", "voided", "refunded", "declined"})


class HttpPaymentTerminal:
    """The simulated acquirer at `base_url` (`http://127.0.0.1:PORT`), authenticated by
    `api_key`; each call waits at most `timeout_s` seconds (connect `connect_timeout_s`)
    before it raises AcquirerUnreachable."""

    gateway_name = "vectis-acquirer-sim"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout_s: float = 10.0,
        connect_timeout_s: float = 3.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._timeout = httpx.Timeout(timeout_s, connect=connect_timeout_s)
        self._transport = transport
        self._tls = httpx.create_ssl_context(trust_env=False)

    async def authorize(
        self, amount: Money, card: str, *, idempotency_key: str, reference: str
    ) -> PaymentResult:
        """Hold `amount` on `card`; the result's transaction_id is the payment to capture."""
        return await self._pay(amount, card, False, idempotency_key, reference)

    async def charge(
        self, amount: Money, card: str, *, idempotency_key: str, reference: str
    ) -> PaymentResult:
        """Authorize and capture `amount` on `card` in one call."""
        return await self._pay(amount, card, True, idempotency_key, reference)

    async def capture(
        self, transaction_id: str, amount: Money, *, idempotency_key: str
    ) -> PaymentResult:
        """Capture `amount` of the authorized payment `transaction_id`."""
        body = {"amount": str(amount.amount), "idempotency_key": idempotency_key}
        answer = await self._post(f"/v1/payments/{transaction_id}/capture", body)
        return _result(answer, idempotency_key)

    async def void(self, transaction_id: str, *, idempotency_key: str) -> PaymentResult:
        """Release the authorized payment `transaction_id`."""
        answer = await self._post(
            f"/v1/payments/{transaction_id}/void", {"idempotency_key": idempotency_key}
        )
        return _result(answer, idempotency_key)

    async def refund(
        self, transaction_id: str, amount: Money, *, idempotency_key: str
    ) -> PaymentResult:
        """Refund `amount` of the captured payment `transaction_id`; the result's
        transaction_id is the refund's id, `success=False` with `refund_exceeds_capture`
        beyond what is left to refund."""
        body = {"amount": str(amount.amount), "idempotency_key": idempotency_key}
        answer = await self._post(f"/v1/payments/{transaction_id}/refunds", body)
        return _result(answer, idempotency_key)

    async def find(self, idempotency_key: str) -> PaymentResult | None:
        """The result recorded under `idempotency_key` (`replayed=True`), None when the
        acquirer never saw it."""
        status, answer = await self._request("GET", f"/v1/operations/{idempotency_key}", None)
        if status == 404 and answer.get("error") == "operation_not_found":
            return None
        _check(status, answer)
        return _result(answer, idempotency_key)

    async def _pay(
        self, amount: Money, card: str, capture: bool, idempotency_key: str, reference: str
    ) -> PaymentResult:
        body = {
            "amount": str(amount.amount),
            "currency": amount.currency,
            "card": card,
            "capture": capture,
            "idempotency_key": idempotency_key,
            "reference": reference,
        }
        return _result(await self._post("/v1/payments", body), idempotency_key)

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        status, answer = await self._request("POST", path, body)
        _check(status, answer)
        return answer

    async def _request(
        self, method: str, path: str, body: dict[str, Any] | None
    ) -> tuple[int, dict[str, Any]]:
        try:
            async with httpx.AsyncClient(
                base_url=self.base_url,
                headers=self._headers,
                timeout=self._timeout,
                transport=self._transport,
                verify=self._tls,
                trust_env=False,
            ) as client:
                response = await client.request(method, path, json=body)
        except httpx.TransportError as error:
            raise AcquirerUnreachable(
                f"{method} {path}: no answer from the acquirer ({type(error).__name__})"
            ) from error
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise AcquirerError(
                f"{method} {path}: {response.status_code}, not a JSON object: "
                f"{response.text[:200]!r}"
            )
        return response.status_code, answer


def _check(status: int, answer: dict[str, Any]) -> None:
    """Raises AcquirerError for anything but a 2xx answer."""
    if not 200 <= status < 300:
        raise AcquirerError(
            f"acquirer answered {status} {answer.get('error', '?')}: {answer.get('detail', '')}"
        )


def _result(answer: dict[str, Any], idempotency_key: str) -> PaymentResult:
    """A payment or refund body -> PaymentResult. Raises AcquirerError for a body that is
    not one."""
    try:
        status = str(answer["status"])
        if status not in _STATUSES:
            raise AcquirerError(f"unknown payment status {status!r}")
        currency = str(answer["currency"])
        if "refund_id" in answer:
            moved, transaction_id = answer["amount"], answer["refund_id"]
        elif status == "captured":
            moved, transaction_id = answer["captured"], answer["payment_id"]
        else:
            moved, transaction_id = answer["amount"], answer["payment_id"]
        return PaymentResult(
            success=status != "declined",
            status=cast(PaymentStatus, status),
            idempotency_key=str(answer.get("idempotency_key") or idempotency_key),
            amount=Money(Decimal(str(moved)), currency),
            transaction_id=str(transaction_id),
            decline_code=answer.get("decline_code"),
            message=answer.get("decline_code"),
            brand=answer.get("brand"),
            last4=answer.get("last4"),
            held_for_review=bool(answer.get("held_for_review", False)),
            replayed=bool(answer.get("replayed", False)),
        )
    except (KeyError, TypeError, InvalidOperation, SharedError) as error:
        raise AcquirerError(f"the acquirer's answer is not a payment: {error!r}") from error


def terminal_from_settings(settings: EdgeSettings) -> PaymentTerminal | None:
    """The store's card terminal: an HttpPaymentTerminal on `acquirer_url` with
    `acquirer_api_key`, or None when no acquirer is configured (the till takes no cards)."""
    if settings.acquirer_url is None:
        return None
    key = settings.acquirer_api_key.get_secret_value() if settings.acquirer_api_key else ""
    return HttpPaymentTerminal(
        settings.acquirer_url,
        key,
        timeout_s=settings.acquirer_timeout_s,
        connect_timeout_s=settings.acquirer_connect_timeout_s,
    )
