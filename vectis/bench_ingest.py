"""`vectis bench sync`'s ingest figures: 50 simulated edges push at once, against the floors
measured in the same run (`vectis.bench_floor`), in rounds.

Each round enrols 50 new stores, lets them push 8 batches of 250 sales each at once, and then
writes the very ledger rows the hub made of them again by COPY (the floor), right after, so
that the two figures of a round see the machine in the same state. The machine these run on
is shared: in one hour one round's ratio to its floor went from 0.37 to 0.47 with the same
code, and to 0.61 once (docs/operations.md, "In rounds"). The figures are the medians over
the rounds (the ratio: the median of each round's ratio), each round's own beside them. The
first round also pays for the hub's new database connections (each prepares its statements
once); later rounds write into a larger database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from dataclasses import dataclass
from typing import Any

import httpx
import psutil
from rich.console import Console

from vectis.bench_floor import FloorRun, ledger_copy, raw_inserts
from vectis.loadgen import Connection, post_request, sale_events
from vectis.progress import Counter, task
from vectis.replay.hq import HqClient
from vectis.replay.stack import Stack

# What each store of the bench holds before it sells, as a store whose ERP pushed its counts
# does; without it every line of every sale would also raise an oversold exception.
OPENING_COUNTS = {f"SKU{sku:06d}": 1_000_000 for sku in range(500)}
INGEST_ROUNDS = 3


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its descendants, living or reaped."""
    root = psutil.Process(pid)
    total = 0.0
    for process in (root, *root.children(recursive=True)):
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


@dataclass(frozen=True, slots=True)
class IngestRun:
    events: int
    seconds: float
    hub_cpu_s: float
    postgres_cpu_s: float
    store_ids: list[str]
    work: list[list[list[dict[str, Any]]]]  # the events pushed, per node per batch

    @property
    def rate(self) -> float:
        return self.events / self.seconds


async def ingest(
    stack: Stack, hq: HqClient, nodes_count: int, batches: int, batch: int, round_no: int = 1
) -> IngestRun:
    """`nodes_count` new nodes (stores `store-ingest-<round_no>-<n>`) push `batches` batches
    each at once: the time it takes, and the CPU time the hub and PostgreSQL spend
    meanwhile."""
    host, port = "127.0.0.1", int(stack.hub_url.rsplit(":", 1)[1])
    nodes: list[dict[str, str]] = []
    credentials: list[str] = []
    async with httpx.AsyncClient(base_url=stack.hub_url, trust_env=False, timeout=120) as client:
        with task("enrolling simulated edges", total=nodes_count, unit="edges") as enrolled_count:
            for number in range(nodes_count):
                store_id = f"store-ingest-{round_no}-{number}"
                await hq.ensure_store(store_id, store_id, "Europe/London", "GBP")
                token = await hq.enrolment_token(store_id)
                enrolled = (
                    await client.post(
                        "/v1/sync/enrol",
                        json={"protocol_version": 1, "token": token, "node_name": "sim"},
                    )
                ).json()
                nodes.append({"store_id": store_id, "node_id": enrolled["node_id"]})
                credentials.append(enrolled["credential"])
                await hq.push_stock(store_id, OPENING_COUNTS, "opening count")
                enrolled_count.advance()
    work = sale_events(nodes, batches, batch)
    requests = [
        [
            post_request(
                host,
                port,
                "/v1/sync/push",
                json.dumps(
                    {
                        "protocol_version": 1,
                        "store_id": node["store_id"],
                        "node_id": node["node_id"],
                        "sent_at": "2011-01-03T10:00:01+00:00",
                        "events": events,
                    }
                ).encode(),
                {"Authorization": f"Bearer {credential}"},
            )
            for events in per_node
        ]
        for node, credential, per_node in zip(nodes, credentials, work, strict=True)
    ]
    connections = [await Connection.open(host, port) for _ in requests]

    async def pusher(connection: Connection, mine: list[bytes], pushed: Counter) -> None:
        for request in mine:
            reply = await connection.send(request)
            if reply.status != 200:
                raise RuntimeError(f"push refused: {reply.status} {reply.body[:300]!r}")
            pushed.advance(batch)

    assert stack.hub_process is not None and stack.hub_process.pid is not None
    assert stack.postgres is not None
    hub_pid, postgres_pid = stack.hub_process.pid, stack.postgres.server_pid()
    hub_cpu, postgres_cpu = cpu_seconds(hub_pid), cpu_seconds(postgres_pid)
    events = nodes_count * batches * batch
    with task(f"ingest from {nodes_count} edges", total=events, unit="events") as pushed:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                pusher(connection, mine, pushed)
                for connection, mine in zip(connections, requests, strict=True)
            )
        )
        seconds = time.perf_counter() - started
    hub_cpu, postgres_cpu = (
        cpu_seconds(hub_pid) - hub_cpu,
        cpu_seconds(postgres_pid) - postgres_cpu,
    )
    for connection in connections:
        await connection.close()
    return IngestRun(
        events,
        seconds,
        hub_cpu,
        postgres_cpu,
        [node["store_id"] for node in nodes],
        work,
    )


