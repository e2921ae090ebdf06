"""A property-based model of the whole sync: several edges and the hub, under faults.

Hypothesis drives random steps: sales, returns and cash movements at the tills, customer
edits at the tills and at HQ, ERP counts (rebased on a
movement watermark, sometimes with a shrinkage adjustment), price, tax rate and promotion
changes at HQ, partitions,
lost answers, stale copies of old pushes delivered late (replays out of order), edge restarts,
and events the hub must quarantine. Each edge keeps up to 3 pushes of 2 events in flight (the
pipelined upload), and its pushes are lost on the way, held back (later ones overtake them:
the hub waits 50 ms for a push's turn, then defers it), delivered twice, or cut short by a
crash of the edge with pushes in flight. At every step the hub holds each node's events
without a gap, seqs 1 to its ack (it applies them in seq order). After healing every link
and syncing until quiet:

- every sale and return is counted exactly once, per store, in invoices and revenue;
- stock at the hub = opening + ERP adjustments + sale and return movements, per SKU, and
  each store's edge holds that level from its feed;
- every edge holds the hub's current prices, tax rates and promotions, and the tax HQ reports
  per store is the tax printed on the receipts, to the penny (nothing lost or doubled);
- every cash movement is in HQ's cash report once; each field of an edited customer record
  holds the edit with the highest HLC stamp, with the same fields and stamps at every replica;
- every quarantined event is held by the hub, and no day's checksum mismatched.

CI runs 20 examples of 30 steps; `VECTIS_MODEL_EXAMPLES=100` runs a longer search (100
examples took 150 s here and passed).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import text

from tests.support import Edge, Hub, close_edge, make_edge, make_hub
from vectis.ops.postgres import TemporaryCluster

SKUS = ["A", "B", "C"]
STORES = ["store-1", "store-2"]


async def pipelined_edge(path: Path, hub: Hub, token: str | None) -> Edge:
    """An edge of small pushes, several in flight: its pipeline runs even on a step's few
    events."""
    return await make_edge(path, hub, token, push_batch_events=2, push_pipeline=3)


class SyncModel(RuleBasedStateMachine):
    cluster: TemporaryCluster
    template: str
    applied: Counter[str] = Counter()  # rules run, over all examples: proof the faults happened

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.directory = Path(tempfile.mkdtemp(prefix="vectis-model-"))
        self.edges: dict[str, Edge] = {}
        self.partitioned: set[str] = set()
        self.revenue_minor: Counter[str] = Counter()
        self.documents: Counter[str] = Counter()
        self.stock: dict[tuple[str, str], int] = {}
        self.erp_cursor: str | None = None
        self.quarantined: set[str] = set()
        self.prices = {"A": Decimal("2.55"), "B": Decimal("0.85"), "C": Decimal("10.00")}
        self.book: dict[tuple[str, str], int] = {}  # the ERP's view of sales and returns
        self.adjustments: dict[tuple[str, str], int] = {}  # shrinkage found by ERP counts
        self.cash_net_minor: Counter[str] = Counter()  # what the drawers gained, per store
        self.cash_movements: Counter[str] = Counter()
        self.edits: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (hlc, value) per field
        self.tax_rate = Decimal(20)  # of tax code STD, on A and B; C has none
        self.promotions: dict[str, tuple[str, Decimal, bool]] = {}  # id: (sku, percent, active)
        self.tax_minor: Counter[str] = Counter()  # tax on the receipts, per store

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    @initialize()
    def start(self) -> None:
        url = self.cluster.create_database(f"model_{uuid.uuid4().hex[:12]}", template=self.template)
        self.hub: Hub = self.run(make_hub(url, push_order_wait_s=0.05))
        self.run(self.hub.import_items({sku: str(price) for sku, price in self.prices.items()}))
        self.run(self.put("/v1/tax-rates/STD", {"rate": "20"}))
        items = [
            {"sku": sku, "unit_price": str(self.prices[sku]), "currency": "GBP", "tax_code": "STD"}
            for sku in ("A", "B")
        ]
        response = self.run(
            self.hub.client.post(
                "/v1/catalogue/import", json={"items": items}, headers=self.hub.admin
            )
        )
        assert response.status_code == 200, response.text
        for store in STORES:
            self.run(self.hub.create_store(store))
            self.run(self.erp_count(store, dict.fromkeys(SKUS, 50), adjust=False))
            token = self.run(self.hub.token(store))
            self.edges[store] = self.run(
                pipelined_edge(self.directory / f"{store}.db", self.hub, token)
            )

    async def put(self, path: str, body: dict[str, Any]) -> None:
        response = await self.hub.client.put(path, json=body, headers=self.hub.admin)
        assert response.status_code == 200, response.text

    async def erp_count(self, store: str, counts: dict[str, int], *, adjust: bool) -> None:
        """The ERP's count of a store: its book stock as of the movements it has read."""
        body: dict[str, Any] = {
            "location_id": store,
            "counts": [{"sku": sku, "on_hand": n} for sku, n in counts.items()],
        }
        if adjust:
            body["as_of"] = self.erp_cursor
        response = await self.hub.client.post("/v1/erp/stock", json=body, headers=self.hub.admin)
        assert response.status_code == 200, response.text

    async def erp_read(self) -> None:
        """The ERP reads the movements after its cursor into its book."""
        while True:
            params: dict[str, Any] = {"limit": 500} | (
                {"cursor": self.erp_cursor} if self.erp_cursor else {}
            )
            page = (
                await self.hub.client.get(
                    "/v1/erp/stock/movements", params=params, headers=self.hub.admin
                )
            ).json()
            for movement in page["movements"]:
                key = (movement["location_id"], movement["sku"])
                if movement["reason"] != "erp_count":
                    self.book[key] = self.book.get(key, 0) + movement["quantity_delta"]
            self.erp_cursor = page["next_cursor"]
            if not page["has_more"]:
                return

    @rule(
        store=st.sampled_from(STORES),
        lines=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 5)), min_size=1, max_size=3),
    )
    def sell(self, store: str, lines: list[tuple[str, int]]) -> None:
        SyncModel.applied["sell"] += 1
        sale = self.run(self.edges[store].sell(lines))
        self.documents[store] += 1
        self.revenue_minor[store] += int(Decimal(str(sale["total"])) * 100)
        self.tax_minor[store] += int(Decimal(str(sale["tax"])) * 100)
        for line in sale["lines"]:
            self.stock[(store, line["sku"])] = (
                self.stock.get((store, line["sku"]), 50) - line["quantity"]
            )

    @rule(store=st.sampled_from(STORES), sku=st.sampled_from(SKUS), quantity=st.integers(1, 3))
    def take_back(self, store: str, sku: str, quantity: int) -> None:
        SyncModel.applied["take_back"] += 1
        body = {"till_id": "T1", "reason": "faulty", "lines": [{"sku": sku, "quantity": quantity}]}
        document = self.run(self.edges[store].client.post("/v1/returns", json=body))
        assert document.status_code == 201, document.text
        self.documents[store] += 1
        self.revenue_minor[store] -= int(Decimal(document.json()["total"]) * 100)
        self.tax_minor[store] -= int(Decimal(document.json()["tax"]) * 100)
        self.stock[(store, sku)] = self.stock.get((store, sku), 50) + quantity

    @rule(
        store=st.sampled_from(STORES),
        kind=st.sampled_from(["float", "paid_in", "paid_out", "pickup"]),
        cents=st.integers(1, 50_000),
    )
    def move_cash(self, store: str, kind: str, cents: int) -> None:
        SyncModel.applied["move_cash"] += 1
        body = {
            "till_id": "T1",
            "kind": kind,
            "amount": str(Decimal(cents).scaleb(-2)),
            "reason": "model",
        }
        response = self.run(self.edges[store].client.post("/v1/cash-movements", json=body))
        assert response.status_code == 201, response.text
        self.cash_movements[store] += 1
        self.cash_net_minor[store] += cents if kind in ("float", "paid_in") else -cents

    @rule(
        who=st.sampled_from([*STORES, "hq"]),
        customer=st.sampled_from(["C1", "C2"]),
        field=st.sampled_from(["name", "email", "phone"]),
        value=st.text(alphabet="abcxyz", min_size=1, max_size=4),
    )
    def edit_customer(self, who: str, customer: str, field: str, value: str) -> None:
        SyncModel.applied["edit_customer"] += 1
        body = {"fields": {field: value}}
        if who == "hq":
            client, headers = self.hub.client, self.hub.admin
        else:
            client, headers = self.edges[who].client, {}
        response = self.run(
            client.put(f"/v1/records/customer/{customer}", json=body, headers=headers)
        )
        assert response.status_code == 200, response.text
        stamp = response.json()["fields"][field]["hlc"]
        self.edits.setdefault((customer, field), []).append((stamp, value))

    @rule(store=st.sampled_from(STORES), sku=st.sampled_from(SKUS), shrinkage=st.integers(-3, 0))
    def erp_counts_the_shelf(self, store: str, sku: str, shrinkage: int) -> None:
        SyncModel.applied["erp_counts_the_shelf"] += 1
        self.run(self.erp_read())
        key = (store, sku)
        book = 50 + self.book.get(key, 0) + self.adjustments.get(key, 0)
        self.run(self.erp_count(store, {sku: book + shrinkage}, adjust=True))
        self.adjustments[key] = self.adjustments.get(key, 0) + shrinkage

    @rule(sku=st.sampled_from(SKUS), cents=st.integers(1, 2000))
    def hq_reprices(self, sku: str, cents: int) -> None:
        SyncModel.applied["hq_reprices"] += 1
        self.prices[sku] = Decimal(cents) / 100
        self.run(self.hub.import_items({sku: str(self.prices[sku])}))

    @rule(rate=st.sampled_from(["0", "5", "17.5", "20"]))
    def hq_sets_the_tax_rate(self, rate: str) -> None:
        SyncModel.applied["hq_sets_the_tax_rate"] += 1
        self.tax_rate = Decimal(rate)
        self.run(self.put("/v1/tax-rates/STD", {"rate": rate}))

    @rule(
        promotion=st.sampled_from(["P1", "P2"]),
        sku=st.sampled_from(SKUS),
        percent=st.sampled_from(["10", "25", "33.3333"]),
        active=st.booleans(),
    )
    def hq_runs_a_promotion(self, promotion: str, sku: str, percent: str, active: bool) -> None:
        SyncModel.applied["hq_runs_a_promotion"] += 1
        self.promotions[promotion] = (sku, Decimal(percent), active)
        body = {
            "name": promotion,
            "skus": [sku],
            "percent_off": percent,
            "starts_at": "2010-01-01T00:00:00+00:00",
            "active": active,
        }
        self.run(self.put(f"/v1/promotions/{promotion}", body))

    @rule(store=st.sampled_from(STORES))
    def sync(self, store: str) -> None:
        SyncModel.applied["sync"] += 1
        self.run(self.edges[store].sync())

    @rule(store=st.sampled_from(STORES))
    def partition(self, store: str) -> None:
        SyncModel.applied["partition"] += 1
        self.partitioned.add(store)
        self.edges[store].link.online = False

    @rule(store=st.sampled_from(STORES))
    def heal(self, store: str) -> None:
        SyncModel.applied["heal"] += 1
        self.partitioned.discard(store)
        self.edges[store].link.online = True

    @rule(store=st.sampled_from(STORES))
    def lose_next_answer(self, store: str) -> None:
        SyncModel.applied["lose_next_answer"] += 1
        self.edges[store].link.lose_responses += 1

    @precondition(lambda self: any(edge.link.pushes for edge in self.edges.values()))
    @rule(data=st.data())
    def deliver_an_old_push_again(self, data: st.DataObject) -> None:
        SyncModel.applied["deliver_an_old_push_again"] += 1
        pushes = [push for edge in self.edges.values() for push in edge.link.pushes]
        body, headers = data.draw(st.sampled_from(pushes))
        response = self.run(self.hub.client.post("/v1/sync/push", content=body, headers=headers))
        assert response.status_code in (200, 401), response.text  # 401: a since-rotated credential

    @rule(store=st.sampled_from(STORES), pushes=st.integers(1, 3))
    def lose_next_pushes(self, store: str, pushes: int) -> None:
        SyncModel.applied["lose_next_pushes"] += 1
        self.edges[store].link.lose_pushes += pushes

    @rule(
        store=st.sampled_from(STORES),
        delays=st.lists(st.sampled_from([0.0, 0.02, 0.08]), min_size=1, max_size=3),
    )
    def hold_back_next_pushes(self, store: str, delays: list[float]) -> None:
        SyncModel.applied["hold_back_next_pushes"] += 1
        self.edges[store].link.delays.extend(delays)

    @rule(store=st.sampled_from(STORES))
    def deliver_next_push_twice(self, store: str) -> None:
        SyncModel.applied["deliver_next_push_twice"] += 1
        self.edges[store].link.duplicate_pushes += 1

    @rule(store=st.sampled_from(STORES), answered=st.integers(0, 2))
    def kill_edge_mid_upload(self, store: str, answered: int) -> None:
        """The edge dies (SIGKILL) once the hub has answered `answered` more of its pushes,
        with others in flight: nothing it had not recorded survives but its file."""
        SyncModel.applied["kill_edge_mid_upload"] += 1
        edge = self.edges[store]

        async def sync_until_killed() -> None:
            target = edge.link.answered + answered
            running = asyncio.ensure_future(edge.sync())
            while not running.done() and edge.link.answered < target:
                await asyncio.sleep(0.001)
            running.cancel()
            with contextlib.suppress(BaseException):
                await running

        self.run(sync_until_killed())
        self.restart_edge(store)

    @rule(store=st.sampled_from(STORES))
    def restart_edge(self, store: str) -> None:
        SyncModel.applied["restart_edge"] += 1
        edge = self.edges[store]
        pushes = edge.link.pushes
        self.run(close_edge(edge))
        self.edges[store] = self.run(pipelined_edge(edge.path, self.hub, None))
        self.run(self.edges[store].sign_in())  # a restarted till signs in again
        self.edges[store].link.pushes = pushes
        self.edges[store].link.online = store not in self.partitioned

    @rule(store=st.sampled_from(STORES))
    def newer_software_writes_an_event(self, store: str) -> None:
        SyncModel.applied["newer_software_writes_an_event"] += 1
        edge = self.edges[store]
        identity = edge.runtime.identity
        assert identity is not None
        event_id = str(uuid.uuid4())

        def append(connection: Any) -> None:
            seq = connection.execute(
                text("UPDATE node SET last_seq = last_seq + 1 RETURNING last_seq")
            ).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO outbox (seq, event_id, kind, schema_version, hlc, occurred_at, payload, size_bytes, created_at) "
                    "VALUES (:seq, :event_id, 'drawer.opened', 1, :hlc, :at, '{}', 300, :at)"
                ),
                {
                    "seq": seq,
                    "event_id": event_id,
                    "hlc": f"001291197600000-{seq:06d}-{identity.node_id}",
                    "at": "2010-12-01T10:00:00+00:00",
                },
            )

        self.run(edge.runtime.database.write(append))
        self.quarantined.add(event_id)

    @invariant()
    def the_hub_holds_each_nodes_events_without_a_gap(self) -> None:
        """Seqs 1 to the node's ack and nothing above: pushes in flight together, arriving in
        any order, are applied in seq order (nothing above a gap is stored)."""

        async def held() -> list[tuple[int, list[int]]]:
            found = []
            for store in STORES:
                nodes = await self.hub.client.get(
                    f"/v1/stores/{store}/nodes", headers=self.hub.admin
                )
                for node in nodes.json():
                    async with self.hub.runtime.uow.read() as tx:
                        seqs = await tx.inbox.seqs_after(node["node_id"], 0)
                    found.append((node["acked_seq"], seqs))
            return found

        for acked, seqs in self.run(held()):
            assert seqs == list(range(1, acked + 1)), (acked, seqs)

    @invariant()
    def the_hub_never_acknowledges_more_than_a_node_wrote(self) -> None:
        for edge in self.edges.values():
            status = self.run(edge.client.get("/v1/status")).json()
            assert status["outbox"]["acked_seq"] <= status["outbox"]["last_seq"]

    def teardown(self) -> None:
        try:
            if hasattr(self, "hub"):
                self.run(self.heal_and_check())
        finally:
            for edge in self.edges.values():
                self.run(close_edge(edge))
            if hasattr(self, "hub"):
                self.run(self.hub.client.aclose())
                self.run(self.hub.runtime.stop())
            self.loop.close()
            shutil.rmtree(self.directory, ignore_errors=True)

    async def heal_and_check(self) -> None:
        for edge in self.edges.values():
            edge.link.online = True
            edge.link.lose_responses = edge.link.lose_pushes = 0
        for _ in range(5):  # a second round lets every edge hear of the others' price changes
            for edge in self.edges.values():
                status = await edge.sync()
                assert status["outbox"]["pending"] == 0, status
        report = {row["store_id"]: row for row in await self.hub.report("store")}
        for store in STORES:
            row = report.get(store, {"invoices": 0, "revenue": "0.00"})
            assert row["invoices"] == self.documents[store], store
            assert int(Decimal(str(row["revenue"])) * 100) == self.revenue_minor[store], store
        for store in STORES:
            stock = (
                await self.hub.client.get(f"/v1/stores/{store}/stock", headers=self.hub.admin)
            ).json()
            for sku in SKUS:
                expected = self.stock.get((store, sku), 50) + self.adjustments.get((store, sku), 0)
                assert stock[sku] == expected, (store, sku, stock[sku], expected)
                # ...and the store's till holds the same level, from its feed
                item = (await self.edges[store].client.get(f"/v1/catalogue/{sku}")).json()
                assert item["on_hand"] == expected, (store, sku, item, expected)
        report = {row["store_id"]: row for row in await self.hub.report("store")}
        for store in STORES:
            tax = report.get(store, {"tax": "0.00"})["tax"]
            assert int(Decimal(str(tax)) * 100) == self.tax_minor[store], store
        for edge in self.edges.values():
            for sku, price in self.prices.items():
                item = (await edge.client.get(f"/v1/catalogue/{sku}")).json()
                assert Decimal(item["unit_price"]) == price, (sku, item)
                rate = self.tax_rate if sku != "C" else None
                assert (Decimal(item["tax_rate"]) if item["tax_rate"] else None) == rate, item
                offers = [
                    (-percent, promotion)
                    for promotion, (on, percent, active) in self.promotions.items()
                    if on == sku and active
                ]
                best = min(offers)[1] if offers else None
                assert item["promotion_id"] == best, (sku, item, self.promotions)
        held = (
            await self.hub.client.get(
                "/v1/quarantine", params={"limit": 1000}, headers=self.hub.admin
            )
        ).json()
        assert self.quarantined <= {item["event_id"] for item in held}
        alerts = (await self.hub.client.get("/v1/integrity/alerts", headers=self.hub.admin)).json()
        assert alerts == []
        cash = (await self.hub.client.get("/v1/reports/cash", headers=self.hub.admin)).json()
        for store in STORES:
            rows = [row for row in cash["rows"] if row["store_id"] == store]
            assert sum(row["movements"] for row in rows) == self.cash_movements[store], store
            net = sum(int(Decimal(row["net"]) * 100) for row in rows)
            assert net == self.cash_net_minor[store], store
        for customer in {customer for customer, _ in self.edits}:
            path = f"/v1/records/customer/{customer}"
            at_hub = (await self.hub.client.get(path, headers=self.hub.admin)).json()
            for (edited, field), made in self.edits.items():
                if edited == customer:  # the edit with the highest stamp won, wherever made
                    assert at_hub["fields"][field]["value"] == max(made)[1], (customer, field)
            for store, edge in self.edges.items():  # every replica: same fields, same stamps
                assert (await edge.client.get(path)).json() == at_hub, (store, customer)


