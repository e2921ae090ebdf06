"""The `vectis` command: serve the hub or an edge node, migrate, replay real data, demo, bench.

The top-level commands and groups are registered here, in the order `vectis --help` lists
them; each group's commands are in its own module (`hub.py`, `edge.py`, `bench.py`).
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from vectis import progress
from vectis.cli import acquirer, bench, edge, hub, replay, schemas, till

app = typer.Typer(
    help="Vectis Edge: offline-first point of sale and store-to-HQ sync.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _options(
    no_progress: Annotated[
        bool,
        typer.Option(
            "--no-progress",
            help="No progress bars on stderr (as VECTIS_PROGRESS=0); they are drawn only on a "
            "terminal anyway",
        ),
    ] = False,
) -> None:
    # Through the environment, so that the board made at first use sees it.
    if no_progress:
        os.environ[progress.ENV] = "0"


app.command("replay")(replay.replay)
app.command("demo")(replay.demo)
app.command("schemas")(schemas.schemas)
app.add_typer(hub.hub_app, name="hub")
app.add_typer(edge.edge_app, name="edge")
app.add_typer(bench.bench_app, name="bench")
app.command("acquirer-sim")(acquirer.acquirer_sim)
app.command("till")(till.till)


def main() -> None:
    app()
