"""A refund above the store's limit at the returns desk (F6), decided by HQ: the till asks HQ,
shows "waiting for HQ" until HQ decides through the hub's API (a real hub running the refund
approval workflow on a real Temporal server), then shows the decision; approved, F12 pays
the receipt's own tenders back; rejected, the till says so and nothing is refunded. A cashier
who left the desk finds the request again by scanning the receipt; a request asked while the
store is cut off from HQ waits at the node ("not at HQ yet") and goes on when the link is back."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import httpx
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from pos_ui.api_shifts import current_shift_id, x_report
from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.screens.returns import ReturnsScreen
from tests.e2e.test_till_returns import edge_get, sell
from tests.ui_pilot import SIZE, said, sign_in_and_open, type_in, until
from tests.ui_support import KETTLE, UiStore


async def decide(store: UiStore, request_id: UUID, approved: bool, notes: str) -> None:
    """HQ decides at the hub (admin token: decides as `admin`), once the hub holds the
    request (the edge's sync brings it)."""
    admin = {"Authorization": f"Bearer {store.admin_token}"}
    async with httpx.AsyncClient(
        base_url=store.hub_url, headers=admin, trust_env=False, timeout=60
    ) as hub:
        answer = await hub.post(
            f"/v1/refund-requests/{request_id}/decision",
            json={"approved": approved, "notes": notes},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == ("approved" if approved else "rejected")


async def ask_hq_for_eleven_kettles(pilot: Pilot[None], app: TillApp) -> tuple[str, UUID]:
    """Sell 11 kettles (274.89: above the default limit of 250.00), 100.00 in cash and the
    rest (174.89) by card; take them all back at F6 and ask HQ. The receipt number and the
    request's id, once the till shows HQ holds it."""
    await sign_in_and_open(pilot, app)
    receipt = await sell(pilot, app, [f"11*{KETTLE.sku}"], "100", card=True)
    await pilot.press("f6")
    await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
    await type_in(pilot, f"R:{receipt}")
    await until(pilot, lambda: app.screen.query_one("#lines", DataTable).row_count == 1)
    await pilot.press("space", "f12")
    await until(pilot, lambda: app.screen.__class__.__name__ == "Confirm")
    question = str(app.screen.query(Static).first().render())
    assert question.startswith("A refund of 274.89 is above this store's refund limit of 250.00.")
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
    await until(pilot, lambda: "waiting for HQ" in said(app, "#tenders"))
    await until(pilot, lambda: "(at HQ)" in said(app, "#tenders"), timeout_s=30)
    screen = app.screen
    assert isinstance(screen, ReturnsScreen) and screen.request is not None
    return receipt, screen.request.request_id


async def test_a_refund_hq_approves_is_shown_approved_and_paid_to_the_original_tenders(
    ui_store_temporal: UiStore,
) -> None:
    store = ui_store_temporal
    app = TillApp(TillClient(store.edge_url, store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        _, request_id = await ask_hq_for_eleven_kettles(pilot, app)
        # while HQ has not decided, F12 refunds nothing
        await pilot.press("f12")
        await until(pilot, lambda: "not approved" in said(app, "#message"))
        assert "waiting for HQ" in said(app, "#tenders")

        # when HQ approves it at the hub
        await decide(store, request_id, approved=True, notes="faulty batch")

        # then the till shows the decision, with who decided and why, without a key pressed
        await until(pilot, lambda: "APPROVED by HQ" in said(app, "#tenders"), timeout_s=30)
        shown = said(app, "#tenders")
        assert "by admin: faulty batch" in shown and "F12 makes the refund" in shown
        # and F12 pays each original tender back: all of it, so each tender in full
        await pilot.press("f12")
        await until(pilot, lambda: "Refunded" in said(app, "#tenders"))
        shown = said(app, "#tenders")
        assert "Refunded 274.89" in shown
        assert "Card refund 174.89" in shown and "****4242" in shown
        assert "Cash refund 100.00" in shown
        screen = app.screen
        assert isinstance(screen, ReturnsScreen) and screen.done is not None
        return_id = screen.done.return_id
        # and F12 again refunds nothing more
        await pilot.press("f12")
        await until(pilot, lambda: "Refunded already" in said(app, "#message"))

    recorded = await edge_get(store, f"/v1/returns/{return_id}")
    assert (recorded["total"], recorded["refund_request_id"]) == ("274.89", str(request_id))
    held = await edge_get(store, f"/v1/refund-requests/{request_id}")
    assert (held["status"], held["executed_return_id"]) == ("executed", str(return_id))


async def test_a_refund_hq_rejects_is_shown_rejected_and_nothing_is_refunded(
    ui_store_temporal: UiStore,
) -> None:
    store = ui_store_temporal
    app = TillApp(TillClient(store.edge_url, store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        _, request_id = await ask_hq_for_eleven_kettles(pilot, app)

        # when HQ rejects it at the hub
        await decide(store, request_id, approved=False, notes="sold as seen")

        # then the till says so, with who decided and why
        await until(pilot, lambda: "REJECTED by HQ" in said(app, "#tenders"), timeout_s=30)
        assert "by admin: sold as seen" in said(app, "#tenders")
        assert "F12" not in said(app, "#tenders")
        assert "Nothing was refunded: the goods go back" in said(app, "#tenders")
        # and F12 refunds nothing
        await pilot.press("f12")
        await until(pilot, lambda: "not approved" in said(app, "#message"))
        assert "Refunded" not in said(app, "#tenders")
        shift_id = await current_shift_id(app.client)
        assert shift_id is not None
        totals = (await x_report(app.client, shift_id)).totals

    # nothing was refunded: no return in the shift, the request rejected and not made
    assert (totals.returns_count, totals.returns) == (0, Decimal(0))
    held = await edge_get(store, f"/v1/refund-requests/{request_id}")
    assert (held["status"], held["executed_return_id"]) == ("rejected", None)


async def test_a_cashier_who_left_the_desk_finds_the_request_again_by_the_receipt(
    ui_store_temporal: UiStore,
) -> None:
    store = ui_store_temporal
    app = TillApp(TillClient(store.edge_url, store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        receipt, request_id = await ask_hq_for_eleven_kettles(pilot, app)
        # given the cashier went back to the sale while HQ decides
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ReturnsScreen))

        # when they scan the receipt again at F6 before HQ decides
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        await type_in(pilot, f"R:{receipt}")
        # then the desk shows the request asked already, its lines picked
        await until(pilot, lambda: "waiting for HQ" in said(app, "#tenders"))
        assert "asked of HQ already" in said(app, "#message")
        assert "Refund request 274.89" in said(app, "#tenders")
        lines = app.screen.query_one("#lines", DataTable)
        assert str(lines.get_row_at(0)[4]) == "11"  # the Return column: all 11 picked
        screen = app.screen
        assert isinstance(screen, ReturnsScreen) and screen.request is not None
        assert screen.request.request_id == request_id

        # and, HQ approving while the desk is open, shows the decision; F12 makes that refund
        await decide(store, request_id, approved=True, notes="")
        await until(pilot, lambda: "APPROVED by HQ" in said(app, "#tenders"), timeout_s=30)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ReturnsScreen))
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        await type_in(pilot, receipt)
        await until(pilot, lambda: "APPROVED by HQ" in said(app, "#tenders"))
        await pilot.press("f12")
        await until(pilot, lambda: "Refunded 274.89" in said(app, "#tenders"))
        assert app.screen.__class__.__name__ == "ReturnsScreen"  # HQ was not asked again
        screen = app.screen
        assert isinstance(screen, ReturnsScreen) and screen.done is not None
        return_id = screen.done.return_id

    held = await edge_get(store, f"/v1/refund-requests/{request_id}")
    assert (held["status"], held["executed_return_id"]) == ("executed", str(return_id))


async def test_a_refund_asked_offline_waits_at_the_node_and_reaches_hq_when_back(
    ui_store_temporal: UiStore,
) -> None:
    store = ui_store_temporal
    app = TillApp(TillClient(store.edge_url, store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        receipt = await sell(pilot, app, [f"11*{KETTLE.sku}"], "300", card=False)
        # given the store's link to HQ is down
        await store.cut_hub()
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        await type_in(pilot, receipt)
        await until(pilot, lambda: app.screen.query_one("#lines", DataTable).row_count == 1)
        await pilot.press("space", "f12")
        await until(pilot, lambda: app.screen.__class__.__name__ == "Confirm")
        await pilot.press("enter")
        # then the till still asks: the request waits at the node, and the screen says so
        await until(pilot, lambda: "(not at HQ yet)" in said(app, "#tenders"))
        screen = app.screen
        assert isinstance(screen, ReturnsScreen) and screen.request is not None
        request_id = screen.request.request_id

        # when the link is back, the screen shows HQ has it, and then HQ's decision
        await store.restore_hub()
        await until(pilot, lambda: "(at HQ)" in said(app, "#tenders"), timeout_s=30)
        await decide(store, request_id, approved=True, notes="")
        await until(pilot, lambda: "APPROVED by HQ" in said(app, "#tenders"), timeout_s=30)
        await pilot.press("f12")
        await until(pilot, lambda: "Refunded 274.89" in said(app, "#tenders"))
        assert "Cash refund 274.89" in said(app, "#tenders")
