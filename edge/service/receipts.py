"""Receipts of the till: the printed document of a stored sale or return, its prints and copies.

The document is built from what the node holds, never from what a till sends: the sale or
return with its lines, promotions, VAT and tenders (edge.domain.documents), the store's
header and footer from its shared record `store_settings` (`receipt_header`,
`receipt_footer`, `phone`; one printed line per line of text), and the node's identity
(store name, currency, time zone). Printing happens after the document is committed
(edge.api.routes.receipts), so a printer that fails never loses a sale; what happened is kept
in `receipt_print` (edge.domain.printing). A reprint is a copy: counted, marked `COPY n`,
allowed by Permission.REPRINT and audited (`reprint`).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.audit import Acting
from edge.domain.documents import LineTerms, Return, Sale
from edge.domain.documents import Tender as DocumentTender
from edge.domain.node import NodeIdentity
from edge.domain.printing import DocumentKind, PrintRecord, ReceiptAlreadyPrinted
from edge.domain.shifts import XReport, ZReport
from edge.domain.staff import Permission
from edge.errors import ReturnNotFound, SaleNotFound
from edge.receipts.document import (
    Receipt,
    ReceiptKind,
    ReceiptLine,
    ShiftReport,
    Store,
    Tender,
    VatRate,
    tender_label,
)
from edge.service.audit import audit_action
from edge.service.b2b import Handover
from edge.service.shifts import report_to_print
from edge.service.staff import OverrideRequest, authorize
from shared.money import Money
from shared.money import line_total as line_total_of
from shared.quantity import LineQuantity

UNKNOWN_STAFF = "-"
DocumentT = TypeVar("DocumentT", Sale, Return)


def _text_lines(value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    return [line.strip() for line in value.splitlines() if line.strip()]


def store_of(uow: EdgeUnitOfWork, identity: NodeIdentity) -> Store:
    """What every receipt of this store prints above and below its body: the store's name,
    the `receipt_header` lines and "Tel " + `phone` of its `store_settings` record, and the
    `receipt_footer` lines; in the store's currency and time zone. A store without settings
    prints its name only."""
    held = uow.records.get("store_settings", identity.store_id)
    fields = {name: value.value for name, value in (held[0] if held else {}).items()}
    header = [identity.store_name, *_text_lines(fields.get("receipt_header"))]
    header += [f"Tel {phone}" for phone in _text_lines(fields.get("phone"))]
    return Store(
        header_lines=tuple(header),
        footer_lines=tuple(_text_lines(fields.get("receipt_footer"))),
        currency=identity.currency,
        time_zone=identity.timezone,
    )


def _line(
    sku: str,
    description: str | None,
    quantity: LineQuantity,
    unit_price: Decimal,
    line_total: Money,
    terms: LineTerms,
    *,
    overridden: bool = False,
) -> ReceiptLine:
    currency = line_total.currency
    price = Money(unit_price, currency)
    # The discount is what the line's gross lost to its total: exact by construction, for a
    # return's share of a promotion too (edge.domain.pricing.share).
    discount = line_total_of(quantity, unit_price, currency) - line_total
    label = ""
    if not discount.is_zero():
        label = f"Promotion {terms.promotion_id}" if terms.promotion_id else "Discount"
    return ReceiptLine(
        description=description or sku,
        sku=sku,
        quantity=quantity,
        unit="kg" if isinstance(quantity, Decimal) else None,  # a weighed line (3 places)
        unit_price=price,
        line_total=line_total,
        discount=None if discount.is_zero() else discount,
        discount_label=label,
        price_overridden=overridden,
        exact_unit_price=unit_price if price.amount != unit_price else None,
    )


def _vat(lines: Iterable[tuple[LineTerms, Money]], currency: str) -> tuple[VatRate, ...]:
    """VAT per rate from each line's terms and total (tax included in the total; a line
    without a tax rate counts at 0 %)."""
    gross: dict[Decimal, Money] = {}
    tax: dict[Decimal, Money] = {}
    zero = Money.zero(currency)
    for terms, total in lines:
        rate = terms.tax_rate if terms.tax_rate is not None else Decimal(0)
        sign = -1 if total.is_negative() else 1
        gross[rate] = gross.get(rate, zero) + total
        tax[rate] = tax.get(rate, zero) + Money.from_minor(sign * abs(terms.tax_minor), currency)
    return tuple(
        VatRate(rate, gross[rate] - tax[rate], tax[rate], gross[rate]) for rate in sorted(gross)
    )


def sale_receipt(
    sale: Sale, store: Store, *, staff_name: str | None = None, copy_number: int = 0
) -> Receipt:
    """The receipt of `sale`: its lines (a promotion as the line's discount, a price typed
    in marked PRICE OVERRIDE), VAT per rate, each tender as handed over, and the change.
    Raises InconsistentReceipt if the stored figures disagree (they never should)."""
    currency = sale.currency
    lines = tuple(
        _line(
            line.sku,
            line.description,
            line.quantity,
            line.unit_price,
            line.line_total,
            line.terms,
            overridden=line.price_source == "override",
        )
        for line in sale.lines
    )
    return Receipt(
        kind=ReceiptKind.SALE,
        store=store,
        till_id=sale.till_id,
        staff_name=staff_name or UNKNOWN_STAFF,
        receipt_number=sale.receipt_number,
        issued_at=sale.business_time,
        lines=lines,
        vat=_vat(((line.terms, line.line_total) for line in sale.lines), currency),
        total=sale.total,
        tenders=tuple(
            Tender(tender_label(t.kind), t.tendered, tender_details(t)) for t in sale.tenders
        ),
        change=Money.sum((t.change for t in sale.tenders), currency),
        copy_number=copy_number,
    )


def tender_details(tender: DocumentTender) -> tuple[str, ...]:
    """What a receipt prints under a tender: a card's brand and last 4 digits ("VISA
    ****1111") and "stored offline" while it waits to be forwarded; a gift card's number
    masked to its last 4 ("Card ****4321"); the store-credit customer ("Customer C-100").
    Never a full card or gift-card number."""
    if tender.kind == "card" and tender.card is not None:
        card = tender.card
        name = (card.brand or "card").upper()
        out = [f"{name} ****{card.last4}" if card.last4 else name]
        if card.status == "stored":
            out.append("stored offline")
        return tuple(out)
    if tender.kind == "gift_card" and tender.account:
        return (f"Card ****{tender.account[-4:]}",)
    if tender.kind == "store_credit" and tender.account:
        return (f"Customer {tender.account}",)
    return ()


def return_receipt(
    sales_return: Return,
    store: Store,
    *,
    original_receipt_number: str | None = None,
    staff_name: str | None = None,
    copy_number: int = 0,
) -> Receipt:
    """The receipt of a return: negative throughout (quantities, totals, VAT, the refund),
    with the original receipt's number when it was made against one."""
    currency = sales_return.currency
    lines = tuple(
        _line(line.sku, line.description, -line.quantity, line.unit_price, -line.line_total, t)
        for line in sales_return.lines
        for t in (line.terms,)
    )
    refunds = tuple(
        Tender(f"{tender_label(t.kind)} refund", -t.amount, tender_details(t))
        for t in sales_return.refunds
    )
    return Receipt(
        kind=ReceiptKind.RETURN,
        store=store,
        till_id=sales_return.till_id,
        staff_name=staff_name or UNKNOWN_STAFF,
        receipt_number=sales_return.receipt_number,
        issued_at=sales_return.business_time,
        lines=lines,
        vat=_vat(((line.terms, -line.line_total) for line in sales_return.lines), currency),
        total=-sales_return.total,
        tenders=refunds,
        change=Money.zero(currency),
        copy_number=copy_number,
        original_receipt_number=original_receipt_number,
    )


