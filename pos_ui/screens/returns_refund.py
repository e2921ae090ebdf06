"""The refund at the returns desk (pos_ui/screens/returns.py): F12 sends the return, a 403
opens the manager-override dialog and sends it again with the manager's code and PIN, and a
refund above the store's limit (409 `refund_needs_approval`) is asked of HQ
(`POST /v1/refund-requests`), its status read every `POLL_S` seconds and shown until HQ
decides; approved, F12 makes it (`POST /v1/refund-requests/{id}/complete`).

Every send carries an id chosen once for what is picked (the return's, and the request's
derived from it): a send without an answer is sent again, on F12, with the same id, and nothing
is refunded or asked twice. Picking other lines makes a new id and drops the approval.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID, uuid5

from textual.timer import Timer
from textual.widgets import Input, Static

from pos_ui.api_returns import (
    RefundRequest,
    Returned,
    ask_hq,
    complete_refund,
    open_requests_for,
    record_return,
    refund_request,
    refund_tender_text,
)
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient, new_id
from pos_ui.dialogs.confirm import Confirm
from pos_ui.dialogs.override import OverrideDialog
from pos_ui.screens.returns_lines import ReturnLines, plain

T = TypeVar("T")

# How often the desk reads a refund request again while HQ has not decided (seconds).
POLL_S = 2.0

STATUS_WORDS = {
    "pending": "waiting for HQ",
    "approved": "APPROVED by HQ",
    "rejected": "REJECTED by HQ",
    "expired": "expired: nobody at HQ decided in time",
    "executed": "refunded",
    "lapsed": "lapsed: approved but not made in time",
}

OVERRIDE_CODES = ("not_permitted", "wrong_pin", "override_by_self", "staff_locked")


def above_limit(detail: str) -> str:
    """The edge's 409 `refund_needs_approval` detail in the cashier's words: `A refund of
    274.89 is above this store's limit of 250.00.` (what it says after, the route to call, is
    for programmers)."""
    why = detail.split(": ask HQ", 1)[0].strip()
    return f"{why[:1].upper()}{why[1:]}."


class RefundFlow(ReturnLines):
    """The refund of the return `ReturnLines` holds, and HQ's approval (see the module)."""

    def __init__(self, client: TillClient) -> None:
        super().__init__(client)
        self.approval: tuple[str, str] | None = None
        # the return last sent (its body, as JSON text) and its id: resent as is, same id
        self.attempt: tuple[str, UUID] | None = None
        self.request: RefundRequest | None = None
        self.request_body: str | None = None
        self.done: Returned | None = None
        self._poll: Timer | None = None

    def on_unmount(self) -> None:
        if self._poll is not None:
            self._poll.stop()

    def _start_over(self) -> None:
        """Forget the ids, the approval and the request too (a new return)."""
        if self._poll is not None:
            self._poll.stop()
            self._poll = None
        self.attempt = None
        self.approval = None
        self.request = None
        self.request_body = None
        self.done = None
        self.query_one("#tenders", Static).update("")
        super()._start_over()

    def _changed(self) -> None:
        """What would be refunded changed: a new id next time, and a new approval."""
        self.attempt = None
        self.approval = None
        if self.request is not None and self.request.status in ("pending", "approved"):
            self._say("The request to HQ was for other lines: F12 asks again.", error=True)
        self.request = None
        self.request_body = None
        super()._changed()

    # Refunding

    async def action_refund(self) -> None:
        """F12: make the return (or, once HQ approved it, the approved refund)."""
        if self.done is not None:
            self._say("Refunded already. F2 or a new receipt starts the next return.")
            return
        body = self._body()
        if body is None:
            return
        text = json.dumps(body, sort_keys=True)
        if self.request is not None and self.request_body == text:
            await self._complete()
            return
        if self.attempt is None or self.attempt[0] != text:
            self.attempt = (text, new_id())
        return_id = self.attempt[1]
        returned = await self._send(
            "this return", lambda approval: record_return(self.client, return_id, body, approval)
        )
        if returned is not None:
            self._refunded(returned)

    async def _send(
        self, what: str, call: Callable[[tuple[str, str] | None], Awaitable[T]]
    ) -> T | None:
        """`call` with the approval held; no answer, a refusal or a 403 are shown (a 403 opens
        the override dialog, and F12 sends the same request again with it)."""
        try:
            return await call(self.approval)
        except EdgeUnreachable:
            self._say(
                "No answer from the till's node: nothing is lost. F12 sends the same again "
                "(nothing is refunded twice).",
                error=True,
            )
            return None
        except EdgeRefused as refused:
            if refused.code in OVERRIDE_CODES:
                tried = self.approval is not None
                self.approval = None
                message = plain(refused) if tried else ""
                self.app.bell()
                self._say(f"A manager must approve {what}.", error=True)
                self.app.push_screen(
                    OverrideDialog(f"A manager must approve {what}.", message),
                    callback=self._overridden,
                )
                return None
            if refused.code == "refund_needs_approval":
                why = above_limit(refused.detail)
                self.app.bell()
                self._say(why, error=True)
                self.app.push_screen(
                    Confirm(f"{why}\n\nAsk HQ to approve this refund?"), callback=self._ask_if
                )
                return None
            self._refused(refused)
            return None

    async def _overridden(self, approval: tuple[str, str] | None) -> None:
        if approval is None:
            self._say("Not approved: nothing was refunded.")
            return
        self.approval = approval
        await self.action_refund()

    def _refunded(self, returned: Returned) -> None:
        self.done = returned
        self.approval = None
        tenders = "\n".join(refund_tender_text(tender) for tender in returned.refunds)
        self.query_one("#tenders", Static).update(
            f"[b]Refunded {returned.total:.2f}   [/b]return receipt {returned.receipt_number}\n"
            + (tenders or "nothing to pay back")
        )
        self._say("Done. Give the customer the money back as shown. Esc: back to the sale.")

    # Asking HQ

    async def _ask_if(self, yes: bool | None) -> None:
        if not yes:
            self._say("Not asked: nothing was refunded.")
            return
        body = self._body()
        if body is None or self.attempt is None:
            return
        session = self.client.session
        requested_by = session.staff.staff_code if session is not None else self.client.till_id
        # derived from the return's id: asking again is the same request
        request_id = uuid5(self.attempt[1], "refund-request")
        try:
            request = await ask_hq(self.client, request_id, body, requested_by)
        except EdgeUnreachable:
            self._say("No answer from the till's node: F12 asks again.", error=True)
            return
        except EdgeRefused as refused:
            self._refused(refused)
            return
        self.request = request
        self.request_body = json.dumps(body, sort_keys=True)
        self._show_request()
        self._say("Asked. Esc serves the next customer; this receipt scanned again finds it.")
        if self._poll is None:
            self._poll = self.set_interval(POLL_S, self._read_request)

    async def _receipt_found(self) -> None:
        """A refund of this receipt already asked of HQ and not made yet (the cashier left
        the desk while HQ decided) is shown again with its lines picked, and read until HQ
        decides: F12 makes it once approved, instead of asking HQ a second time."""
        receipt = self.receipt
        if receipt is None:
            return
        try:
            requests = await open_requests_for(self.client, receipt.sale_id)
        except (EdgeUnreachable, EdgeRefused):
            return  # the receipt is on screen; scanning it again looks again
        if not requests:
            return
        request = requests[0]
        line_nos = {line.line_no for line in receipt.lines}
        picked = {
            line.original_line_no: line.quantity
            for line in request.lines
            if line.original_line_no is not None and line.original_line_no in line_nos
        }
        if len(picked) != len(request.lines):
            return
        self.picked = picked
        if request.reason:
            self.query_one("#reason", Input).value = request.reason
        self._fill_table()
        body = self._body()
        if body is None:
            return
        text = json.dumps(body, sort_keys=True)
        self.attempt = (text, new_id())
        self.request = request
        self.request_body = text
        self._show_request()
        if not request.decided and self._poll is None:
            self._poll = self.set_interval(POLL_S, self._read_request)
        more = f" ({len(requests)} open: the newest shown)" if len(requests) > 1 else ""
        self._say(f"Receipt {receipt.receipt_number}: its refund was asked of HQ already{more}.")

    async def _read_request(self) -> None:
        if self.request is None:
            return
        try:
            self.request = await refund_request(self.client, self.request.request_id)
        except (EdgeUnreachable, EdgeRefused):
            return  # shown as it was; read again at the next tick
        self._show_request()
        if self.request.decided and self._poll is not None:
            self._poll.stop()
            self._poll = None
            self._say("")  # the decision, and what to do, is shown above

    def _show_request(self) -> None:
        request = self.request
        if request is None:
            return
        status = STATUS_WORDS.get(request.status, request.status)
        line = f"[b]Refund request {request.amount:.2f}: {status}[/b]"
        if request.status == "pending":
            line += "  (at HQ)" if request.heard_from_hub else "  (not at HQ yet)"
        if request.decided_by:
            line += f"\nby {request.decided_by}" + (f": {request.notes}" if request.notes else "")
        if request.status == "approved":
            line += "\nF12 makes the refund."
        elif request.status in ("rejected", "expired", "lapsed"):
            line += "\nNothing was refunded: the goods go back to the customer."
        self.query_one("#tenders", Static).update(line)
        if request.status in ("approved", "rejected", "expired", "lapsed"):
            self.app.bell()

    async def _complete(self) -> None:
        request = self.request
        if request is None or self.attempt is None:
            return
        if request.status != "approved":
            self._say(f"HQ has not approved it: {STATUS_WORDS.get(request.status)}", error=True)
            return
        refund = {"kind": "store_credit"} if self.store_credit else None
        return_id = self.attempt[1]
        returned = await self._send(
            "this refund",
            lambda approval: complete_refund(
                self.client, request.request_id, return_id, refund, approval
            ),
        )
        if returned is not None:
            self._refunded(returned)
