"""Receipts at the till, on a real SQLite file: read as text and ESC/POS, printed at checkout and
at a return on the till's printer (a real TCP listener, a file), a printer that is off never
failing the sale, printing again, and copies counted and audited."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from edge.api.routes.receipts import send_to_printer
from edge.domain.cash_count import CashCount
from edge.domain.shifts import SaleRecord, TaxAtRate, close_shift, open_shift, record_sale
from edge.domain.staff import Role
from edge.service import receipts
from shared.money import Money
from tests.receipt_bytes import PrinterListener, closed_port, decode
from tests.support import CASHIER, Edge, Hub, close_edge, make_edge

FOOTER = "Thank you for shopping in Leeds\nReturns within 28 days"


@pytest.fixture
def printer() -> Iterator[PrinterListener]:
    with PrinterListener() as listener:
        yield listener


@pytest.fixture
async def shop(sqlite_hub: Hub, tmp_path: Path, printer: PrinterListener) -> AsyncIterator[Edge]:
    """store-1 with three items; T1 prints to a network printer on 127.0.0.1, T2 to a file
    (in a folder that is not there yet: the printer is unplugged), T3 to a printer that is
    off, T4 has none. The store's header, phone and footer are set at the till."""
    hub = sqlite_hub
    await hub.create_store("store-1")
    await hub.import_items({"A": "2.55", "B": "0.85", "C": "10.00"})
    printers = {
        "T1": f"network:127.0.0.1:{printer.port}",
        "T2": f"file:{tmp_path / 'usb' / 'lp0'}?columns=32",
        "T3": f"network:127.0.0.1:{closed_port()}",
    }
    edge = await make_edge(
        tmp_path / "store-1.db", hub, await hub.token("store-1"), printers=printers
    )
    settings = {"receipt_header": "12 High Street\nLeeds LS1 4AB", "phone": "0113 496 0000"}
    edited = await edge.client.put(
        "/v1/records/store_settings/store-1",
        json={"fields": {**settings, "receipt_footer": FOOTER}},
    )
    assert edited.status_code == 200, edited.text
    try:
        yield edge
    finally:
        await close_edge(edge)


async def sell(edge: Edge, till_id: str, lines: list[tuple[str, int]], cash: str) -> Any:
    """Sign in at `till_id` (the manager) and sell `lines` there for `cash`."""
    await edge.sign_in(till_id)
    cart_id = str(uuid.uuid4())
    opened = await edge.client.post(
        "/v1/carts",
        json={
            "cart_id": cart_id,
            "till_id": till_id,
            "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
        },
    )
    assert opened.status_code == 201, opened.text
    sold = await edge.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"kind": "cash", "amount": cash}]}
    )
    assert sold.status_code == 201, sold.text
    return sold.json()


