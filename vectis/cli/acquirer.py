"""`vectis acquirer-sim`: serve the simulated card acquirer (docs/payments.md)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from vectis.cli.common import fail


def acquirer_sim(
    database: Annotated[
        Path, typer.Option(help="The simulator's SQLite file (created if missing)")
    ] = Path("acquirer.db"),
    host: Annotated[str, typer.Option(help="Interface to bind (loopback by default)")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port")] = 8790,
    api_key: Annotated[
        str | None,
        typer.Option(
            help="The key clients send as `Authorization: Bearer` (or VECTIS_ACQUIRER_API_KEY, "
            "which `ps` does not show)"
        ),
    ] = None,
    currency: Annotated[
        str, typer.Option(help="The settlement report's currency on a day without payments")
    ] = "GBP",
    clock: Annotated[
        str, typer.Option(help="system, or manual: time moves only by PUT /v1/clock (replay)")
    ] = "system",
    clock_start: Annotated[
        datetime | None, typer.Option(help="Start of a manual clock (ISO 8601 with offset)")
    ] = None,
) -> None:
    """Serve the simulated card acquirer until interrupted: payments, refunds, deterministic
    declines and a settlement report per day, durable in its own SQLite file."""
    import uvicorn

    from shared.money import MINOR_UNITS
    from vectis.acquirer.app import create_app
    from vectis.acquirer.clock import AcquirerClock
    from vectis.serve import configure_logging

    key = api_key or os.environ.get("VECTIS_ACQUIRER_API_KEY")
    if not key:
        fail("an API key is needed: --api-key or VECTIS_ACQUIRER_API_KEY")
        return
    if clock not in ("system", "manual"):
        fail(f"--clock is system or manual, not {clock!r}")
        return
    if clock_start is not None and clock_start.tzinfo is None:
        fail("--clock-start needs an offset (2026-03-02T09:00:00+00:00)")
        return
    if currency not in MINOR_UNITS:
        fail(f"unknown currency {currency!r}")
        return
    configure_logging()
    app = create_app(
        database.resolve(), key, AcquirerClock(clock == "manual", clock_start), currency
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
