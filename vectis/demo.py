"""The demo: a hub and two edge nodes on loopback sell two weeks of real sales; store 2 goes
offline for two days and catches up; the hub's books are checked against the file.

Its work dir holds an admin token, node credentials and logs: it is made 0700 and everything
in it 0600, and it carries a marker file so that a later run empties only a directory the demo
made (another needs `--force`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

from vectis.replay.dataset import bundled_dataset
from vectis.replay.driver import run_replay
from vectis.replay.hq import DEMO_STAFF, StaffMember
from vectis.replay.options import TIMEZONE, OfflineWindow, ReplayOptions
from vectis.replay.report import print_result
from vectis.replay.result import ReplayResult

# Store 2 loses its line on Friday 3 December 2010 at noon and gets it back on Monday 6
# December at 15:00: more than a trading day of sales queue up in its outbox meanwhile.
DEMO_OFFLINE = OfflineWindow(
    store_no=2,
    start=datetime(2010, 12, 3, 12, 0, tzinfo=ZoneInfo(TIMEZONE)),
    end=datetime(2010, 12, 6, 15, 0, tzinfo=ZoneInfo(TIMEZONE)),
)
DEMO_PORTS = {"hub": 8700, "store-1": 8701, "store-2": 8702}
# Present in every work dir the demo made: the next run may empty it.
MARKER = ".vectis-demo"
# Where `vectis demo` works unless told otherwise (`vectis till --store N` looks there too).
DEMO_WORK_DIR = Path(".vectis/demo")
# Written in the work dir while the demo serves, removed when it stops: the edges' URLs that
# `vectis till --store N` opens a till on (vectis/cli/till.py reads it).
URLS_FILE = "urls.json"


class WorkDirNotOurs(Exception):
    """The work dir holds files and was not made by the demo: emptying it needs `--force`."""

    def __init__(self, work_dir: Path) -> None:
        super().__init__(
            f"{work_dir} is not empty and was not made by `vectis demo`: choose another "
            "--work-dir, or pass --force to delete what is in it"
        )
        self.work_dir = work_dir


def prepare_work_dir(work_dir: Path, *, force: bool) -> None:
    """Make `work_dir` afresh for a run: 0700 with its marker, emptied if an earlier run made it.

    Raises WorkDirNotOurs if it exists, is not empty and has no marker, unless `force`;
    NotADirectoryError if it is a file.
    """
    if work_dir.exists():
        if not work_dir.is_dir():
            raise NotADirectoryError(f"{work_dir} is a file, not a directory")
        if any(work_dir.iterdir()) and not (work_dir / MARKER).is_file() and not force:
            raise WorkDirNotOurs(work_dir)
        shutil.rmtree(work_dir)
    work_dir.mkdir(mode=0o700, parents=True)
    work_dir.chmod(0o700)
    marker = work_dir / MARKER
    marker.write_text("Made by `vectis demo`: its next run empties this directory.\n")
    marker.chmod(0o600)


def _free(port: int) -> bool:
    """Whether a server could listen on `port` (SO_REUSEADDR as uvicorn sets it: a port in
    TIME_WAIT after an earlier run is free, one another process listens on is not)."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def run_demo(
    work_dir: Path, *, keep_serving: bool, console: Console, force: bool = False
) -> bool:
    """Run the demo; True if the hub reconciles exactly with the file.

    Everything it writes, and the processes it starts write, is readable by this user only
    (umask 077 while it runs). Raises WorkDirNotOurs (see prepare_work_dir).
    """
    prepare_work_dir(work_dir, force=force)
    previous = os.umask(0o077)
    try:
        return await _run(work_dir, keep_serving=keep_serving, console=console)
    finally:
        os.umask(previous)


async def _run(work_dir: Path, *, keep_serving: bool, console: Console) -> bool:
    dataset = bundled_dataset()
    ports = {name: port for name, port in DEMO_PORTS.items() if _free(port)}
    options = ReplayOptions(
        dataset=dataset,
        work_dir=work_dir,
        stores=2,
        offline=[DEMO_OFFLINE],
        hub_database="sqlite",
        ports=ports,
    )
    console.print(
        f"Vectis Edge demo: replaying {dataset.name} (Online Retail, UCI, CC BY 4.0)\n"
        "through a hub and 2 edge nodes on 127.0.0.1; store-2 is offline from "
        f"{DEMO_OFFLINE.start:%a %d %b %H:%M} to {DEMO_OFFLINE.end:%a %d %b %H:%M} (dataset time).\n"
        "Every line is scanned at a till over HTTP; this takes a minute or two...",
    )

    async def show(result: ReplayResult) -> None:
        print_result(result, console)
        _print_where(result, console, keep_serving, work_dir)
        if keep_serving:
            urls_path = write_urls(work_dir, result.urls, options.stores)
            try:
                await _wait_for_interrupt()
            finally:
                urls_path.unlink(missing_ok=True)

    result = await run_replay(options, on_result=show)
    return result.ok