def stripped(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


async def test_a_sale_prints_at_checkout_on_the_tills_network_printer(
    shop: Edge, printer: PrinterListener
) -> None:
    sale = await sell(shop, "T1", [("A", 2), ("C", 1)], "20.00")
    assert sale["receipt"] == {
        "printed": True,
        "printer": f"network 127.0.0.1:{printer.port}",
        "error": None,
        "detail": None,
    }
    commands, text, bold = decode(printer.next_receipt())
    # The header from the store's settings, bold and centred; the lines, total, cash, change.
    assert stripped(bold) == ["store-1", "12 High Street", "Leeds LS1 4AB", "Tel 0113 496 0000"]
    lines = text.splitlines()
    assert any(line.startswith("  A 2 x 2.55") and line.endswith("5.10") for line in lines)
    assert any(line.startswith("  C 1 x 10.00") and line.endswith("10.00") for line in lines)
    assert any(line.startswith("TOTAL GBP") and line.endswith("15.10") for line in lines)
    assert any(line.startswith("Cash") and line.endswith("20.00") for line in lines)
    assert any(line.startswith("Change") and line.endswith("4.90") for line in lines)
    assert "Thank you for shopping in Leeds" in stripped(text)
    assert "COPY" not in text
    # The receipt number as a Code128 barcode the returns desk scans back.
    number = sale["receipt_number"]
    assert ("barcode:73", f"{{BR:{number}".encode()) in commands
    assert commands[-1] == ("GS V", b"\x00")


async def test_the_receipt_reads_as_text_at_48_and_32_columns_and_as_escpos(shop: Edge) -> None:
    sale = await sell(shop, "T4", [("A", 1), ("B", 3)], "5.10")
    assert sale["receipt"]["printed"] is False and sale["receipt"]["error"] == "no_printer"
    url = f"/v1/sales/{sale['sale_id']}/receipt"
    for width in (48, 32):
        answer = await shop.client.get(url, params={"width": width})
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/plain")
        assert all(len(line) <= width for line in answer.text.splitlines())
        assert any(
            line.startswith("Receipt") and line.endswith(sale["receipt_number"])
            for line in answer.text.splitlines()
        )
    text = (await shop.client.get(url)).text
    binary = await shop.client.get(url, params={"format": "escpos"})
    assert binary.headers["content-type"] == "application/octet-stream"
    _, printed, _ = decode(binary.content)
    assert stripped(printed) == stripped(text)
    bad = await shop.client.get(url, params={"width": 20})
    assert bad.status_code == 422
    missing = await shop.client.get(f"/v1/sales/{uuid.uuid4()}/receipt")
    assert missing.status_code == 404 and missing.json()["error"] == "sale_not_found"


async def test_a_printer_that_is_off_never_fails_the_sale(shop: Edge) -> None:
    sale = await sell(shop, "T3", [("A", 1)], "2.55")
    receipt = sale["receipt"]
    assert receipt["printed"] is False and receipt["error"] == "printer_unavailable"
    assert "refused" in receipt["detail"].lower()
    # The sale is there, and its receipt can be read and printed later.
    assert (await shop.client.get(f"/v1/sales/{sale['sale_id']}")).status_code == 200
    again = await shop.client.post(f"/v1/sales/{sale['sale_id']}/print")
    assert again.status_code == 200
    assert again.json()["printed"] is False and again.json()["copy_number"] == 0


async def test_an_unplugged_file_printer_prints_again_once_plugged_in(
    shop: Edge, tmp_path: Path
) -> None:
    sale = await sell(shop, "T2", [("B", 2)], "2.00")
    assert sale["receipt"]["printed"] is False
    assert sale["receipt"]["error"] == "printer_unavailable"
    (tmp_path / "usb").mkdir()  # plugged in
    url = f"/v1/sales/{sale['sale_id']}/print"
    printed = await shop.client.post(url)
    assert printed.status_code == 200 and printed.json()["printed"] is True
    _, text, _ = decode((tmp_path / "usb" / "lp0").read_bytes())
    assert all(len(line) <= 32 for line in text.splitlines())  # T2's 58 mm paper
    assert stripped(text) == stripped(printed.json()["text"])
    assert "COPY" not in text
    # The original printed: a second one would be a copy.
    twice = await shop.client.post(url)
    assert twice.status_code == 409 and twice.json()["error"] == "receipt_already_printed"


async def test_a_checkout_sent_again_does_not_print_a_second_original(
    shop: Edge, printer: PrinterListener
) -> None:
    cart_id = str(uuid.uuid4())
    await shop.client.post(
        "/v1/carts",
        json={"cart_id": cart_id, "till_id": "T1", "lines": [{"sku": "A", "quantity": 1}]},
    )
    body = {"tenders": [{"kind": "cash", "amount": "5.00"}]}
    first = await shop.client.post(f"/v1/carts/{cart_id}/checkout", json=body)
    assert first.status_code == 201 and first.json()["receipt"]["printed"] is True
    printer.next_receipt()
    again = await shop.client.post(f"/v1/carts/{cart_id}/checkout", json=body)
    assert again.status_code == 200 and again.json()["receipt"]["printed"] is True
    assert len(printer.received) == 1


async def test_a_return_prints_negative_with_the_original_receipt_number(
    shop: Edge, printer: PrinterListener
) -> None:
    sale = await sell(shop, "T1", [("A", 3)], "10.00")
    printer.next_receipt()
    refund = await shop.client.post(
        "/v1/returns",
        json={
            "till_id": "T1",
            "reason": "wrong size",
            "original_receipt_number": sale["receipt_number"],
            "lines": [{"sku": "A", "quantity": 2, "original_line_no": 1}],
        },
    )
    assert refund.status_code == 201, refund.text
    assert refund.json()["receipt"]["printed"] is True
    commands, text, _ = decode(printer.next_receipt())
    lines = text.splitlines()
    assert "RETURN" in stripped(text)
    assert any(
        line.startswith("Original receipt") and line.endswith(sale["receipt_number"])
        for line in lines
    )
    assert any(line.startswith("TOTAL REFUND GBP") and line.endswith("-5.10") for line in lines)
    assert any(line.startswith("Cash refund") and line.endswith("-5.10") for line in lines)
    number = refund.json()["receipt_number"]
    assert ("barcode:73", f"{{BR:{number}".encode()) in commands
    as_text = await shop.client.get(f"/v1/returns/{refund.json()['return_id']}/receipt")
    assert stripped(as_text.text) == stripped(text)


async def test_a_reprint_is_a_counted_copy_printed_and_audited(
    shop: Edge, printer: PrinterListener
) -> None:
    sale = await sell(shop, "T4", [("C", 1)], "10.00")
    # The cashier reprints it at T1, which has a printer: COPY 1, then COPY 2.
    await shop.sign_in("T1", CASHIER)
    url = f"/v1/sales/{sale['sale_id']}/reprint"
    copies = [(await shop.client.post(url)).json() for _ in range(2)]
    assert [(c["copy_number"], c["printed"]) for c in copies] == [(1, True), (2, True)]
    for number in (1, 2):
        commands, text, _ = decode(printer.next_receipt())
        banners = [line for line in stripped(text) if "COPY" in line]
        assert banners == [f"*** COPY {number} ***"] * 2
        assert ("barcode:73", f"{{BR:{sale['receipt_number']}".encode()) in commands
    assert stripped(copies[1]["text"])[-1] == "*** COPY 2 ***"
    # The count is kept in the file, and each copy is in the audit trail for HQ.
    with sqlite3.connect(f"file:{shop.path}?mode=ro", uri=True) as database:
        (reprints,) = database.execute(
            "SELECT reprints FROM receipt_print WHERE document_id = ?", (sale["sale_id"],)
        ).fetchone()
        audits = [
            json.loads(payload)
            for (payload,) in database.execute(
                "SELECT payload FROM outbox WHERE kind = 'audit.recorded' ORDER BY seq"
            )
        ]
    assert reprints == 2
    reprinted = [a for a in audits if a["kind"] == "reprint"]
    assert [(a["staff_code"], a["till_id"], a["details"]["copy"]) for a in reprinted] == [
        (CASHIER, "T1", "1"),
        (CASHIER, "T1", "2"),
    ]
    assert reprinted[0]["details"]["receipt_number"] == sale["receipt_number"]
    assert reprinted[0]["subject"] == sale["sale_id"]
    # The receipt as issued is still the original, with who sold it; reading counts nothing.
    text = (await shop.client.get(f"/v1/sales/{sale['sale_id']}/receipt")).text
    assert "COPY" not in text
    assert any(
        line.startswith("Staff") and line.endswith("Test manager") for line in text.splitlines()
    )


async def test_a_reprint_of_a_return_at_a_till_without_printer_answers_the_copy(
    shop: Edge, printer: PrinterListener
) -> None:
    sale = await sell(shop, "T1", [("A", 2)], "10.00")
    printer.next_receipt()
    refund = await shop.client.post(
        "/v1/returns",
        json={
            "till_id": "T1",
            "reason": "faulty",
            "original_receipt_number": sale["receipt_number"],
            "lines": [{"sku": "A", "quantity": 1, "original_line_no": 1}],
        },
    )
    assert refund.status_code == 201, refund.text
    printer.next_receipt()
    await shop.sign_in("T4", CASHIER)
    copy = await shop.client.post(f"/v1/returns/{refund.json()['return_id']}/reprint")
    assert copy.status_code == 200, copy.text
    body = copy.json()
    assert (body["copy_number"], body["printed"], body["error"]) == (1, False, "no_printer")
    assert "*** COPY 1 ***" in stripped(body["text"]) and "RETURN" in stripped(body["text"])
    missing = await shop.client.post(f"/v1/returns/{uuid.uuid4()}/reprint")
    assert missing.status_code == 404 and missing.json()["error"] == "return_not_found"


async def test_receipts_need_a_till_session(shop: Edge) -> None:
    sale = await sell(shop, "T4", [("C", 1)], "10.00")
    # The same till API without a session (as tests/integration/test_till_sessions.py does).
    transport = shop.client._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as bare:
        for method, path in [
            ("GET", f"/v1/sales/{sale['sale_id']}/receipt"),
            ("POST", f"/v1/sales/{sale['sale_id']}/print"),
            ("POST", f"/v1/sales/{sale['sale_id']}/reprint"),
        ]:
            answer = await bare.request(method, path)
            assert answer.status_code == 401, path
            assert answer.json()["error"] == "not_signed_in"


async def test_the_receipt_shows_each_promotion_and_the_vat_per_rate(
    sqlite_hub: Hub, tmp_path: Path
) -> None:
    hub = sqlite_hub
    await hub.create_store("store-1")
    answer = await hub.client.put("/v1/tax-rates/STD", json={"rate": "20"}, headers=hub.admin)
    assert answer.status_code == 200, answer.text
    items = [("A", "2.55", "STD"), ("C", "10.00", None), ("P", "0.125", None)]
    answer = await hub.client.post(
        "/v1/catalogue/import",
        json={
            "items": [
                {"sku": sku, "unit_price": price, "currency": "GBP", "tax_code": code}
                for sku, price, code in items
            ]
        },
        headers=hub.admin,
    )
    assert answer.status_code == 200, answer.text
    promotion = {
        "name": "Christmas lights",
        "skus": ["A"],
        "percent_off": "10",
        "starts_at": "2010-12-01T00:00:00+00:00",
        "ends_at": "2010-12-02T00:00:00+00:00",
    }
    answer = await hub.client.put("/v1/promotions/XMAS", json=promotion, headers=hub.admin)
    assert answer.status_code == 200, answer.text
    edge = await make_edge(tmp_path / "store-1.db", hub, await hub.token("store-1"))
    try:
        # 4 x 2.55 = 10.20 less 10 % (1.02) = 9.18, 1.53 of it VAT at 20 %; 10.00 at 0 %;
        # 8 x 0.125 = 1.00 (a price with more places than pence).
        sale = await sell(edge, "T1", [("A", 4), ("C", 1), ("P", 8)], "20.18")
        text = (await edge.client.get(f"/v1/sales/{sale['sale_id']}/receipt")).text
    finally:
        await close_edge(edge)
    lines = text.splitlines()
    assert any(line.startswith("  A 4 x 2.55") and line.endswith("10.20") for line in lines)
    assert any(line.startswith("  Promotion XMAS") and line.endswith("-1.02") for line in lines)
    assert any(line.startswith("  P 8 x 0.125") and line.endswith("1.00") for line in lines)
    assert any(line.startswith("TOTAL GBP") and line.endswith("20.18") for line in lines)
    assert any(line.split() == ["0%", "11.00", "0.00", "11.00"] for line in lines)
    assert any(line.split() == ["20%", "7.65", "1.53", "9.18"] for line in lines)


async def test_a_z_report_prints_on_the_tills_printer_like_a_receipt(
    shop: Edge, printer: PrinterListener
) -> None:
    opened = datetime(2010, 12, 1, 8, 0, tzinfo=UTC)
    float_count = CashCount.of("GBP", {"20": 5})
    shift = open_shift(
        None, shift_id="S1", till_id="T1", staff_code="1001", at=opened, opening_float=float_count
    )
    sold = SaleRecord(
        "T1-0000001",
        opened + timedelta(hours=1),
        Money.of("15.10", "GBP"),
        (("cash", Money.of("20.00", "GBP")),),
        Money.of("4.90", "GBP"),
        tax=(TaxAtRate(Decimal(0), Money.of("15.10", "GBP"), Money.of("0", "GBP")),),
    )
    shift = record_sale(shift, sold)
    _, z = close_shift(
        shift,
        at=opened + timedelta(hours=9),
        staff_code="1001",
        role=Role.CASHIER,
        counted=CashCount.of("GBP", {"20": 5, "10": 1, "5": 1, "0.10": 1}),
        z_number=1,
        previous_grand_total=None,
    )
    identity = shop.runtime.identity
    assert identity is not None
    document = await shop.runtime.read(
        lambda uow: receipts.shift_report_document(z, uow, identity=identity, staff_name="Alice")
    )
    status, _ = await send_to_printer(shop.runtime, document, "T1")
    assert status.printed is True
    commands, text, bold = decode(printer.next_receipt())
    assert stripped(bold)[0] == "store-1"
    lines = text.splitlines()
    assert "Z REPORT 1" in stripped(text)
    assert any(line.startswith("Expected cash") and line.endswith("115.10") for line in lines)
    assert any(line.startswith("Variance") and line.endswith("0.00") for line in lines)
    assert any(line.startswith("Grand total") and line.endswith("15.10") for line in lines)
    assert not any(name.startswith("barcode") for name, _ in commands)
