"""One store's run on a thread of its own: offline windows, timed drains, and chaos kills."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
import zlib

from vectis.progress import Counter, task
from vectis.replay.dataset import DatasetInvoice
from vectis.replay.errors import EdgeRefused
from vectis.replay.options import OfflineWindow
from vectis.replay.result import Drain
from vectis.replay.stack import EdgeHandle
from vectis.replay.till import TillSession, forward_cards

log = logging.getLogger("vectis.replay")


class StoreRun:
    """Replays one store's invoices on a thread; cuts and restores its link; times its drains."""

    def __init__(
        self,
        tills: list[TillSession],
        invoices: list[DatasetInvoice],
        windows: list[OfflineWindow],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.tills = tills
        self.session = tills[0]  # the store's edge, its link and its status
        self.invoices = invoices
        self.windows = windows
        self.loop = loop
        self.refused: list[dict[str, str]] = []
        self.drains: list[Drain] = []
        self._watchers: list[threading.Thread] = []

    def _set_link(self, online: bool) -> None:
        # The proxy lives on the event loop; this runs on the store's thread.
        asyncio.run_coroutine_threadsafe(self.session.edge.set_online(online), self.loop).result()

    def run(self) -> None:
        """Ring up the store's invoices in order, its bar counting the lines rung up or refused."""
        total = sum(len(invoice.lines) for invoice in self.invoices)
        with task(f"{self.session.edge.store_id} selling", total=total, unit="lines") as lines:
            self._run(lines)

    def _run(self, lines: Counter) -> None:
        edge = self.session.edge
        day = None
        for invoice in self.invoices:
            if self.session.stop.is_set():
                return
            offline = any(window.covers(invoice.business_time) for window in self.windows)
            if offline and edge.proxy.online:
                log.info("%s goes offline at %s", edge.store_id, invoice.business_time)
                self._set_link(False)
            elif not offline and not edge.proxy.online:
                self.reconnect()
            elif not offline and self.session.cards and day not in (None, invoice.business_day):
                # Before a new day's trade the manager forwards what the terminal stored while
                # the acquirer did not answer (a chaos run's lost answers): the forwarder's own
                # 15 s round is long in a replay that runs a day in seconds.
                forward_cards(self.session, 120)
            day = invoice.business_day
            till = self.tills[zlib.crc32(invoice.invoice_no.encode()) % len(self.tills)]
            try:
                till.ring_up(invoice)
            except EdgeRefused as refusal:
                self.refused.extend(
                    {
                        "invoice": invoice.invoice_no,
                        "stock_code": line.stock_code,
                        "reason": str(refusal),
                    }
                    for line in invoice.lines
                )
            lines.advance(len(invoice.lines))
        for till in self.tills:  # the last business day's Z reports
            if not self.session.stop.is_set():
                till.shifts.close()
        if not edge.proxy.online:
            self.reconnect()

    def reconnect(self) -> None:
        edge = self.session.edge
        outbox = self.session.status()["outbox"]
        target = int(outbox["last_seq"])
        backlog = target - int(outbox["acked_seq"])
        log.info("%s back online with %d events to upload", edge.store_id, backlog)
        started = time.perf_counter()  # the upload starts with the link, cards or not
        self._set_link(True)
        if self.session.cards:  # the manager forwards the cards taken offline at once
            forward_cards(self.session, 120)
        watcher = threading.Thread(
            target=self._watch_drain, args=(target, backlog, started), daemon=True
        )
        watcher.start()
        self._watchers.append(watcher)

    def _watch_drain(self, target: int, backlog: int, started: float) -> None:
        """Until the hub acknowledged `target`: a Drain timed from `started` (perf_counter)."""
        session = TillSession(self.session.edge, scan=False)
        try:
            while int(session.status()["outbox"]["acked_seq"]) < target:
                time.sleep(0.05)
        finally:
            session.close()
        self.drains.append(
            Drain(self.session.edge.store_id, backlog, time.perf_counter() - started)
        )

    def finish(self, timeout_s: float) -> None:
        for watcher in self._watchers:
            watcher.join(timeout_s)


async def kill_now_and_then(
    edge: EdgeHandle, seed: int | None, stop: asyncio.Event, kills: dict[str, int]
) -> None:
    """SIGKILL the edge at seeded random moments (every 4 to 15 s) and start it again on its file."""
    rng = random.Random((seed or 0) * 7919 + edge.store_no)
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=rng.uniform(4.0, 15.0))
            return
        except TimeoutError:
            pass
        await asyncio.to_thread(edge.process.kill)
        kills[edge.store_id] = kills.get(edge.store_id, 0) + 1
        log.info("%s killed (SIGKILL), restarting", edge.store_id)
        await edge.restart()
