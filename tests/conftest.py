"""Shared fixtures: a real PostgreSQL cluster for the run, hubs and edges wired in-process;
markers applied by what each test needs."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pytest_textual_snapshot import SVGImageExtension

from migrations.runner import upgrade_hub
from tests.acquirer_support import AcquirerProcess, running_acquirer
from tests.support import Edge, Hub, close_edge, make_edge, make_hub
from tests.ui_support import UiStore, running_ui_store
from vectis.ops.postgres import TemporaryCluster
from vectis.ops.processes import ServiceProcess
from vectis.ops.temporal import TemporalDevServer

E2E = Path(__file__).parent / "e2e"

# pytest-textual-snapshot 1.0 names its file extension with syrupy 4's `_file_extension`;
# syrupy 7 reads `file_extension`, and would write every screen's snapshot as `.raw`.
SVGImageExtension.file_extension = "svg"
FUZZ = Path(__file__).parent / "fuzz"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by what it needs, so that `-m "not e2e"` (or `not temporal`) selects a
    quicker run: `postgres` and `temporal` by the fixtures it uses, directly or through others;
    `e2e` for every test under tests/e2e (they start hubs, edges or workers as processes);
    `fuzz` for every test under tests/fuzz (schemathesis, a few minutes: `-m "not fuzz"`)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        for needed in ("postgres", "temporal"):
            if needed in fixtures:
                item.add_marker(needed)
        if E2E in item.path.parents:
            item.add_marker("e2e")
        if FUZZ in item.path.parents:
            item.add_marker("fuzz")


@pytest.fixture(autouse=True)
def _processes_only_in_e2e(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that starts a service process outside tests/e2e fails, rather than slipping
    into `-m "not e2e"` runs."""
    if request.node.get_closest_marker("e2e") is not None:
        return

    def refuse(process: ServiceProcess) -> None:
        raise AssertionError(
            f"{request.node.nodeid} starts {process.name} as a process: move it to tests/e2e"
        )

    monkeypatch.setattr(ServiceProcess, "start", refuse)


@pytest.fixture(scope="session")
def postgres() -> Iterator[TemporaryCluster]:
    """One throwaway PostgreSQL server for the whole run (fsync off: tests, not benchmarks)."""
    cluster = TemporaryCluster(durable=False).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def temporal() -> Iterator[TemporalDevServer]:
    """One real Temporal server (the CLI's dev server) for the whole run; each hub that uses
    it gets a task queue of its own, so no worker takes another test's work."""
    server = TemporalDevServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def workflow_hub(pg_url: str, temporal: TemporalDevServer) -> AsyncIterator[Hub]:
    """A hub on its own PostgreSQL database whose refund approvals run on Temporal."""
    made = await make_hub(
        pg_url,
        temporal_address=temporal.address,
        temporal_task_queue=f"hub-{uuid.uuid4().hex[:12]}",
    )
    try:
        yield made
    finally:
        await made.client.aclose()
        await made.runtime.stop()


@pytest.fixture(scope="session")
def hub_template(postgres: TemporaryCluster) -> str:
    """A database migrated to head once; each test copies it (CREATE DATABASE ... TEMPLATE)."""
    upgrade_hub(postgres.create_database("vectis_template"))
    return "vectis_template"


@pytest.fixture
def pg_url(postgres: TemporaryCluster, hub_template: str) -> str:
    """A fresh, migrated hub database of its own for one test."""
    return postgres.create_database(f"t_{uuid.uuid4().hex[:16]}", template=hub_template)


@pytest.fixture
async def hub(pg_url: str) -> AsyncIterator[Hub]:
    """A hub on its own PostgreSQL database, served in-process."""
    made = await make_hub(pg_url)
    try:
        yield made
    finally:
        await made.client.aclose()
        await made.runtime.stop()


@pytest.fixture
async def sqlite_hub(tmp_path: Path) -> AsyncIterator[Hub]:
    """A hub on an embedded SQLite file, served in-process."""
    made = await make_hub(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    try:
        yield made
    finally:
        await made.client.aclose()
        await made.runtime.stop()


@pytest.fixture
async def unenrolled_edge(sqlite_hub: Hub, tmp_path: Path) -> AsyncIterator[Edge]:
    """A fresh edge node, not enrolled (its answers before anything else: limits, routes,
    its OpenAPI document)."""
    made = await make_edge(tmp_path / "edge.db", sqlite_hub, None)
    try:
        yield made
    finally:
        await close_edge(made)


@pytest.fixture
async def store(hub: Hub, tmp_path: Path) -> AsyncIterator[Edge]:
    """store-1 with a catalogue of three items, its edge enrolled and caught up."""
    await hub.create_store("store-1")
    await hub.import_items({"A": "2.55", "B": "0.85", "C": "10.00"})
    edge = await make_edge(tmp_path / "store-1.db", hub, await hub.token("store-1"))
    try:
        yield edge
    finally:
        await close_edge(edge)


@pytest.fixture
async def acquirer(tmp_path: Path) -> AsyncIterator[AcquirerProcess]:
    """The simulated acquirer (`vectis acquirer-sim`) as a real process on a free loopback
    port with its own SQLite file: `.url`, `.api_key`, `stop()`, `kill()`, `restart()` (same
    file and port), `await settlement(day)`. A process: only tests under tests/e2e use it."""
    async with running_acquirer(tmp_path / "acquirer") as process:
        yield process


@pytest.fixture
async def ui_store(tmp_path: Path, postgres: TemporaryCluster) -> AsyncIterator[UiStore]:
    """store-1 for the till's UI tests (tests/ui_support.py): a hub process on a fresh
    PostgreSQL database, its edge process, the simulated acquirer and till T1's scale, the
    demo staff and a small catalogue (GTINs, an item sold by weight, a gift card) already on
    the edge. `.edge_url`, `.till_id`, `.hq`, `cut_hub()`, `cut_cards()`, `kill_edge()`,
    `restart_edge()`, ... Processes: only tests under tests/e2e use it."""
    database_url = postgres.create_database(f"ui_{uuid.uuid4().hex[:12]}")
    async with running_ui_store(tmp_path / "store", database_url) as store:
        yield store


@pytest.fixture
async def ui_store_temporal(
    tmp_path: Path, postgres: TemporaryCluster, temporal: TemporalDevServer
) -> AsyncIterator[UiStore]:
    """`ui_store` whose hub runs refund approvals on the run's Temporal server (a task queue
    of its own): HQ can approve or reject a refund request through the hub's API."""
    database_url = postgres.create_database(f"ui_{uuid.uuid4().hex[:12]}")
    async with running_ui_store(tmp_path / "store", database_url, temporal.address) as store:
        yield store
