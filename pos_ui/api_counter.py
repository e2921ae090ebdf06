"""The counter's calls to the edge (docs/api.md, "Carts" and "Catalogue look-up"): item
look-up, a customer's record and the customer search, park and recall, void a line, a
line's quantity, discounts and a price override.

Each takes the `TillClient` and raises what `TillClient.request` raises (`EdgeRefused`,
`EdgeUnreachable`). Calls an action may need a manager for take `headers` (the override's,
`pos_ui.dialogs.override.override_headers`), sent on that one request only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import TypeAdapter

from pos_ui.client import EdgeRefused, TillClient
from pos_ui.models import Answer, Cart

# The price override's reason codes (docs/counter.md, "Cart operations"), in a cashier's words.
PRICE_REASONS: tuple[tuple[str, str], ...] = (
    ("price_match", "Price match"),
    ("damaged", "Damaged or soiled"),
    ("mispriced_shelf", "Shelf label lower"),
    ("manager_discretion", "Manager's discretion"),
    ("other", "Other (say what)"),
)


class CatalogueItem(Answer):
    """An item as it would be scanned now; `on_hand` is the hub's count at this store as of
    the last sync (None: not known); `unit_price` None: an open-price item."""

    sku: str
    description: str | None
    unit_price: Decimal | None
    tax_rate: Decimal | None = None
    percent_off: Decimal | None = None
    on_hand: int | None = None


class ParkedCart(Answer):
    """A cart parked at any till of the node."""

    cart_id: UUID
    till_id: str
    customer_id: str | None
    parked_at: datetime
    parked_by_name: str
    total: Decimal
    line_count: int


class Customer(Answer):
    """A customer's shared record as this node holds it (`key` is the customer id)."""

    key: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class FoundCustomer(Answer):
    """A customer as `GET /v1/customers` lists them."""

    customer_id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None

    def customer(self) -> Customer:
        return Customer(key=self.customer_id, name=self.name, email=self.email, phone=self.phone)


_ITEMS = TypeAdapter(list[CatalogueItem])
_FOUND = TypeAdapter(list[FoundCustomer])
_PARKED = TypeAdapter(list[ParkedCart])


async def look_up_items(client: TillClient, text: str, limit: int = 20) -> list[CatalogueItem]:
    """Items whose SKU is `text` or whose SKU or description contains it, the exact SKU
    first, each with its stock count (one `GET /v1/catalogue/{sku}` per item: the search
    answers none)."""
    answer = await client.request("GET", "/v1/catalogue", params={"q": text, "limit": limit})
    skus = [item.sku for item in _ITEMS.validate_python(answer.json())]
    if text in skus:
        skus.remove(text)
        skus.insert(0, text)
    else:
        try:
            exact = await look_up_item(client, text)
        except EdgeRefused as refused:
            if refused.code not in ("unknown_sku", "validation_error"):
                raise
        else:
            skus.insert(0, exact.sku)
    return list(await asyncio.gather(*(look_up_item(client, sku) for sku in skus)))


async def look_up_item(client: TillClient, sku: str) -> CatalogueItem:
    """One SKU with its price and stock count; EdgeRefused 404 `unknown_sku`."""
    return await client.call(CatalogueItem, "GET", f"/v1/catalogue/{sku}")


async def customer(client: TillClient, customer_id: str) -> Customer:
    """The customer's record; EdgeRefused 404 `record_not_found` if this node holds none."""
    record = (await client.request("GET", f"/v1/records/customer/{customer_id}")).json()
    fields = {name: field.get("value") for name, field in record["fields"].items()}
    return Customer.model_validate({"key": record["key"], **fields})


async def search_customers(client: TillClient, text: str, limit: int = 20) -> list[Customer]:
    """Customers this node holds whose id, name, email or phone contains `text` (1-64
    characters; a phone by its digits too), by name; at most `limit` (1-50)."""
    answer = await client.request("GET", "/v1/customers", params={"q": text, "limit": limit})
    return [found.customer() for found in _FOUND.validate_python(answer.json())]


async def change_quantity(
    client: TillClient,
    cart_id: UUID,
    line_id: UUID,
    quantity: int | Decimal,
    headers: Mapping[str, str] | None = None,
) -> Cart:
    """Set the line's quantity: whole units (an int), or kg to 3 places (a Decimal, sent as
    text) for a weighed line. Fewer units need `void_line` (403 `not_permitted` without it);
    the line loses its manual discount. The same quantity again changes nothing, so sending it
    again after no answer is safe. 422 `invalid_quantity`, `line_over_cap`, `sale_over_cap`."""
    body = {"quantity": str(quantity) if isinstance(quantity, Decimal) else quantity}
    return await client.call(
        Cart,
        "PATCH",
        f"/v1/carts/{cart_id}/lines/{line_id}",
        json=body,
        headers=dict(headers or {}),
    )


async def park(client: TillClient, cart_id: UUID) -> Cart:
    """Park the open cart (422 `empty_cart` without lines; parking it again answers it)."""
    return await client.call(Cart, "POST", f"/v1/carts/{cart_id}/park")


async def parked_carts(client: TillClient) -> list[ParkedCart]:
    """Every cart parked at this node, the longest parked first."""
    return _PARKED.validate_python((await client.request("GET", "/v1/parked-carts")).json())


async def recall(client: TillClient, cart_id: UUID) -> Cart:
    """Take the parked cart up at this till (recalling it again answers it)."""
    body = {"till_id": client.till_id}
    return await client.call(Cart, "POST", f"/v1/carts/{cart_id}/recall", json=body)


async def void_line(
    client: TillClient, cart_id: UUID, line_id: UUID, headers: Mapping[str, str] | None = None
) -> Cart:
    """Void one line (it stays on the cart, marked voided); voiding it again answers 200."""
    return await client.call(
        Cart, "DELETE", f"/v1/carts/{cart_id}/lines/{line_id}", headers=dict(headers or {})
    )


async def discount(
    client: TillClient,
    cart_id: UUID,
    line_id: UUID | None,
    kind: Literal["percent", "amount"],
    value: Decimal,
    reason: str,
    headers: Mapping[str, str] | None = None,
) -> Cart:
    """A line's discount (`line_id`: replaces its manual discount) or the cart's (`None`:
    spread over the lines, added to theirs). 403 `not_permitted` above the store's threshold."""
    path = f"/v1/carts/{cart_id}" + (f"/lines/{line_id}" if line_id else "") + "/discount"
    body = {"kind": kind, "value": str(value), "reason": reason}
    return await client.call(Cart, "POST", path, json=body, headers=dict(headers or {}))


async def override_price(
    client: TillClient,
    cart_id: UUID,
    line_id: UUID,
    unit_price: Decimal,
    reason_code: str,
    note: str | None,
    headers: Mapping[str, str] | None = None,
) -> Cart:
    """Charge `unit_price` for the line instead of the catalogue's (`price_override`; a
    `note` is required with `other`)."""
    body = {"unit_price": str(unit_price), "reason_code": reason_code, "note": note}
    return await client.call(
        Cart,
        "POST",
        f"/v1/carts/{cart_id}/lines/{line_id}/price",
        json=body,
        headers=dict(headers or {}),
    )
