"""`vectis till`: the cashier's terminal for one lane (docs/cashier-guide.md)."""

from __future__ import annotations

from typing import Annotated

import typer


def till(
    edge_url: Annotated[
        str, typer.Option(help="The store's edge node (its till API), e.g. http://127.0.0.1:8801")
    ] = "http://127.0.0.1:8801",
    till_id: Annotated[str, typer.Option(help="This lane's till id at the store, e.g. T1")] = "T1",
    double_scan_window: Annotated[
        float,
        typer.Option(
            min=0,
            max=60,
            help="Seconds within which the same code scanned again asks before adding (0: never)",
        ),
    ] = 1.5,
) -> None:
    """Run the till in this terminal: sign in, open the shift, sell, pay. Ctrl+Q quits; F1
    lists every key."""
    from pos_ui.app import TillApp  # the UI loads only for this command
    from pos_ui.client import TillClient

    TillApp(TillClient(edge_url, till_id), double_scan_s=double_scan_window).run()
