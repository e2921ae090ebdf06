"""The acquirer's settlement report over HTTP: what it captured and refunded on a UTC day,
per store (the simulator's API, docs/payments.md; a real acquirer's report reached through its
own adapter would implement hub.service.ports.CardAcquirer the same way)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from hub.domain.settlements import AcquirerSettlement, CardMoney
from hub.errors import AcquirerUnavailable
from shared.errors import SharedError
from shared.money import to_minor


class HttpAcquirer:
    """`GET {base_url}/v1/settlements/{day}` with `Authorization: Bearer <api_key>`.
    `timeout_s` bounds each request (connect and read)."""

    def __init__(self, base_url: str, api_key: str, *, timeout_s: float = 10.0) -> None:
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout_s = timeout_s

    async def settlement(self, day: date) -> AcquirerSettlement:
        """The acquirer's captures and refunds of UTC `day`, per store: money from its
        `by_reference` totals, counts from its items (a reference is
        `"<store_id>/<till_id>/<document id>"`). Raises AcquirerUnavailable when it cannot be
        reached, refuses the key, or answers with anything but a settlement report."""
        url = f"{self._base_url}/v1/settlements/{day.isoformat()}"
        try:
            async with httpx.AsyncClient(timeout=self._timeout_s) as client:
                response = await client.get(
                    url, headers={"Authorization": f"Bearer {self._api_key}"}
                )
        except httpx.HTTPError as error:
            raise AcquirerUnavailable(f"no answer from {self._base_url}: {error!r}") from error
        if response.status_code != 200:
            raise AcquirerUnavailable(
                f"{self._base_url} answered {response.status_code}: {response.text[:200]}"
            )
        try:
            return _settlement(day, response.json())
        except (ValueError, KeyError, TypeError, InvalidOperation, SharedError) as error:
            raise AcquirerUnavailable(
                f"{self._base_url} sent no settlement report: {error!r}"
            ) from error


def _settlement(day: date, body: Any) -> AcquirerSettlement:
    currency = str(body["currency"])
    counts: dict[str, int] = {}
    for item in body["items"]:
        store_id = str(item["reference"]).split("/", 1)[0]
        counts[store_id] = counts.get(store_id, 0) + 1
    by_reference: Mapping[str, Any] = body["by_reference"]
    by_store = {
        str(store_id): CardMoney(
            captured_minor=to_minor(Decimal(str(totals["captured"])), currency),
            refunded_minor=to_minor(Decimal(str(totals["refunded"])), currency),
            count=counts.get(str(store_id), 0),
        )
        for store_id, totals in by_reference.items()
    }
    if date.fromisoformat(str(body["day"])) != day:
        raise ValueError(f"asked for {day}, got the report of {body['day']}")
    return AcquirerSettlement(day=day, currency=currency, by_store=by_store)