def write_urls(work_dir: Path, urls: dict[str, str], stores: int) -> Path:
    """Write URLS_FILE in `work_dir` for `vectis till --store N`: this process's pid, the hub's
    URL and each store's edge URL (`urls` as ReplayResult.urls holds them; no token). Returns
    its path.

    Shape: {"pid": int, "hub": str, "stores": {"1": {"store_id": "store-1", "edge_url": str}},
    "replay_tills": ["T1", "T2"]}.
    """
    from vectis.replay.dataset import store_id
    from vectis.replay.till import TILLS

    body = {
        "pid": os.getpid(),
        "hub": urls["hub"],
        "stores": {
            str(number): {"store_id": store_id(number), "edge_url": urls[store_id(number)]}
            for number in range(1, stores + 1)
        },
        "replay_tills": list(TILLS),
    }
    path = work_dir / URLS_FILE
    path.write_text(json.dumps(body, indent=2) + "\n")
    path.chmod(0o600)
    return path


def demo_till_id() -> str:
    """The first lane the replay does not ring sales on ("T3" while it uses T1 and T2): the
    one `vectis till --store N` opens."""
    from vectis.replay.till import TILLS

    number = 1
    while f"T{number}" in TILLS:
        number += 1
    return f"T{number}"


def _till_commands(store_no: int, edge_url: str, work_dir: Path) -> tuple[str, str]:
    """The two ways to open a till on store `store_no`: by store number, and by URL."""
    demo_dir = "" if work_dir == DEMO_WORK_DIR else f" --demo-dir {work_dir}"
    return (
        f"vectis till --store {store_no}{demo_dir}",
        f"vectis till --edge-url {edge_url} --till-id {demo_till_id()}",
    )


def _manager() -> StaffMember:
    """The demo's manager: who signs in to each store's dashboard."""
    return next(member for member in DEMO_STAFF if member.role == "manager")


def _print_where(
    result: ReplayResult, console: Console, keep_serving: bool, work_dir: Path
) -> None:
    urls = result.urls
    console.print("\nWhere things are:")
    console.print(f"  hub            {urls['hub']}  (API docs {urls['hub']}/docs)")
    console.print(f"                 admin token: {urls['admin_token']}")
    console.print(f"                 database: {urls['hub_database']}")
    for store_no, store in enumerate(("store-1", "store-2"), start=1):
        console.print(
            f"  {store} edge   {urls[store]}  (API docs {urls[store]}/docs, status {urls[store]}/v1/status)"
        )
        console.print(f"                 SQLite file: {urls[store + '_file']}")
        console.print(
            f"                 manager's dashboard: {urls[store]}/dashboard  (sign in as "
            f"{_manager().name}: staff code {_manager().staff_code}, PIN {_manager().pin})"
        )
        if keep_serving:
            by_store, by_url = _till_commands(store_no, urls[store], work_dir)
            console.print(f"                 open a till: {by_store}", markup=False)
            console.print(f"                          or: {by_url}", markup=False)
    if "acquirer" in urls:
        console.print(
            f"  card acquirer  {urls['acquirer']}  (simulated; API key: {urls['acquirer_api_key']}; "
            f"settlement: {urls['acquirer']}/v1/settlements/DAY)"
        )
    console.print(f"  logs           {urls['logs']}")
    for member in DEMO_STAFF:
        console.print(
            f"  {member.name:<14} staff code {member.staff_code}, PIN {member.pin} "
            f"({member.role}, at every store)"
        )
    console.print(
        f"  try:           curl -s -H 'Authorization: Bearer {urls['admin_token']}' "
        f"'{urls['hub']}/v1/reports/sales?group_by=store_day'"
    )
    if keep_serving:
        console.print("\nEverything keeps running; press Ctrl-C to stop.")
    else:
        console.print(
            "\n(Not a terminal: stopping now. Run `vectis demo --serve` to keep it running.)"
        )


async def _wait_for_interrupt() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal_number, stop.set)
    await stop.wait()