def _record(uow: EdgeUnitOfWork, kind: DocumentKind, document_id: UUID) -> PrintRecord:
    return uow.receipt_prints.get(document_id) or PrintRecord(document_id, kind)


def receipt(
    kind: DocumentKind,
    document_id: UUID,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
    copy_number: int = 0,
) -> Receipt:
    """The receipt of a stored sale or return as issued (`copy_number` 0), or as copy n.
    Raises SaleNotFound, ReturnNotFound, InconsistentReceipt."""
    store = store_of(uow, identity)
    staff_name = _record(uow, kind, document_id).staff_name
    if kind is DocumentKind.SALE:
        sale = uow.sales.get(document_id)
        if sale is None:
            raise SaleNotFound(str(document_id))
        return sale_receipt(sale, store, staff_name=staff_name, copy_number=copy_number)
    sales_return = uow.returns.get(document_id)
    if sales_return is None:
        raise ReturnNotFound(str(document_id))
    original = (
        uow.sales.get(sales_return.original_sale_id) if sales_return.original_sale_id else None
    )
    return return_receipt(
        sales_return,
        store,
        original_receipt_number=original.receipt_number if original else None,
        staff_name=staff_name,
        copy_number=copy_number,
    )


def issued(
    made: tuple[DocumentT, bool], uow: EdgeUnitOfWork, *, staff_name: str | None
) -> tuple[DocumentT, bool]:
    """Note the receipt of a sale or return just made (`made`: the document and whether it
    was created now) and who rang it up, in the transaction that makes it; returns `made`."""
    document, created = made
    if created:
        if isinstance(document, Sale):
            uow.receipt_prints.issue(document.sale_id, DocumentKind.SALE, staff_name)
        else:
            uow.receipt_prints.issue(document.return_id, DocumentKind.RETURN, staff_name)
    return made