async def ingest_figures(
    stack: Stack, hq: HqClient, console: Console, rounds: int = INGEST_ROUNDS
) -> dict[str, Any]:
    """`rounds` rounds of ingest from 50 edges, each followed by its floor in the same cluster
    (the same ledger rows by COPY); then the last round's events as plain inserts. Figures
    are medians over the rounds; `*_by_round` lists give each round's."""
    assert stack.postgres is not None
    runs: list[tuple[IngestRun, FloorRun]] = []
    for round_no in range(1, rounds + 1):
        console.print(
            f"bench sync: ingest from 50 simulated edges, round {round_no} of {rounds}..."
        )
        run = await ingest(stack, hq, 50, 8, 250, round_no)
        console.print("bench sync: the same ledger rows by COPY (the floor)...")
        floor = await ledger_copy(stack.postgres, "vectis_hub", run.store_ids, 250, cpu_seconds)
        if floor.sales != run.events:
            raise RuntimeError(f"the hub holds {floor.sales} of the {run.events} sales pushed")
        runs.append((run, floor))
    ratios = [run.rate / floor.sales_per_s for run, floor in runs]
    rows_per_sale = runs[-1][1].rows / runs[-1][1].sales

    rate = statistics.median([run.rate for run, _ in runs])
    figures: dict[str, Any] = {
        "ingest_rounds": rounds,
        "ingest_events_per_s": round(rate),
        "ingest_events": runs[0][0].events,
        "ingest_cpu_us_per_event": round(
            statistics.median(
                [(run.hub_cpu_s + run.postgres_cpu_s) / run.events * 1e6 for run, _ in runs]
            )
        ),
        "ingest_hub_cpu_us_per_event": round(
            statistics.median([run.hub_cpu_s / run.events * 1e6 for run, _ in runs])
        ),
        "ingest_postgres_cpu_us_per_event": round(
            statistics.median([run.postgres_cpu_s / run.events * 1e6 for run, _ in runs])
        ),
        "ledger_rows_per_sale": round(rows_per_sale, 2),
        "ingest_rows_per_s": round(rate * rows_per_sale),
        "ledger_copy_sales_per_s": round(
            statistics.median([floor.sales_per_s for _, floor in runs])
        ),
        "ledger_copy_rows_per_s": round(statistics.median([floor.rows_per_s for _, floor in runs])),
        "ledger_copy_postgres_cpu_us_per_sale": round(
            statistics.median([floor.postgres_cpu_s / floor.sales * 1e6 for _, floor in runs])
        ),
        "ingest_vs_ledger_copy_ratio": round(statistics.median(ratios), 3),
        "ingest_events_per_s_by_round": [round(run.rate) for run, _ in runs],
        "ledger_copy_sales_per_s_by_round": [round(floor.sales_per_s) for _, floor in runs],
        "ingest_vs_ledger_copy_ratio_by_round": [round(ratio, 3) for ratio in ratios],
    }
    last = runs[-1][0]
    raw = await raw_inserts(stack.postgres, last.work)
    figures["raw_insert_events_per_s"] = round(raw)
    figures["ingest_vs_raw_insert_ratio"] = round(rate / raw, 3)
    return figures
