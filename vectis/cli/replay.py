"""`vectis replay` and `vectis demo`: real sales rung up on edge nodes and reconciled at the hub."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vectis.cli.common import console, fail, run_async
from vectis.serve import configure_logging

if TYPE_CHECKING:
    from vectis.replay.options import ReplayOptions


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
        fail(f"dataset {dataset} does not exist")
    if stores < 1:
        fail("--stores must be at least 1")
    if hub_db not in ("sqlite", "postgres"):
        fail("--hub-db must be sqlite or postgres")
    try:
        windows = [OfflineWindow.parse(text) for text in offline or []]
    except ValueError as error:
        fail(str(error))
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
    cards: Annotated[
        bool,
        typer.Option(
            "--cards/--cash-only",
            help="Customers pay by card and gift card too (a simulated acquirer runs), or "
            "everything in cash",
        ),
    ] = True,
) -> None:
    """Sell a real data set through edge nodes and check the hub's books against the file."""
    from vectis.replay.driver import run_replay
    from vectis.replay.report import print_result

    options = _replay_options(
        dataset, stores, from_day, to_day, offline, hub_url, hub_db, work_dir, scan
    )
    options.chaos_seed = chaos
    options.cards = cards
    configure_logging("WARNING")
    result = run_async(run_replay(options))
    print_result(result, console)
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result.to_json(), indent=2) + "\n")
    raise typer.Exit(0 if result.ok else 1)


def demo(
    serve: Annotated[
        bool | None,
        typer.Option(
            help="Keep everything running after the reconciliation [default: if a terminal]"
        ),
    ] = None,
    work_dir: Annotated[
        Path,
        typer.Option(help="Where files and logs go (emptied first if an earlier demo made it)"),
    ] = Path(".vectis/demo"),
    force: Annotated[
        bool, typer.Option(help="Empty the work dir even if the demo did not make it")
    ] = False,
) -> None:
    """Hub + two edge nodes on loopback, two weeks of real sales, store 2 offline for two days."""
    from vectis.demo import WorkDirNotOurs, run_demo

    keep_serving = sys.stdin.isatty() if serve is None else serve
    configure_logging("WARNING")
    try:
        ok = run_async(run_demo(work_dir, keep_serving=keep_serving, console=console, force=force))
    except (WorkDirNotOurs, NotADirectoryError) as error:
        fail(str(error))
        return
    raise typer.Exit(0 if ok else 1)
