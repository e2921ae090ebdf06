"""An HQ and ERP client of the hub's API, as the replay (or an integrator's script) uses it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from vectis.replay.catalogue import CatalogueItem
from vectis.replay.reconcile import Report, Totals, parse_tenders


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A staff member HQ creates at the hub; the PIN is left out of the repr."""

    staff_code: str
    name: str
    role: str
    pin: str = field(repr=False)


# The staff `vectis demo` and the replay give every store, printed by the demo and written in
# README.md: trivial PINs, allowed when HQ sets them (a till refuses them as a new PIN).
DEMO_STAFF = (
    StaffMember("1001", "Demo Cashier", "cashier", "1234"),
    StaffMember("9001", "Demo Manager", "manager", "9999"),
)


class HubApiError(Exception):
    """The hub refused an HQ or ERP request."""

    def __init__(self, method: str, path: str, status: int, body: str) -> None:
        super().__init__(f"{method} {path} -> {status}: {body[:500]}")
        self.status = status


class HqClient:
    """HQ administration and ERP calls, authenticated with a bearer secret."""

    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        timeout_s: float = 120.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`transport`: httpx's default (the network) unless given (a hub served in-process)."""
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {secret}"},
            timeout=timeout_s,
            trust_env=False,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._client.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise HubApiError(method, path, response.status_code, response.text)
        return response.json()

    async def ensure_store(self, store_id: str, name: str, timezone: str, currency: str) -> None:
        """Create the store, or accept it if it exists with the same settings."""
        body = {"store_id": store_id, "name": name, "timezone": timezone, "currency": currency}
        response = await self._client.post("/v1/stores", json=body)
        if response.status_code == 201:
            return
        if response.status_code == 409:
            existing = await self._call("GET", f"/v1/stores/{store_id}")
            if existing["timezone"] != timezone or existing["currency"] != currency:
                raise HubApiError(
                    "POST", "/v1/stores", 409, f"{store_id} exists with other settings"
                )
            return
        raise HubApiError("POST", "/v1/stores", response.status_code, response.text)

    async def ensure_staff(self, member: StaffMember, stores: Sequence[str]) -> None:
        """The staff member works at `stores` (at least) with `member`'s name, role and PIN:
        created, or, if the staff code exists (a hub replayed into before), given those
        stores too, made active and given the PIN again."""
        body = {
            "staff_code": member.staff_code,
            "name": member.name,
            "role": member.role,
            "stores": sorted(stores),
            "pin": member.pin,
        }
        response = await self._client.post("/v1/staff", json=body)
        if response.status_code == 201:
            return
        if response.status_code != 409:
            raise HubApiError("POST", "/v1/staff", response.status_code, response.text)
        path = f"/v1/staff/{member.staff_code}"
        held = await self._call("GET", path)
        patch = {
            "name": member.name,
            "role": member.role,
            "stores": sorted({*held["stores"], *stores}),
            "active": True,
        }
        await self._call("PATCH", path, json=patch)
        await self._call("POST", f"{path}/pin", json={"pin": member.pin})

    async def put_till_limits(self, store_id: str, limits: dict[str, Any]) -> None:
        """Set every till limit of the store (one left out: its default)."""
        await self._call("PUT", f"/v1/stores/{store_id}/till-limits", json=limits)

    async def put_tax_rate(self, code: str, rate: Decimal) -> None:
        await self._call("PUT", f"/v1/tax-rates/{code}", json={"rate": str(rate)})

    async def enrolment_token(self, store_id: str) -> str:
        body = await self._call("POST", f"/v1/stores/{store_id}/enrolment-tokens")
        return str(body["token"])

    async def create_api_key(self, name: str, scope: str) -> str:
        body = await self._call("POST", "/v1/api-keys", json={"name": name, "scope": scope})
        return str(body["key"])

    async def import_catalogue(
        self,
        items: list[CatalogueItem],
        currency: str,
        chunk: int = 5000,
        tax_code: Callable[[str], str | None] | None = None,
    ) -> int:
        """Import in chunks; returns the number of products changed. `tax_code` gives each
        SKU's tax code (its rate must be put first); without it, products keep theirs."""
        changed = 0
        for start in range(0, len(items), chunk):
            body = await self._call(
                "POST",
                "/v1/catalogue/import",
                json={
                    "items": [
                        {
                            "sku": item.sku,
                            "description": item.description,
                            "kind": item.kind,
                            "track_inventory": item.track_inventory,
                            "unit_price": str(item.unit_price),
                            "currency": currency,
                            **({"tax_code": tax_code(item.sku)} if tax_code else {}),
                        }
                        for item in items[start : start + chunk]
                    ]
                },
            )
            changed += int(body["products_changed"])
        return changed

    async def push_stock(
        self, location_id: str, counts: dict[str, int], reference: str
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self._call(
            "POST",
            "/v1/erp/stock",
            json={
                "location_id": location_id,
                "counts": [
                    {"sku": sku, "on_hand": on_hand} for sku, on_hand in sorted(counts.items())
                ],
                "external_reference": reference,
            },
        )
        return result

    async def z_reports(
        self, first_day: date | None, last_day: date | None
    ) -> list[dict[str, Any]]:
        """Every Z report the hub holds for business days `first_day`-`last_day`, with its
        ledger check, as `GET /v1/z-reports` gives them (all pages)."""
        params: dict[str, str] = {"limit": "1000"}
        if first_day:
            params["from"] = first_day.isoformat()
        if last_day:
            params["to"] = last_day.isoformat()
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = await self._call(
                "GET", "/v1/z-reports", params={**params, "offset": str(offset)}
            )
            found.extend(page["z_reports"])
            if not page["z_reports"]:
                return found
            offset = int(page["next_offset"])

    async def sales_report(self, first_day: date | None, last_day: date | None) -> Report:
        """The hub's report in the replay's shape: by day, by store, by store and day."""
        params: dict[str, str] = {}
        if first_day:
            params["from"] = first_day.isoformat()
        if last_day:
            params["to"] = last_day.isoformat()
        report = Report(by_day={}, by_store={}, by_store_day={})
        for group_by in ("day", "store", "store_day"):
            body = await self._call(
                "GET", "/v1/reports/sales", params={**params, "group_by": group_by}
            )
            for row in body["rows"]:
                totals = Totals.from_json(
                    {
                        key: row[key]
                        for key in ("invoices", "lines", "units", "revenue", "returns", "tax")
                    }
                )
                # A hub whose report breaks revenue down by tender (kind -> net amount).
                tenders = parse_tenders(row["tenders"]) if "tenders" in row else None
                if group_by == "day":
                    report.by_day[row["business_day"]] = totals
                    if tenders is not None:
                        report.tenders_by_day[row["business_day"]] = tenders
                elif group_by == "store":
                    report.by_store[row["store_id"]] = totals
                else:
                    report.by_store_day.setdefault(row["store_id"], {})[row["business_day"]] = (
                        totals
                    )
                    if tenders is not None:
                        report.tenders_by_store_day.setdefault(row["store_id"], {})[
                            row["business_day"]
                        ] = tenders
        return report
