"""`vectis till`: the cashier's terminal for one lane (docs/cashier-guide.md).

`--store N` opens a till on store N of a running `vectis demo --serve`: the demo writes its
edges' URLs to `urls.json` in its work dir while it serves, and this reads them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from vectis.cli.common import fail

DEFAULT_EDGE_URL = "http://127.0.0.1:8801"


class DemoNotRunning(Exception):
    """No demo serves from the work dir asked (no urls.json, its process gone, or no such
    store): the message says what to do."""


def _running(pid: int) -> bool:
    """Whether process `pid` exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    return True


def demo_edge_url(demo_dir: Path, store_no: int) -> str:
    """The edge URL of store `store_no` of the demo serving from `demo_dir` (its urls.json,
    see vectis.demo.write_urls). Raises DemoNotRunning when there is no such file, the demo
    that wrote it has stopped, or the demo has no store `store_no`."""
    from vectis.demo import URLS_FILE

    path = demo_dir / URLS_FILE
    start = "start one with `vectis demo --serve` and wait for its 'Where things are'"
    if not path.is_file():
        raise DemoNotRunning(
            f"no demo is serving from {demo_dir.resolve()} (no {URLS_FILE} there): {start}, "
            "or point at its work dir with --demo-dir"
        )
    try:
        body = json.loads(path.read_text())
        pid = int(body["pid"])
        stores: dict[str, dict[str, str]] = body["stores"]
    except (ValueError, KeyError, TypeError) as error:
        raise DemoNotRunning(f"{path} is not a demo's {URLS_FILE} ({error}): {start}") from error
    if not _running(pid):
        raise DemoNotRunning(f"the demo that wrote {path} (process {pid}) has stopped: {start}")
    store = stores.get(str(store_no))
    if store is None:
        known = ", ".join(sorted(stores)) or "none"
        raise DemoNotRunning(f"the demo has no store {store_no} (its stores: {known})")
    return store["edge_url"]


def till(
    edge_url: Annotated[
        str | None,
        typer.Option(
            help=f"The store's edge node (its till API) [default: {DEFAULT_EDGE_URL}]",
            show_default=False,
        ),
    ] = None,
    till_id: Annotated[
        str | None,
        typer.Option(
            help="This lane's till id at the store [default: T1; with --store: T3, a lane the "
            "demo's replay leaves free]",
            show_default=False,
        ),
    ] = None,
    store: Annotated[
        int | None,
        typer.Option(
            help="Open a till on store N of the running `vectis demo --serve` (instead of "
            "--edge-url)",
            min=1,
        ),
    ] = None,
    demo_dir: Annotated[
        Path | None,
        typer.Option(help="The demo's work dir, for --store [default: .vectis/demo]"),
    ] = None,
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
    if store is not None:
        if edge_url is not None:
            fail("give --store or --edge-url, not both")
        from vectis.demo import DEMO_WORK_DIR, demo_till_id

        try:
            edge_url = demo_edge_url(demo_dir or DEMO_WORK_DIR, store)
        except DemoNotRunning as error:
            fail(str(error))
            return
        till_id = till_id or demo_till_id()
    elif demo_dir is not None:
        fail("--demo-dir goes with --store")
    from pos_ui.app import TillApp  # the UI loads only for this command
    from pos_ui.client import TillClient

    client = TillClient(edge_url or DEFAULT_EDGE_URL, till_id or "T1")
    TillApp(client, double_scan_s=double_scan_window).run()
