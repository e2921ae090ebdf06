"""Replay of real sales through edge nodes: every invoice is rung up on a till, over HTTP.

For each store (invoices spread by `store_for`), one task walks its invoices in time order:
it moves the edge's driven clock to the invoice's time, opens a cart, scans the lines (the
file's unit price is charged, as a price override where it differs from the catalogue),
and tenders cash; a cancellation becomes a return without receipt. While the invoice time
is inside one of the store's offline windows, the store's proxy is cut and the edge sells
on, queueing its outbox. At the end every link is restored, every outbox must drain, and the
hub's report is compared with totals computed from the file alone.

Requests carry client-chosen ids derived from the store and invoice, so any request may be
retried (after a timeout or an edge restart) without selling anything twice.

This module runs the whole replay; a store's till is in `till.py`, a store's run (its offline
windows, drains and chaos kills) in `store_run.py`, what is asked and found in `options.py`
and `result.py`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from vectis.chaos import ChaosPolicy
from vectis.progress import task
from vectis.replay.catalogue import derive_catalogue, derive_opening_stock, tax_code_of
from vectis.replay.dataset import (
    CURRENCY,
    VAT_CODE,
    VAT_RATE,
    Dataset,
    DatasetInvoice,
    read_dataset,
    store_for,
    store_id,
)
from vectis.replay.errors import ReplayError
from vectis.replay.hq import DEMO_STAFF, HqClient
from vectis.replay.options import TIMEZONE, ReplayOptions
from vectis.replay.reconcile import Mismatch, Report, compare, expected_report
from vectis.replay.result import ReplayResult
from vectis.replay.settlement import (
    check_settlement,
    fetch_outcomes,
    fetch_settlement,
    hub_card_money,
    offline_summary,
)
from vectis.replay.stack import Stack
from vectis.replay.store_run import StoreRun, kill_now_and_then
from vectis.replay.tender_report import TenderTally, check_tenders
from vectis.replay.tenders import plan_all
from vectis.replay.till import (
    TILLS,
    TillSession,
    forward_cards,
    wait_for_catalogue,
    wait_until_drained,
)
from vectis.replay.z_reports import ZLine, check_z_reports

# The data is a wholesaler's: lines of thousands of units, invoices of thousands of pounds,
# cancellations refunded without a receipt at each customer's own price. HQ sets such a
# store's till limits far above a high street shop's defaults (shared.till_limits).
WHOLESALE_TILL_LIMITS = {
    "refund_approval_over": "10000000.00",
    "no_receipt_refund_over": "10000000.00",
    "line_quantity_max": 1_000_000,
    "line_amount_max": "10000000.00",
    "sale_total_max": "100000000.00",
    "no_receipt_above_catalogue_price": True,
}

OnResult = Callable[[ReplayResult], Awaitable[None]]


async def run_replay(options: ReplayOptions, *, on_result: OnResult | None = None) -> ReplayResult:
    """Replay `options.dataset` and reconcile.

    `on_result` is awaited with the result while every process is still running (the demo
    prints where to reach them and waits there); the stack stops when it returns.
    Raises ReplayError (and ProcessFailed if a service does not start).
    """
    with task(f"reading {options.dataset.name}"):
        dataset = await asyncio.to_thread(
            read_dataset, options.dataset, first_day=options.first_day, last_day=options.last_day
        )
    if not dataset.invoices:
        raise ReplayError(
            f"no invoices in {options.dataset} between {options.first_day} and {options.last_day}"
        )
    for window in options.offline:
        if not 1 <= window.store_no <= options.stores:
            raise ReplayError(
                f"offline window for store {window.store_no}, but stores are 1..{options.stores}"
            )
    expected = expected_report(dataset, options.stores)
    options.work_dir = options.work_dir.resolve()
    options.work_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(work_dir=options.work_dir)
    try:
        return await _replay(dataset, expected, options, stack, on_result)
    finally:
        await stack.aclose()


async def _replay(
    dataset: Dataset,
    expected: Report,
    options: ReplayOptions,
    stack: Stack,
    on_result: OnResult | None,
) -> ReplayResult:
    if options.hub_url:
        if not options.admin_token:
            raise ReplayError("--hub-url needs the hub's admin token (VECTIS_HUB_ADMIN_TOKEN)")
        stack.use_hub(options.hub_url, options.admin_token)
    else:
        with task(f"starting a {options.hub_database} hub"):
            await stack.start_hub(
                options.hub_database,
                port=options.ports.get("hub"),
                durable_postgres=options.durable_postgres,
                database_url=options.hub_database_url,
            )
    hq = HqClient(stack.hub_url, stack.admin_token)
    sessions: list[TillSession] = []  # the first till of each store
    tills: dict[int, list[TillSession]] = {}
    try:
        catalogue = derive_catalogue(dataset)
        opening = derive_opening_stock(dataset, options.stores)
        await hq.put_tax_rate(VAT_CODE, VAT_RATE)  # before the catalogue that names it
        erp_key = await hq.create_api_key("replay-erp", "erp")
        erp = HqClient(stack.hub_url, erp_key)
        try:
            await erp.import_catalogue(catalogue, CURRENCY, tax_code=tax_code_of)
            for number in range(1, options.stores + 1):
                await hq.ensure_store(store_id(number), f"Store {number}", TIMEZONE, CURRENCY)
                await hq.put_till_limits(store_id(number), WHOLESALE_TILL_LIMITS)
                await erp.push_stock(store_id(number), opening.get(number, {}), "opening stock")
        finally:
            await erp.aclose()
        stores = [store_id(number) for number in range(1, options.stores + 1)]
        for member in DEMO_STAFF:  # a cashier and a manager at every store
            await hq.ensure_staff(member, stores)
        by_store: dict[int, list[DatasetInvoice]] = {
            number: [] for number in range(1, options.stores + 1)
        }
        for invoice in dataset.invoices:
            by_store[store_for(invoice, options.stores)].append(invoice)
        first_time = dataset.invoices[0].business_time
        stop = threading.Event()
        prices = {item.sku: item.unit_price for item in catalogue}
        plans = plan_all(dataset.invoices, options.stores)
        if options.cards:
            await stack.start_acquirer(port=options.ports.get("acquirer"))
        cards = options.cards
        host, _, hub_port = stack.hub_url.removeprefix("http://").partition(":")
        policies: dict[int, ChaosPolicy] = {}
        card_policies: dict[int, ChaosPolicy] = {}
        for number in range(1, options.stores + 1):
            if options.chaos_seed is not None:
                policies[number] = ChaosPolicy(
                    options.chaos_seed * 1000 + number, host, int(hub_port)
                )
                if stack.acquirer is not None:
                    card_policies[number] = ChaosPolicy(
                        options.chaos_seed * 1000 + 500 + number, "127.0.0.1", stack.acquirer.port
                    )
            token = await hq.enrolment_token(store_id(number))
            edge = await stack.start_edge(
                number,
                store_id(number),
                token,
                first_time,
                port=options.ports.get(store_id(number)),
                policy=policies.get(number),
                acquirer_policy=card_policies.get(number),
            )
            tills[number] = [
                TillSession(
                    edge,
                    scan=options.scan,
                    stop=stop,
                    till_id=till_id,
                    prices=prices,
                    plans=plans,
                    cards=cards,
                )
                for till_id in TILLS
            ]
            sessions.append(tills[number][0])
        try:
            with task("edges pulling the catalogue", unit="prices") as pulled:
                await asyncio.to_thread(
                    wait_for_catalogue, sessions, len(catalogue), counter=pulled
                )
            for session in (till for store in tills.values() for till in store):
                await asyncio.to_thread(session.sign_in)
                await asyncio.to_thread(session.shifts.adopt)
        except asyncio.CancelledError:
            stop.set()  # the thread polls the edges until told; the stack stops them next
            raise
        loop = asyncio.get_running_loop()
        runs = [
            StoreRun(
                tills[session.edge.store_no],
                by_store[session.edge.store_no],
                [window for window in options.offline if window.store_no == session.edge.store_no],
                loop,
            )
            for session in sessions
        ]
        started = time.perf_counter()
        started_on = datetime.now(UTC).date()  # the acquirer settles on its (system) clock
        killing = asyncio.Event()
        kills: dict[str, int] = {}
        killers = [
            asyncio.create_task(kill_now_and_then(session.edge, options.chaos_seed, killing, kills))
            for session in sessions
            if options.chaos_seed is not None
        ]
        try:
            await asyncio.gather(*(asyncio.to_thread(run.run) for run in runs))
        except BaseException:
            # Interrupted (Ctrl-C) or failed: let the till threads finish their current request.
            stop.set()
            raise
        finally:
            killing.set()
            await asyncio.gather(*killers, return_exceptions=True)
        if cards:  # what is still stored offline goes to the acquirer before the books close
            for session in sessions:
                await asyncio.to_thread(forward_cards, session, options.drain_timeout_s)
        with task("outboxes draining to the hub", unit="events") as uploaded:
            await asyncio.to_thread(wait_until_drained, sessions, options.drain_timeout_s, uploaded)
        for run in runs:
            await asyncio.to_thread(run.finish, options.drain_timeout_s)
        seconds = time.perf_counter() - started
        days = [invoice.business_day for invoice in dataset.invoices]
        first, last = options.first_day or min(days), options.last_day or max(days)
        actual = await hq.sales_report(first, last)
        z_lines = [ZLine.of(kept) for kept in await hq.z_reports(first, last)]
        tally = TenderTally()
        for till in (till for store in tills.values() for till in store):
            tally.merge(till.tally)
        tally.fill(expected)  # what the tills took for the file's invoices
        tenders_source = "hub" if actual.tenders_by_day else "replay"
        if tenders_source == "replay":  # a hub whose report does not break tenders down
            tally.fill(actual)
        card_mismatches: list[Mismatch] = []
        offline_cards: dict[str, Any] = {}
        if cards and stack.acquirer is not None:
            outcomes = await fetch_outcomes(stack.acquirer, tally.offline_cards)
            offline_cards = offline_summary(tally, outcomes)
            settlement = await fetch_settlement(
                stack.acquirer, started_on, datetime.now(UTC).date()
            )
            card_mismatches = check_settlement(
                settlement, hub_card_money(actual), tally.offline_cards, outcomes
            )
        result = ReplayResult(
            options=options,
            expected=expected,
            actual=actual,
            mismatches=compare(expected, actual)
            + check_tenders(expected, actual)
            + card_mismatches
            + check_z_reports(z_lines, actual),
            offline_cards=offline_cards,
            tenders_source=tenders_source,
            tally=tally,
            z_reports=z_lines,
            skipped=list(dataset.skipped),
            refused=[refusal for run in runs for refusal in run.refused],
            seconds=seconds,
            lines=sum(len(invoice.lines) for invoice in dataset.invoices),
            drains=[drain for run in runs for drain in run.drains],
            chaos=(
                {
                    "seed": options.chaos_seed,
                    "faults": {
                        store_id(number): dict(policy.counts) for number, policy in policies.items()
                    },
                    "card_faults": {
                        store_id(number): dict(policy.counts)
                        for number, policy in card_policies.items()
                    },
                    "kills": kills,
                }
                if options.chaos_seed is not None
                else None
            ),
            urls={
                "hub": stack.hub_url,
                "admin_token": stack.admin_token,
                "hub_database": stack.hub_database,
                **(
                    {"acquirer": stack.acquirer.url, "acquirer_api_key": stack.acquirer.api_key}
                    if stack.acquirer
                    else {}
                ),
                **{session.edge.store_id: session.edge.url for session in sessions},
                **{
                    f"{session.edge.store_id}_file": str(session.edge.database_path)
                    for session in sessions
                },
                "logs": str(options.work_dir / "logs"),
            },
        )
        if on_result is not None:
            await on_result(result)
        return result
    finally:
        for store in tills.values():
            for session in store:
                session.close()
        await hq.aclose()
