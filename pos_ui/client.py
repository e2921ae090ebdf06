"""The till's only way to its edge node: a typed HTTP client over the edge's till API.

Every call carries the till session's token once signed in. Ids the edge keys retries by
(cart, line, scan) are chosen here, before the request, so a request retried after a
network blip or an edge restart is the same request: never a doubled line or charge.

Errors: `EdgeRefused` (the edge answered an error body: `status`, `code`, `detail`),
`EdgeUnreachable` (no answer: the edge process is down or restarting).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import httpx
from pydantic import BaseModel

from pos_ui.models import Cart, NodeStatus, OfflineCards, Sale, Scanned, Session, Shift

M = TypeVar("M", bound=BaseModel)


class EdgeRefused(Exception):
    """The edge refused the request: its HTTP status, error code and detail."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail


class EdgeUnreachable(Exception):
    """The edge did not answer (down, restarting, or the connection was cut)."""


class TillClient:
    """The edge at `base_url`, for till `till_id`. `timeout_s` bounds each request; a
    `transport` replaces the network (an app served in-process)."""

    def __init__(
        self,
        base_url: str,
        till_id: str,
        *,
        timeout_s: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.till_id = till_id
        self.session: Session | None = None
        self._currency: str | None = None
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout_s, transport=transport, trust_env=False
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # Sessions

    async def sign_in(self, staff_code: str, pin: str) -> Session:
        """Sign in at this till. Raises EdgeRefused (401 `wrong_pin`, 409 `staff_locked`,
        404 unknown staff...)."""
        body = {"till_id": self.till_id, "staff_code": staff_code, "pin": pin}
        self.session = await self.call(Session, "POST", "/v1/till-sessions", json=body)
        return self.session

    async def sign_out(self) -> None:
        """End the session (the edge forgets the token); signed out here whatever it says."""
        try:
            await self.request("DELETE", "/v1/till-sessions/current")
        finally:
            self.session = None

    # Shifts

    async def current_shift(self) -> Shift | None:
        """The till's open shift, or None (the edge answers 409 `no_open_shift`)."""
        try:
            return await self.call(
                Shift, "GET", "/v1/shifts/current", params={"till_id": self.till_id}
            )
        except EdgeRefused as refused:
            if refused.code == "no_open_shift":
                return None
            raise

    async def open_shift(
        self,
        shift_id: UUID,
        *,
        float_total: Decimal | None = None,
        float_counts: Mapping[str, int] | None = None,
    ) -> Shift:
        """Open the till's shift `shift_id` (client-chosen: a retry opens nothing more) with
        the float as a total or by denomination ({"20": 3, "0.50": 4})."""
        body: dict[str, Any] = {"till_id": self.till_id, "shift_id": str(shift_id)}
        if float_counts is not None:
            body["float_counts"] = dict(float_counts)
        else:
            body["float_total"] = str(float_total if float_total is not None else Decimal(0))
        return await self.call(Shift, "POST", "/v1/shifts", json=body)

    async def currency(self) -> str:
        """The store's currency (ISO 4217), as the node says; asked once."""
        if self._currency is None:
            self._currency = (await self.status()).currency or "GBP"
        return self._currency

    # The sale

    async def open_cart(self, cart_id: UUID, customer_id: str | None = None) -> Cart:
        """Open (or, retried, find) the cart of id `cart_id`."""
        body = {"cart_id": str(cart_id), "till_id": self.till_id, "customer_id": customer_id}
        return await self.call(Cart, "POST", "/v1/carts", json=body)

    async def cart(self, cart_id: UUID) -> Cart:
        return await self.call(Cart, "GET", f"/v1/carts/{cart_id}")

    async def scan(
        self,
        cart_id: UUID,
        code: str,
        scan_id: UUID,
        *,
        weigh: bool = False,
        gift_card_number: str | None = None,
    ) -> Scanned:
        """Ring up what the scan field holds; the same `scan_id` retried is the same line.
        `weigh`: the edge reads this till's scale for a per-kg item scanned by SKU or GTIN
        (without it such an item is refused with `weight_needed`); `gift_card_number`: the
        card a gift-card item loads (without it: `gift_card_number_needed`)."""
        body: dict[str, Any] = {"code": code, "scan_id": str(scan_id), "weigh": weigh}
        if gift_card_number is not None:
            body["gift_card_number"] = gift_card_number
        return await self.call(Scanned, "POST", f"/v1/carts/{cart_id}/scans", json=body)

    async def checkout(self, cart_id: UUID, tenders: Sequence[Mapping[str, Any]]) -> Sale:
        """Pay the cart (a retry with the same tenders answers the same sale)."""
        body = {"tenders": [dict(tender) for tender in tenders]}
        return await self.call(Sale, "POST", f"/v1/carts/{cart_id}/checkout", json=body)

    async def void_cart(
        self, cart_id: UUID, reason: str, headers: Mapping[str, str] | None = None
    ) -> Cart:
        """Void the whole cart with `reason` (`headers`: a manager's override, when the
        cashier's role may not)."""
        return await self.call(
            Cart,
            "POST",
            f"/v1/carts/{cart_id}/void",
            json={"reason": reason},
            headers=dict(headers or {}),
        )

    # What the status bar shows

    async def status(self) -> NodeStatus:
        return await self.call(NodeStatus, "GET", "/v1/status")

    async def offline_cards(self) -> OfflineCards:
        return await self.call(OfflineCards, "GET", f"/v1/tills/{self.till_id}/tenders")

    # Plumbing

    async def call(self, model: type[M], method: str, path: str, **kwargs: Any) -> M:
        """`request`, its JSON answer read as `model`. Raises what `request` raises."""
        response = await self.request(method, path, **kwargs)
        return model.model_validate(response.json())

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request to the edge with the session's token (`kwargs`: httpx's `json`,
        `params`, `headers`). Raises EdgeUnreachable (no answer), EdgeRefused (an error
        body)."""
        headers = dict(kwargs.pop("headers", None) or {})
        if self.session is not None:
            headers["Authorization"] = f"Bearer {self.session.token}"
        try:
            response = await self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as error:
            raise EdgeUnreachable(
                f"the edge at {self._http.base_url} did not answer: {error}"
            ) from None
        if response.status_code >= 400:
            try:
                body = response.json()
                code, detail = str(body["error"]), str(body["detail"])
            except (ValueError, KeyError, TypeError):
                code, detail = "http_error", response.text[:200]
            raise EdgeRefused(response.status_code, code, detail)
        return response


def new_id() -> UUID:
    """A fresh client-chosen id (a cart, a scan)."""
    return uuid.uuid4()
