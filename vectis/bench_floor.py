"""Floors for `vectis bench sync`'s ingest figure, measured in the same PostgreSQL cluster.

- `ledger_copy`: the very rows the hub wrote for the ingested sales (inbox, documents, lines,
  tenders, stock movements, sale exceptions), read back from the hub's database after the
  ingest and written again by binary COPY (asyncpg `copy_records_to_table`) into a second
  database of the same cluster, migrated as the hub's is (`migrations.runner.upgrade_hub`:
  the same indexes, constraints, foreign keys and column defaults). Batched as the edges
  pushed them: one transaction per node per batch of `batch` sales, one connection per node,
  all at once. What it leaves out is everything the hub does besides storing the rows:
  HTTP, decoding and checking the batch, the idempotency reads, the stock counters' upsert.
- `raw_inserts`: the same events as plain rows (one each, JSON payload, executemany).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from hub.adapters import tables
from migrations.runner import upgrade_hub
from vectis.ops.postgres import TemporaryCluster
from vectis.progress import Counter, task

# The ledger's tables in the order the hub writes them in a batch (foreign keys first).
LEDGER_TABLES = (
    "sync_event",
    "sale_document",
    "sale_line",
    "tender",
    "stock_movement",
    "sale_exception",
)
_DOCUMENTS = LEDGER_TABLES.index("sale_document")  # one row a sale
# Columns the hub leaves to the database (a sequence, the writing transaction's id, a
# default it never sets at ingest): left to it here too.
_LEFT_TO_DATABASE = {
    "sync_event": {"retries", "last_retry_at"},
    "stock_movement": {"movement_id", "txid"},
    "sale_exception": {"exception_id"},
}
# How each table's rows of the ingested stores are found in the hub's database; every
# statement takes the store ids as $1. Rows are keyed to their event by `_key` below.
_SELECT = {
    "sync_event": "SELECT {columns} FROM sync_event t WHERE t.store_id = ANY($1)",
    "sale_document": "SELECT {columns} FROM sale_document t WHERE t.store_id = ANY($1)",
    "sale_line": (
        "SELECT {columns}, d.event_id AS key_ FROM sale_line t "
        "JOIN sale_document d USING (document_id) WHERE d.store_id = ANY($1)"
    ),
    "tender": (
        "SELECT {columns}, d.event_id AS key_ FROM tender t "
        "JOIN sale_document d USING (document_id) WHERE d.store_id = ANY($1)"
    ),
    "stock_movement": (
        "SELECT {columns}, d.event_id AS key_ FROM stock_movement t "
        "JOIN sale_document d USING (document_id) WHERE d.store_id = ANY($1)"
    ),
    "sale_exception": (
        "SELECT {columns}, d.event_id AS key_ FROM sale_exception t "
        "JOIN sale_document d USING (document_id) WHERE d.store_id = ANY($1)"
    ),
}


def ledger_columns(table: str) -> list[str]:
    """The columns of `table` the hub writes at ingest, in the table's order."""
    skipped = _LEFT_TO_DATABASE.get(table, set())
    return [
        column.name
        for column in tables.metadata.tables[table].columns
        if column.name not in skipped
    ]


@dataclass(frozen=True, slots=True)
class FloorRun:
    """`sales` documents and their `rows` (all tables) written in `seconds`, with the CPU
    seconds PostgreSQL's processes spent meanwhile."""

    sales: int
    rows: int
    seconds: float
    postgres_cpu_s: float

    @property
    def sales_per_s(self) -> float:
        return self.sales / self.seconds

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


# One batch: the records of each ledger table, in LEDGER_TABLES order.
_Batch = list[list[tuple[Any, ...]]]


async def _read_ledger(dsn: str, store_ids: list[str], batch: int) -> list[list[_Batch]]:
    """The hub's rows of the stores' sales, per node, in batches of `batch` events by seq."""
    connection = await asyncpg.connect(dsn)
    try:
        events = await connection.fetch(
            _SELECT["sync_event"].format(columns=_select_list("sync_event")), store_ids
        )
        by_event: dict[uuid.UUID, dict[str, list[tuple[Any, ...]]]] = {}
        node_events: dict[str, list[tuple[int, uuid.UUID]]] = {}
        for row in events:
            by_event[row["event_id"]] = {"sync_event": [tuple(row.values())]}
            node_events.setdefault(row["node_id"], []).append((row["seq"], row["event_id"]))
        for table in LEDGER_TABLES[1:]:
            rows = await connection.fetch(
                _SELECT[table].format(columns=_select_list(table)), store_ids
            )
            for row in rows:
                values = tuple(row.values())
                if table == "sale_document":
                    key, record = row["event_id"], values
                else:
                    key, record = row["key_"], values[:-1]
                by_event[key].setdefault(table, []).append(record)
    finally:
        await connection.close()
    work: list[list[_Batch]] = []
    for node_id in sorted(node_events):
        ordered = [event_id for _, event_id in sorted(node_events[node_id])]
        per_node = []
        for start in range(0, len(ordered), batch):
            chunk = ordered[start : start + batch]
            per_node.append(
                [
                    [record for event_id in chunk for record in by_event[event_id].get(table, [])]
                    for table in LEDGER_TABLES
                ]
            )
        work.append(per_node)
    return work


