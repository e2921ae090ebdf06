"""The replay's Z reports as the hub holds them, and the replay's own check of them.

Each store's tills close a shift per business day (vectis.replay.shifts). The check: every
Z the hub holds agrees with its ledger (`ledger.status` confirmed, no integrity alert), its
variance is the one the replay counted short on purpose, and the Z reports' net sales of a
store and day add up to the hub's revenue there (net sales are the signed sum of the
shift's sale and return lines, as the hub's `revenue`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from vectis.replay.reconcile import Mismatch, Report
from vectis.replay.shifts import variance_of


@dataclass(frozen=True, slots=True)
class ZLine:
    """One Z report in the replay's JSON report (money as decimal strings)."""

    store: str
    till: str
    z_number: int
    business_day: str
    net_sales: Decimal
    tax: Decimal
    expected_cash: Decimal
    counted_cash: Decimal
    variance: Decimal
    grand_total: Decimal
    ledger: str

    @classmethod
    def of(cls, kept: dict[str, Any]) -> ZLine:
        """From one entry of the hub's `GET /v1/z-reports`."""
        report = kept["report"]
        return cls(
            store=kept["store_id"],
            till=report["till_id"],
            z_number=int(report["z_number"]),
            business_day=report["business_day"],
            net_sales=Decimal(report["net_sales"]),
            tax=sum((Decimal(rate["tax"]) for rate in report["tax"]), Decimal(0)),
            expected_cash=Decimal(report["expected_cash"]),
            counted_cash=Decimal(report["counted_cash"]),
            variance=Decimal(report["variance"]),
            grand_total=Decimal(report["grand_total"]),
            ledger=kept["ledger"]["status"],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "till": self.till,
            "z_number": self.z_number,
            "business_day": self.business_day,
            "net_sales": str(self.net_sales),
            "tax": str(self.tax),
            "expected_cash": str(self.expected_cash),
            "counted_cash": str(self.counted_cash),
            "variance": str(self.variance),
            "grand_total": str(self.grand_total),
        }


def check_z_reports(lines: list[ZLine], hub: Report) -> list[Mismatch]:
    """Every way the hub's Z reports disagree with its ledger, the replay's counts or its
    report by store and day (scope "z_report"; an empty list when they agree)."""
    mismatches: list[Mismatch] = []
    net: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        key = f"{line.store}/{line.till}/Z{line.z_number}"
        if line.ledger != "confirmed":
            mismatches.append(Mismatch("z_report", key, "ledger", "confirmed", line.ledger))
        meant = variance_of(line.store, line.till, date.fromisoformat(line.business_day))
        if line.variance != meant:
            mismatches.append(Mismatch("z_report", key, "variance", str(meant), str(line.variance)))
        net[line.store, line.business_day] += line.net_sales
    days = {(store, day) for store, by_day in hub.by_store_day.items() for day in by_day}
    for store, day in sorted(days | set(net)):
        totals = hub.by_store_day.get(store, {}).get(day)
        revenue = totals.revenue if totals is not None else Decimal(0)
        if net[store, day] != revenue:
            mismatches.append(
                Mismatch(
                    "z_report", f"{store}/{day}", "net_sales", str(revenue), str(net[store, day])
                )
            )
    return mismatches
