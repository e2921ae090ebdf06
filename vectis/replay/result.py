"""What a replay found: the file's and the hub's reports, their mismatches, timings, drains."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vectis.replay.dataset import SkippedLine, store_id
from vectis.replay.options import ReplayOptions
from vectis.replay.reconcile import Mismatch, Report
from vectis.replay.tender_report import TenderTally
from vectis.replay.z_reports import ZLine


@dataclass(frozen=True, slots=True)
class Drain:
    """An edge that came back online and uploaded its backlog."""

    store_id: str
    events: int
    seconds: float


@dataclass(slots=True)
class ReplayResult:
    options: ReplayOptions
    expected: Report
    actual: Report
    mismatches: list[Mismatch]
    skipped: list[SkippedLine]
    refused: list[dict[str, str]]
    seconds: float
    lines: int
    drains: list[Drain]
    urls: dict[str, str]
    chaos: dict[str, Any] | None = None
    z_reports: list[ZLine] = field(default_factory=list)
    # Where the "hub" side's tender breakdown comes from: the hub's report, or (a hub whose
    # report has none) what the tills took.
    tenders_source: str = "replay"
    tally: TenderTally = field(default_factory=TenderTally)
    offline_cards: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def lines_per_s(self) -> float:
        return self.lines / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": {**self.expected.to_json(), "source": str(self.options.dataset)},
            "hub": self.actual.to_json(),
            "z_reports": [line.to_json() for line in self.z_reports],
            "mismatches": [mismatch.to_json() for mismatch in self.mismatches],
            "skipped": [
                {"invoice": line.invoice_no, "stock_code": line.stock_code, "reason": line.reason}
                for line in self.skipped
            ]
            + self.refused,
            "timing": {
                "seconds": round(self.seconds, 3),
                "lines_per_s": round(self.lines_per_s, 1),
                "lines": self.lines,
                "drains": [
                    {
                        "store": drain.store_id,
                        "events": drain.events,
                        "seconds": round(drain.seconds, 3),
                    }
                    for drain in self.drains
                ],
            },
            "chaos": self.chaos,
            "tenders_source": self.tenders_source,
            "offline_cards": self.offline_cards,
            "tender_fallbacks": {
                "card_declined": self.tally.declined_at_till,
                "over_cap_paid_cash": self.tally.over_cap_paid_cash,
                "gift_card_refused": self.tally.gift_card_refused,
            },
            "stores": self.options.stores,
            "offline": [
                {
                    "store": store_id(window.store_no),
                    "from": window.start.isoformat(),
                    "to": window.end.isoformat(),
                }
                for window in self.options.offline
            ],
        }
