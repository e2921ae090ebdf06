"""Offline sales written straight into a stopped edge's file, for `vectis bench sync`'s catch-up."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.bootstrap import build_runtime as build_edge_runtime
from edge.domain.audit import Acting
from edge.domain.cart import TenderRequest
from edge.domain.staff import Role, StaffMember
from edge.service import selling, shifts
from edge.settings import EdgeSettings
from shared.ids import new_id
from shared.money import Money
from vectis.progress import task


async def write_offline_sales(database_path: Path, sales: int) -> None:
    """`sales` cash sales of four lines (SKU000000 to SKU000499, quantities 1 to 4), rung up
    by the edge's own use cases on its file at `database_path` while its process is stopped,
    as a till sells with the link down: each one queues its events in the outbox. A shift is
    opened at T1 first, by a bench cashier (1001), on the node's manual clock at
    2011-01-03 09:00 UTC. The catalogue must be on the file already."""
    runtime = await build_edge_runtime(
        EdgeSettings(
            database_path=database_path,
            clock_mode="manual",
            manual_clock_start=datetime(2011, 1, 3, 9, tzinfo=UTC),
        )
    )
    identity = runtime.identity
    assert identity is not None
    # A till sells inside an open shift only: the bench's cashier opens one first.
    cashier = Acting("T1", StaffMember("1001", "Bench Cashier", Role.CASHIER, ""), new_id())
    try:
        await runtime.write(
            lambda uow: shifts.open_shift(
                shifts.OpenShift("T1", float_total=Decimal(100)), uow, cashier, identity=identity
            )
        )
        with task("writing offline sales", total=sales, unit="sales") as written:
            for number in range(sales):
                lines = [
                    selling.LineInput(f"SKU{(number * 7 + offset) % 500:06d}", offset + 1)
                    for offset in range(4)
                ]

                def sell(uow: EdgeUnitOfWork, lines: list[selling.LineInput] = lines) -> None:
                    cart, _ = selling.open_cart(
                        selling.OpenCart("T1"), uow, identity=identity, clock=runtime.clock
                    )
                    scanned = selling.add_lines(
                        selling.AddLines(cart.cart_id, lines), uow, authority=None
                    )
                    tender = TenderRequest("cash", Money.of(scanned.head.total.amount + 5, "GBP"))
                    selling.checkout(
                        selling.Checkout(cart.cart_id, [tender]),
                        uow,
                        identity=identity,
                        clock=runtime.clock,
                    )

                await runtime.write(sell)
                written.advance()
    finally:
        await runtime.stop()