RULES = [
    "take_back",
    "move_cash",
    "edit_customer",
    "erp_counts_the_shelf",
    "hq_reprices",
    "hq_sets_the_tax_rate",
    "hq_runs_a_promotion",
    "sync",
    "partition",
    "heal",
    "lose_next_answer",
    "deliver_an_old_push_again",
    "restart_edge",
    "newer_software_writes_an_event",
    "lose_next_pushes",
    "hold_back_next_pushes",
    "deliver_next_push_twice",
    "kill_edge_mid_upload",
]


@pytest.mark.timeout(900)
def test_edges_and_hub_converge_with_every_sale_counted_once(
    postgres: TemporaryCluster, hub_template: str
) -> None:
    SyncModel.cluster = postgres
    SyncModel.template = hub_template
    machine = SyncModel.TestCase
    machine.settings = settings(
        max_examples=int(os.environ.get("VECTIS_MODEL_EXAMPLES", "20")),
        stateful_step_count=30,
        # The same runs every time (the gate must not pass or fail by luck: with a fresh
        # seed a run now and then left a rule unexercised); VECTIS_MODEL_RANDOM=1 explores.
        derandomize=os.environ.get("VECTIS_MODEL_RANDOM") != "1",
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    SyncModel.applied = Counter()
    machine().runTest()
    never = [name for name in RULES if SyncModel.applied[name] == 0]
    assert never == [], f"rules never exercised: {never}"
