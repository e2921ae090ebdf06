"""`vectis edge`: serve a store's edge node, migrate its SQLite file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from vectis.cli.common import console, fail
from vectis.serve import configure_logging

edge_app = typer.Typer(help="A store's edge node (SQLite).", no_args_is_help=True)


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
    enrolment_token_file: Annotated[
        Path | None,
        typer.Option(
            help="A file holding the one-time token from HQ (or VECTIS_EDGE_ENROLMENT_TOKEN; "
            "never the token itself on the command line, where `ps` shows it)"
        ),
    ] = None,
    node_name: Annotated[str | None, typer.Option(help="A name for this node at HQ")] = None,
    clock: Annotated[
        str, typer.Option(help="system, or manual: time moves only by PUT /v1/clock (replay)")
    ] = "system",
    clock_start: Annotated[
        datetime | None, typer.Option(help="Start of a manual clock (ISO 8601 with offset)")
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            help="A Host name the till API answers to besides localhost and the bound host "
            "(repeatable; others get 400 host_not_allowed)"
        ),
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
        ("enrolment_token_file", enrolment_token_file),
        ("allowed_hosts", allowed_host),
    ):
        if value is not None:
            overrides[name] = value
    if enrolment_token_file is not None and not enrolment_token_file.is_file():
        fail(f"enrolment token file {enrolment_token_file} not found")
        return
    try:
        settings = EdgeSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        fail(str(error))
        return
    configure_logging()
    serve_edge(settings)


@edge_app.command("migrate")
def edge_migrate(database: Annotated[Path, typer.Option(help="The store's SQLite file")]) -> None:
    """Bring an edge node's SQLite file to the newest schema."""
    from migrations.runner import upgrade_edge

    upgrade_edge(database.resolve())
    console.print(f"{database} is at the newest schema")
