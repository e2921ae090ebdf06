"""`vectis bench`: benchmarks of the replay, of sync and of the till, which print and write figures."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from vectis.cli.common import console, fail, run_async
from vectis.serve import configure_logging

bench_app = typer.Typer(help="Benchmarks that print figures.", no_args_is_help=True)


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
            fail(f"unknown hub kind {kind!r}")
    configure_logging("WARNING")
    figures = run_async(
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
    parts: Annotated[
        str, typer.Option(help="Comma-separated parts: catchup, ingest, bootstrap, price")
    ] = "catchup,ingest,bootstrap,price",
    catchup_pipelines: Annotated[
        str,
        typer.Option(
            help="Catch-ups to run besides, one per value in this order (e.g. 1,4,1,4): that "
            "many pushes in flight"
        ),
    ] = "",
) -> None:
    """Catch-up, ingest (with its COPY floor), bootstrap and price propagation figures against
    a PostgreSQL hub."""
    from vectis.bench_sync import PARTS
    from vectis.bench_sync import bench_sync as run

    try:
        pipelines = tuple(int(value) for value in catchup_pipelines.split(",") if value.strip())
    except ValueError:
        fail(f"--catchup-pipelines takes whole numbers separated by commas: {catchup_pipelines!r}")
    chosen = tuple(part.strip() for part in parts.split(",") if part.strip())
    unknown = sorted(set(chosen) - set(PARTS))
    if unknown:
        raise typer.BadParameter(f"unknown parts {unknown}; choose from {', '.join(PARTS)}")

    configure_logging("WARNING")
    figures = run_async(
        run(
            work_dir=work_dir or Path(".vectis") / f"bench-sync-{datetime.now():%Y%m%d-%H%M%S}",
            console=console,
            hub_workers=hub_workers,
            skus=skus,
            parts=chosen,
            catchup_pipelines=pipelines,
        )
    )
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(figures, indent=2) + "\n")
    console.print(json.dumps(figures, indent=2))


@bench_app.command("till")
def bench_till(
    json_path: Annotated[Path, typer.Option("--json", help="Write the figures here")],
    skus: Annotated[int, typer.Option(help="Catalogue size", min=1)] = 100_000,
    scans: Annotated[int, typer.Option(help="Timed scans", min=1)] = 2000,
    checkouts: Annotated[int, typer.Option(help="Timed checkouts of four-line carts", min=1)] = 300,
    warmup: Annotated[int, typer.Option(help="Untimed scans first", min=0)] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the SKUs scanned")] = 13,
    work_dir: Annotated[Path | None, typer.Option(help="Where files and logs go")] = None,
) -> None:
    """Scan and checkout latency at a signed-in till over HTTP, edge RSS, and the SQLite floor.

    Exits 1 when a target is missed."""
    from vectis.bench_till import bench_till as run

    configure_logging("WARNING")
    figures = run_async(
        run(
            work_dir=work_dir or Path(".vectis") / f"bench-till-{datetime.now():%Y%m%d-%H%M%S}",
            console=console,
            skus=skus,
            scans=scans,
            checkouts=checkouts,
            warmup=warmup,
            seed=seed,
        )
    )
    _write_and_exit(figures, json_path)


@bench_app.command("till-ui")
def bench_till_ui(
    json_path: Annotated[Path, typer.Option("--json", help="Write the figures here")],
    skus: Annotated[int, typer.Option(help="Catalogue size", min=10)] = 1000,
    scans: Annotated[int, typer.Option(help="Timed scans, each typed key by key", min=2)] = 200,
    warmup: Annotated[int, typer.Option(help="Untimed scans first", min=0)] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the SKUs scanned")] = 13,
    work_dir: Annotated[Path | None, typer.Option(help="Where files and logs go")] = None,
) -> None:
    """Keystroke-to-screen and scan-to-line at the till app (headless) against a real edge,
    beside their floors (an empty app; the bare HTTP scan). Exits 1 when a target is missed."""
    from vectis.bench_till_ui import bench_till_ui as run

    configure_logging("WARNING")
    figures = run_async(
        run(
            work_dir=work_dir or Path(".vectis") / f"bench-till-ui-{datetime.now():%Y%m%d-%H%M%S}",
            console=console,
            skus=skus,
            scans=scans,
            warmup=warmup,
            seed=seed,
        )
    )
    _write_and_exit(figures, json_path)


@bench_app.command("dashboard")
def bench_dashboard(
    json_path: Annotated[Path, typer.Option("--json", help="Write the figures here")],
    sales: Annotated[int, typer.Option(help="Sales of the business day", min=10)] = 2000,
    samples: Annotated[int, typer.Option(help="Timed fetches of each page", min=2)] = 40,
    warmup: Annotated[int, typer.Option(help="Untimed fetches of each page first", min=0)] = 3,
    seed: Annotated[int, typer.Option(help="Seed of the day's carts")] = 17,
    work_dir: Annotated[Path | None, typer.Option(help="Where files and logs go")] = None,
) -> None:
    """Each dashboard page's p50 and p99 on a business day of SALES sales, beside two floors
    (an HTTP round trip; the API's day totals). Exits 1 when a page misses 200 ms at p99."""
    from vectis.bench_dashboard import bench_dashboard as run

    configure_logging("WARNING")
    figures = run_async(
        run(
            work_dir=work_dir
            or Path(".vectis") / f"bench-dashboard-{datetime.now():%Y%m%d-%H%M%S}",
            console=console,
            sales=sales,
            samples=samples,
            warmup=warmup,
            seed=seed,
        )
    )
    _write_and_exit(figures, json_path)


def _write_and_exit(figures: dict[str, Any], json_path: Path) -> None:
    """Write `figures` as JSON to `json_path`, print them, and exit 1 when a target is
    missed (0 when all are met)."""
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(figures, indent=2) + "\n")
    console.print(json.dumps(figures, indent=2))
    raise typer.Exit(0 if all(target["met"] for target in figures["targets"].values()) else 1)