def handed_over(handover: Handover, uow: EdgeUnitOfWork, *, staff_name: str | None) -> Handover:
    """Note the receipt of a B2B order's handover sale (`issued`); returns `handover`."""
    issued((handover.sale, handover.created), uow, staff_name=staff_name)
    return handover


def print_record(kind: DocumentKind, document_id: UUID, uow: EdgeUnitOfWork) -> PrintRecord:
    """What this node knows of the document's paper (a record with nothing printed if none)."""
    return _record(uow, kind, document_id)


def original_to_print(
    kind: DocumentKind, document_id: UUID, uow: EdgeUnitOfWork, *, identity: NodeIdentity
) -> Receipt:
    """The original receipt, to print because it has not printed yet (the printer failed at
    checkout). Raises ReceiptAlreadyPrinted once it has (a second one is a copy: `reprint`),
    SaleNotFound, ReturnNotFound."""
    document = receipt(kind, document_id, uow, identity=identity)
    if _record(uow, kind, document_id).printed_at is not None:
        raise ReceiptAlreadyPrinted(document.receipt_number)
    return document


def reprint(
    kind: DocumentKind,
    document_id: UUID,
    uow: EdgeUnitOfWork,
    acting: Acting,
    override: OverrideRequest | None,
    *,
    identity: NodeIdentity,
) -> Receipt:
    """A copy of the receipt for `acting` (the signed-in staff member), allowed by
    Permission.REPRINT (edge.service.staff.authorize: their role, or `override`): counted
    (COPY 1, 2...), and audited as `reprint` with the receipt number and the copy's number,
    in this write transaction. Raises SaleNotFound, ReturnNotFound (nothing counted), and
    what `authorize` raises (NotPermitted, WrongPin...)."""
    who = authorize(uow, acting, Permission.REPRINT, override, identity=identity)
    receipt(kind, document_id, uow, identity=identity)  # raises before anything is counted
    copy_number = uow.receipt_prints.count_reprint(document_id, kind)
    document = receipt(kind, document_id, uow, identity=identity, copy_number=copy_number)
    audit_action(
        uow,
        "reprint",
        who,
        identity=identity,
        subject=str(document_id),
        details={
            "document": kind.value,
            "receipt_number": document.receipt_number,
            "copy": str(copy_number),
        },
    )
    return document


def note_print(
    kind: DocumentKind,
    document_id: UUID,
    uow: EdgeUnitOfWork,
    *,
    error: str | None,
    original: bool,
) -> None:
    """Keep how a print went: `error` None when it reached the printer (the original's first
    time is kept when `original`), else why not."""
    if error is not None:
        uow.receipt_prints.print_failed(document_id, kind, error)
    else:
        uow.receipt_prints.printed(document_id, kind, uow.now() if original else None)


def shift_report_document(
    report: XReport | ZReport,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
    staff_name: str | None = None,
    copy_number: int = 0,
) -> ShiftReport:
    """An X or Z report (edge.domain.shifts) as printed, under the store's header and footer:
    `ShiftReport.from_shift`, its business day the store's calendar date of the shift's
    opening. Raises InconsistentReceipt."""
    return ShiftReport.from_shift(
        report,
        store=store_of(uow, identity),
        business_day=identity.business_day(report.period_start),
        staff_name=staff_name,
        copy_number=copy_number,
    )


def shift_report_to_print(
    shift_id: str,
    which: str,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
    staff_name: str | None = None,
) -> ShiftReport:
    """The shift's X report now (`which` "x") or its Z ("z") as printed. Raises
    ShiftNotFound, NoZReport, InconsistentReceipt."""
    report = report_to_print(shift_id, which, uow, identity=identity)
    return shift_report_document(report, uow, identity=identity, staff_name=staff_name)