def _select_list(table: str) -> str:
    return ", ".join(f"t.{column}" for column in ledger_columns(table))


async def ledger_copy(
    cluster: TemporaryCluster,
    hub_database: str,
    store_ids: list[str],
    batch: int,
    cpu_seconds: Callable[[int], float],
) -> FloorRun:
    """Write the rows the hub holds for `store_ids`' sales again, by COPY, into a fresh
    database of `cluster` migrated as the hub's; `cpu_seconds(pid)` reads a process tree's CPU
    time. Returns the figures of the timed part (the COPYs and their commits only)."""
    with task("floor: reading the ledger back, migrating its database"):
        work = await _read_ledger(cluster.dsn(hub_database), store_ids, batch)
        name = f"floor_{uuid.uuid4().hex[:8]}"
        await asyncio.to_thread(cluster.create_database, name)
        await asyncio.to_thread(upgrade_hub, cluster.url(name))
    dsn = cluster.dsn(name)
    source = await asyncpg.connect(cluster.dsn(hub_database))
    target = await asyncpg.connect(dsn)
    try:  # the stores the documents refer to (a foreign key), outside the clock
        stores = await source.fetch("SELECT * FROM store WHERE store_id = ANY($1)", store_ids)
        await target.copy_records_to_table(
            "store", columns=list(stores[0].keys()), records=[tuple(row.values()) for row in stores]
        )
        await target.execute("ANALYZE")
    finally:
        await source.close()
        await target.close()
    columns = [ledger_columns(table) for table in LEDGER_TABLES]
    pool = await asyncpg.create_pool(dsn, min_size=len(work), max_size=len(work))

    async def writer(per_node: list[_Batch], copied: Counter) -> None:
        async with pool.acquire() as connection:
            for records_of in per_node:
                async with connection.transaction():
                    for table, names, records in zip(
                        LEDGER_TABLES, columns, records_of, strict=True
                    ):
                        if records:
                            await connection.copy_records_to_table(
                                table, columns=names, records=records
                            )
                copied.advance(len(records_of[_DOCUMENTS]))

    postgres_pid = cluster.server_pid()
    cpu_before = cpu_seconds(postgres_pid)
    sales = sum(len(records_of[_DOCUMENTS]) for per_node in work for records_of in per_node)
    with task("floor: the ledger's rows by COPY", total=sales, unit="sales") as copied:
        started = time.perf_counter()
        await asyncio.gather(*(writer(per_node, copied) for per_node in work))
        seconds = time.perf_counter() - started
    postgres_cpu = cpu_seconds(postgres_pid) - cpu_before
    await pool.close()
    rows = sum(
        len(records) for per_node in work for records_of in per_node for records in records_of
    )
    return FloorRun(sales, rows, seconds, postgres_cpu)


async def raw_inserts(cluster: TemporaryCluster, work: list[list[list[dict[str, Any]]]]) -> float:
    """Events per second written as plain rows (executemany, one transaction a batch), from
    `work`: events per node per batch, as `bench_sync` builds them."""
    name = f"raw_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(cluster.create_database, name)
    dsn = cluster.dsn(name)
    connection = await asyncpg.connect(dsn)
    await connection.execute(
        "CREATE TABLE raw_event (event_id uuid PRIMARY KEY, node_id text NOT NULL, seq bigint NOT NULL, "
        "kind text NOT NULL, payload json NOT NULL, UNIQUE (node_id, seq))"
    )
    await connection.close()
    rows = [
        [
            [
                (
                    uuid.UUID(event["event_id"]),
                    event["node_id"],
                    event["seq"],
                    event["kind"],
                    json.dumps(event["payload"]),
                )
                for event in events
            ]
            for events in per_node
        ]
        for per_node in work
    ]
    pool = await asyncpg.create_pool(dsn, min_size=len(rows), max_size=len(rows))

    async def writer(per_node: list[list[tuple[Any, ...]]], written: Counter) -> None:
        async with pool.acquire() as pooled:
            for batch_rows in per_node:
                async with pooled.transaction():
                    await pooled.executemany(
                        "INSERT INTO raw_event VALUES ($1, $2, $3, $4, $5)", batch_rows
                    )
                written.advance(len(batch_rows))

    events = sum(len(batch_rows) for per_node in rows for batch_rows in per_node)
    with task("floor: the events as plain inserts", total=events, unit="events") as written:
        started = time.perf_counter()
        await asyncio.gather(*(writer(per_node, written) for per_node in rows))
        seconds = time.perf_counter() - started
    await pool.close()
    return events / seconds
