"""Send a request; if the edge answers 403 `not_permitted`, ask for a manager's override
(`OverrideDialog`) and send the same request again with it, until it is done or the cashier
backs out. Must run in a worker (it waits for the dialog)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from textual.app import App

from pos_ui.client import EdgeRefused
from pos_ui.dialogs.override import OverrideDialog, override_headers

T = TypeVar("T")

# What an approver's refusal means to the cashier (the edge's codes; docs/counter.md).
APPROVAL_WORDS = {
    "not_permitted": "That staff member may not approve this",
    "wrong_pin": "Wrong PIN",
    "override_by_self": "Another staff member must approve",
    "staff_locked": "That staff member is locked",
    "staff_not_found": "No such staff member",
    "unknown_staff": "No such staff member",
}


async def with_override(
    app: App[None], action: str, send: Callable[[Mapping[str, str]], Awaitable[T]]
) -> T | None:
    """`send({})`; on 403 `not_permitted`, `send(override headers)` with the approval typed in
    the override dialog (`action`: what is approved, in words), asking again after a refused
    approval. None: the cashier backed out. Raises what `send` raises otherwise."""
    approval: tuple[str, str] | None = None
    message = ""
    while True:
        try:
            return await send(override_headers(approval))
        except EdgeRefused as refused:
            if approval is None and refused.code != "not_permitted":
                raise
            if approval is not None and refused.code not in APPROVAL_WORDS:
                raise
            if approval is not None:
                app.bell()
                message = f"{APPROVAL_WORDS[refused.code]}: {refused.detail}"
        approval = await app.push_screen(OverrideDialog(action, message), wait_for_dismiss=True)
        if approval is None:
            return None
