"""Benchmarks that print figures: `vectis bench replay` (throughput into the hub, drain time)."""

from __future__ import annotations

import os
import platform
import time
from datetime import datetime
from datetime import time as day_time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from vectis.progress import task
from vectis.replay.dataset import read_dataset
from vectis.replay.driver import run_replay
from vectis.replay.options import TIMEZONE, OfflineWindow, ReplayOptions
from vectis.replay.report import print_result


def offline_window_for(dataset_path: Path, store_no: int = 1) -> OfflineWindow:
    """Store `store_no` offline over the trading days between 40% and 55% of the data set."""
    dataset = read_dataset(dataset_path)
    days = sorted({invoice.business_day for invoice in dataset.invoices})
    zone = ZoneInfo(TIMEZONE)
    first = days[int(len(days) * 0.40)]
    last = days[max(int(len(days) * 0.55), int(len(days) * 0.40) + 1) if len(days) > 1 else 0]
    return OfflineWindow(
        store_no,
        datetime.combine(first, day_time(0, 0), tzinfo=zone),
        datetime.combine(last, day_time(0, 0), tzinfo=zone),
    )


async def bench_replay(
    dataset: Path,
    *,
    stores: int,
    hubs: list[Literal["postgres", "sqlite"]],
    scan: bool,
    work_dir: Path,
    console: Console,
) -> dict[str, Any]:
    """Replay `dataset` once per hub kind (PostgreSQL durable, no fsync shortcuts) and report
    lines_per_s (end to end into the hub) and drain_s (store 1 offline, then catching up).
    """
    with task(f"reading {dataset.name} for its offline window"):
        window = offline_window_for(dataset)
    runs: dict[str, Any] = {}
    for kind in hubs:
        console.print(f"bench: replaying {dataset.name} with {stores} stores into a {kind} hub...")
        started = time.perf_counter()
        result = await run_replay(
            ReplayOptions(
                dataset=dataset,
                work_dir=work_dir / kind,
                stores=stores,
                offline=[window],
                hub_database=kind,
                durable_postgres=True,
                scan=scan,
            )
        )
        drain = result.drains[0] if result.drains else None
        runs[kind] = {
            "lines": result.lines,
            "seconds": round(result.seconds, 2),
            "lines_per_s": round(result.lines_per_s, 1),
            "drain_s": round(drain.seconds, 3) if drain else None,
            "drain_events": drain.events if drain else 0,
            "wall_s_including_setup": round(time.perf_counter() - started, 1),
            "reconciled": result.ok,
            "mismatches": len(result.mismatches),
            # What differs and what the tills refused, so a run that does not reconcile says
            # why without running it again (at most 50 of each).
            "mismatch_details": [mismatch.to_json() for mismatch in result.mismatches[:50]],
            "refused": result.refused[:50],
        }
        if not result.ok:
            print_result(result, console)
    table = Table(title=f"vectis bench replay: {dataset.name}, {stores} stores, scan={scan}")
    for column in (
        "hub",
        "lines",
        "seconds",
        "lines_per_s",
        "drain_events",
        "drain_s",
        "reconciled",
    ):
        table.add_column(column, justify="right")
    for hub_kind, figures in runs.items():
        table.add_row(
            hub_kind,
            str(figures["lines"]),
            str(figures["seconds"]),
            str(figures["lines_per_s"]),
            str(figures["drain_events"]),
            str(figures["drain_s"]),
            str(figures["reconciled"]),
        )
    console.print(table)
    return {
        "dataset": str(dataset),
        "stores": stores,
        "scan": scan,
        "offline": {
            "store": window.store_no,
            "from": window.start.isoformat(),
            "to": window.end.isoformat(),
        },
        "runs": runs,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
    }
