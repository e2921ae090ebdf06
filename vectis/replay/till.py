"""A store's till driven over the edge's HTTP API, and the waits on what every edge reports."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from vectis.http1 import Http1Connection
from vectis.progress import Counter
from vectis.replay.dataset import DatasetInvoice, DatasetLine
from vectis.replay.errors import EdgeRefused, ReplayError
from vectis.replay.hq import DEMO_STAFF, StaffMember
from vectis.replay.shifts import TillShifts
from vectis.replay.stack import EdgeHandle
from vectis.replay.tender_report import TenderTally
from vectis.replay.tenders import (
    InvoicePlan,
    PlannedTender,
    cash_tender_id,
    instead_in_cash,
    refused_kind,
    tender_body,
)

TILL_ID = "T1"
TILLS = ("T1", "T2")  # two tills at every store
CASHIER, MANAGER = DEMO_STAFF
_IDS = uuid.UUID("6f1c2a52-2f0e-4a7e-9d55-7c2b3f7a9e10")


class TillSession:
    """One store's till, driven over the edge's HTTP API from a thread of its own.

    A till sends one request at a time, so it uses a blocking client over a kept-alive
    connection (`vectis.http1`): the driver shares two cores with every process it
    drives, and that client costs a request a third of the standard library's CPU, itself a
    third of httpx's.
    """

    def __init__(
        self,
        edge: EdgeHandle,
        *,
        scan: bool,
        stop: threading.Event | None = None,
        cashier: StaffMember = CASHIER,
        approver: StaffMember = MANAGER,
        till_id: str = TILL_ID,
        prices: Mapping[str, Decimal] | None = None,
        plans: Mapping[str, InvoicePlan] | None = None,
        cards: bool = False,
    ) -> None:
        """`plans`: how each invoice is paid (`vectis.replay.tenders`; none: cash); `cards`:
        whether the store takes cards, gift cards and store credit (else all in cash)."""
        self.edge = edge
        self.prices = prices or {}
        self.plans = plans or {}
        self.cards = cards
        self.tally = TenderTally()
        self.till_id = till_id
        self.shifts = TillShifts(self.call, edge.store_id, till_id)
        self.scan = scan
        self.stop = stop or threading.Event()
        self.cashier = cashier
        self.approver = approver
        self._connection = Http1Connection("127.0.0.1", edge.port, timeout_s=120)
        self._token: str | None = None

    def close(self) -> None:
        self._connection.close()

    def sign_in(self, wait_s: float = 60) -> None:
        """The cashier signs in at this till (again, when the session ended). Until HQ's
        staff reached the edge, its answer is 401: tried again for up to `wait_s` (a staff
        code the edge does not know yet counts towards no lock). Raises EdgeRefused."""
        self._token = None
        body = {
            "till_id": self.till_id,
            "staff_code": self.cashier.staff_code,
            "pin": self.cashier.pin,
        }
        deadline = time.monotonic() + wait_s
        while True:
            try:
                session = self._call("POST", "/v1/till-sessions", body, False)
                break
            except EdgeRefused as refused:
                if refused.status != 401 or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self._token = str(session["token"])

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        approved: bool = False,
    ) -> Any:
        """One request of the signed-in cashier (signing in again when the session ended;
        with the approver's code and PIN if `approved`), retried on connection errors and 5xx
        (the edge may be restarting).

        Raises EdgeRefused on 4xx, ReplayError if the edge stays unreachable for a minute.
        """
        try:
            return self._call(method, path, body, approved)
        except EdgeRefused as refused:
            if refused.status != 401 or "not_signed_in" not in refused.body:
                raise
        self.sign_in()
        return self._call(method, path, body, approved)

    def _call(self, method: str, path: str, body: dict[str, Any] | None, approved: bool) -> Any:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        if approved:
            headers["X-Override-Staff-Code"] = self.approver.staff_code
            headers["X-Override-Pin"] = self.approver.pin
        deadline = time.monotonic() + 60
        while True:
            if self.stop.is_set():
                raise ReplayError(f"{self.edge.store_id}: replay stopped")
            try:
                status, data = self._connection.request(method, path, payload, headers)
            except OSError:  # ConnectionFailed too; the connection is closed
                if time.monotonic() > deadline:
                    raise ReplayError(
                        f"{self.edge.store_id}: {method} {path}: edge unreachable"
                    ) from None
                time.sleep(0.1)
                continue
            if status >= 500:
                if time.monotonic() > deadline:
                    raise ReplayError(f"{self.edge.store_id}: {method} {path} -> {status}")
                time.sleep(0.2)
                continue
            if status >= 400:
                raise EdgeRefused(status, data.decode(errors="replace"))
            return json.loads(data)

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call("GET", "/v1/status")
        return result

    def _lines(
        self, key: str, line: DatasetLine, gift_cards: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        """The till lines of a row of the file: one, or one per gift card it loads."""
        price = _catalogue_price_or_override(self.prices, line.stock_code, line.unit_price)
        line_id = uuid.uuid5(_IDS, f"{key}/{line.row_number}")
        if not gift_cards:
            return [
                {"line_id": str(line_id), "sku": line.stock_code, "quantity": line.quantity} | price
            ]
        return [
            {
                "line_id": str(line_id if unit == 0 else uuid.uuid5(line_id, str(unit))),
                "sku": line.stock_code,
                "quantity": 1,
                "gift_card_number": number,
            }
            | price
            for unit, number in enumerate(gift_cards)
        ]

    def ring_up(self, invoice: DatasetInvoice) -> None:
        """Sell (or take back) one invoice, as a cashier would. Raises EdgeRefused."""
        self.call("PUT", "/v1/clock", {"now": invoice.business_time.isoformat()})
        self.shifts.ensure(invoice.business_day)
        key = f"{self.edge.store_id}/{invoice.invoice_no}"
        plan = self.plans.get(invoice.invoice_no, InvoicePlan())
        if invoice.kind == "return":
            # No receipt: the data's cancellations name no invoice. A manager approves each.
            recorded = self.call(
                "POST",
                "/v1/returns",
                {
                    "return_id": str(uuid.uuid5(_IDS, key)),
                    "till_id": self.till_id,
                    "reason": "cancelled invoice",
                    "customer_id": invoice.customer_id,
                    "external_reference": invoice.invoice_no,
                    "lines": [
                        {
                            "sku": line.stock_code,
                            "quantity": -line.quantity,
                            "unit_price": str(line.unit_price),
                        }
                        for line in invoice.lines
                    ],
                },
                approved=True,
            )
            self._count(invoice, recorded.get("refunds", []), -1)
            return
        cart_id = str(uuid.uuid5(_IDS, key))
        lines = [
            till_line
            for line in invoice.lines
            for till_line in self._lines(key, line, plan.gift_cards.get(line.row_number, ()))
        ]
        # A price that is not the catalogue's is an override: the manager approves the first
        # one of the cart with their code and PIN, which holds for the rest of the cart.
        overridden = [line.get("price_reason") is not None for line in lines]
        cart = self.call(
            "POST",
            "/v1/carts",
            {"cart_id": cart_id, "till_id": self.till_id, "customer_id": invoice.customer_id}
            | ({} if self.scan else {"lines": lines}),
            approved=not self.scan and any(overridden),
        )
        try:
            total = Decimal(cart["total"])
            if self.scan:
                approved = False
                for line, override in zip(lines, overridden, strict=True):
                    asks = override and not approved
                    scanned = self.call(
                        "POST", f"/v1/carts/{cart_id}/lines", {"lines": [line]}, approved=asks
                    )
                    total, approved = Decimal(scanned["total"]), approved or asks
            self._checkout(invoice, cart_id, total, plan)
        except EdgeRefused:
            # As a cashier would: the sale cannot go through, so it is voided (with the
            # manager's approval), and the till's shift can still close.
            self.call("POST", f"/v1/carts/{cart_id}/void", approved=True)
            raise

    def _checkout(
        self, invoice: DatasetInvoice, cart_id: str, total: Decimal, plan: InvoicePlan
    ) -> None:
        """Pay as planned; a card or gift card the till refuses (declined, above an offline
        cap, balance too low) is paid in cash instead, as a cashier would ask for."""
        tenders = plan.tenders
        if not self.cards or sum((t.amount for t in tenders), Decimal(0)) != total:
            # Cash only, or the edge's total is not the file's (the reconciliation says so).
            tenders = instead_in_cash(invoice.invoice_no, tenders, "card")
            tenders = instead_in_cash(invoice.invoice_no, tenders, "gift_card")
            if sum((t.amount for t in tenders), Decimal(0)) != total:
                tenders = (PlannedTender("cash", total, cash_tender_id(invoice.invoice_no)),)
        if total <= 0:
            tenders = ()
        waited = False
        while True:
            try:
                sale = self.call(
                    "POST",
                    f"/v1/carts/{cart_id}/checkout",
                    {
                        "tenders": [tender_body(tender) for tender in tenders],
                        "external_reference": invoice.invoice_no,
                    },
                )
            except EdgeRefused as refused:
                if refused.code == "unknown_account" and not waited and self.edge.proxy.online:
                    # The replay runs days in seconds: a gift card sold "yesterday" may not have
                    # reached the hub yet, as it would have in a day. Let it, then ask again.
                    waited = True
                    wait_until_drained([self], 60)
                    continue
                kind = refused_kind(refused.code, tenders)
                if kind is None:
                    raise
                if refused.code == "offline_limit_reached" and kind == "card":
                    self.tally.over_cap_paid_cash += 1
                elif kind == "card":
                    self.tally.declined_at_till += 1
                else:
                    self.tally.gift_card_refused += 1
                tenders = instead_in_cash(invoice.invoice_no, tenders, kind)
                continue
            self._count(invoice, sale.get("tenders", []), 1)
            return

    def _count(self, invoice: DatasetInvoice, tenders: list[dict[str, Any]], sign: int) -> None:
        self.tally.add_document(
            self.edge.store_id, self.till_id, invoice.business_day.isoformat(), tenders, sign
        )


def _catalogue_price_or_override(
    prices: Mapping[str, Decimal], sku: str, price: Decimal
) -> dict[str, str]:
    """What a scanned line says about its price: nothing when it is the catalogue's, else
    the price and its reason code (an item the catalogue has no price for: the price only)."""
    held = prices.get(sku)
    if held == price:
        return {}
    if held is None:
        return {"unit_price": str(price)}
    return {"unit_price": str(price), "price_reason": "manager_discretion"}


def forward_cards(session: TillSession, timeout_s: float) -> None:
    """The manager's "forward now" (`POST /v1/card-payments/forward`) at the session's store,
    again until the card payment log holds nothing stored offline or pending (a charge whose
    answer was lost: once its cart ended on other tenders, the run pays it back if it went
    through). Raises ReplayError on timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        run = session.call("POST", "/v1/card-payments/forward")
        if run["reachable"] and not run["left"]:
            unsettled = session.call(
                "GET", "/v1/card-payments?status=pending&status=stored&limit=500"
            )
            if not unsettled:
                return
        if time.monotonic() > deadline:
            raise ReplayError(
                f"{session.edge.store_id}: cards taken offline or left pending not settled in "
                f"{timeout_s:.0f}s ({run})"
            )
        time.sleep(0.2)


def wait_until_drained(
    sessions: list[TillSession], timeout_s: float, counter: Counter | None = None
) -> None:
    """Every edge has nothing left to upload. `counter`, when given, is set to the events
    uploaded since the first look, of the events pending then. Raises ReplayError on
    timeout, naming the laggards."""
    deadline = time.monotonic() + timeout_s
    pending: dict[str, int] = {}
    while time.monotonic() < deadline:
        pending = {}
        for session in sessions:
            status = session.status()
            if status["sync"]["credential_rejected"]:
                raise ReplayError(
                    f"{session.edge.store_id}: the hub refuses its credential, so its outbox can "
                    f"never drain ({status['sync']['last_error']})"
                )
            outbox = status["outbox"]
            if outbox["pending"]:
                pending[session.edge.store_id] = outbox["pending"]
        if counter is not None:
            left = sum(pending.values())
            if counter.total is None or left > counter.total:
                counter.total = left
            counter.set(counter.total - left)
        if not pending:
            return
        time.sleep(0.1)
    raise ReplayError(f"outboxes did not drain in {timeout_s:.0f}s: {pending}")


def wait_for_catalogue(
    sessions: list[TillSession],
    products: int,
    timeout_s: float = 300,
    counter: Counter | None = None,
) -> None:
    """Every edge is enrolled and has pulled the whole catalogue with prices. `counter`, when
    given, is set to the prices the slowest edge holds, of `products`. Raises ReplayError on
    timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        statuses = [session.status() for session in sessions]
        if counter is not None:
            held = [int((status.get("catalogue") or {}).get("prices", 0)) for status in statuses]
            counter.set(min(held), products)
        if all(
            status["enrolled"]
            and status["catalogue"]["products"] >= products
            and status["catalogue"]["prices"] >= products
            for status in statuses
        ):
            return
        time.sleep(0.2)
    raise ReplayError("edges did not receive the catalogue in time")
