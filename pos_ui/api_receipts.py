"""The till's receipts (docs/api.md "Receipts"): a sale's receipt as text, printing the
original when the printer failed at checkout, and a copy (reprint).

Each takes the `TillClient` and raises what `TillClient.request` raises (`EdgeRefused`,
`EdgeUnreachable`).
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from pos_ui.client import TillClient
from pos_ui.models import PrintStatus

# The width of the receipt shown on screen: the usual 80 mm roll's 48 columns.
COLUMNS = 48


class Printed(PrintStatus):
    """`POST /v1/sales/{id}/print` or `.../reprint`: the receipt as printed (or not)."""

    receipt_number: str
    copy_number: int = 0
    text: str


async def receipt_text(client: TillClient, sale_id: UUID) -> str:
    """The sale's receipt as issued, as text of COLUMNS columns (nothing is counted)."""
    answer = await client.request(
        "GET", f"/v1/sales/{sale_id}/receipt", params={"format": "text", "width": COLUMNS}
    )
    return answer.text


async def print_original(client: TillClient, sale_id: UUID) -> Printed:
    """Print the original receipt that did not print at checkout. 409
    `receipt_already_printed` once it has (then a copy is a reprint)."""
    return await client.call(Printed, "POST", f"/v1/sales/{sale_id}/print")


async def reprint(
    client: TillClient, sale_id: UUID, headers: Mapping[str, str] | None = None
) -> Printed:
    """A copy of the sale's receipt (`*** COPY n ***`), counted and audited; 403
    `not_permitted` for a role without reprint (resend with an override's `headers`)."""
    return await client.call(
        Printed, "POST", f"/v1/sales/{sale_id}/reprint", headers=dict(headers or {})
    )
