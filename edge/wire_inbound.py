"""Inbound: what the hub's feed carries (refund decisions, B2B approvals, lines and their
terms, Z reports kept in their wire form) into domain objects for the repositories. The
other half of edge.wire (which re-exports these)."""

from __future__ import annotations

from decimal import Decimal

from edge.domain.cash_count import CashCount
from edge.domain.documents import (
    NO_TERMS,
    B2BLine,
    B2BOrder,
    LineTerms,
    RefundLine,
    RefundRequest,
    StoredB2BOrder,
    StoredRefundRequest,
    TenderPlan,
)
from edge.domain.shifts import ShiftTotals, TaxAtRate, ZReport
from edge.wire_lines import terms_payload as terms_payload  # re-exported: the API shows terms
from shared.money import Money
from sync.messages import (
    B2BApprovalV1,
    B2BLineV1,
    LineTermsV1,
    RefundDecisionV1,
    ZReportV1,
)


def terms_of(terms: LineTermsV1 | None, currency: str) -> LineTerms:
    """A line's terms as they travel (amounts in the currency), in minor units."""
    if terms is None:
        return NO_TERMS
    return LineTerms(
        discount_minor=Money(terms.discount, currency).minor,
        promotion_id=terms.promotion_id,
        promotion_version=terms.promotion_version,
        tax_minor=Money(terms.tax, currency).minor,
        tax_code=terms.tax_code,
        tax_rate=terms.tax_rate,
        tax_version=terms.tax_version,
    )


def b2b_line_of(line: B2BLineV1, currency: str) -> B2BLine:
    """A B2B line as it travels (in the feed, and as kept in `b2b_order.lines`)."""
    return B2BLine(
        line_no=line.line_no,
        sku=line.sku,
        description=line.description,
        quantity=line.quantity,
        unit_price=line.unit_price,
        line_total=Money(line.line_total, currency),
        price_version=line.price_version,
        terms=terms_of(line.terms, currency),
    )


def refund_request_of(decision: RefundDecisionV1, version: int) -> StoredRefundRequest:
    """A refund request as the hub's feed says it stands at `version`."""
    currency = decision.currency
    request = RefundRequest(
        request_id=decision.request_id,
        till_id=decision.till_id,
        requested_by=decision.requested_by,
        reason=decision.reason,
        amount=Money(decision.amount, currency),
        original_sale_id=decision.original_sale_id,
        original_receipt_number=decision.original_receipt_number,
        customer_id=decision.customer_id,
        lines=tuple(
            RefundLine(
                sku=line.sku,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=Money(line.line_total, currency),
                original_line_no=line.original_line_no,
            )
            for line in decision.lines
        ),
        business_time=decision.business_time,
    )
    return StoredRefundRequest(
        request=request,
        status=decision.status,
        version=version,
        decided_by=decision.decided_by,
        decided_at=decision.decided_at,
        notes=decision.notes,
        executed_return_id=decision.executed_return_id,
    )


def b2b_order_of(approval: B2BApprovalV1, version: int) -> StoredB2BOrder:
    """A B2B order as the hub's feed says it stands at `version`, without a handover sale:
    the hub's `fulfilled_sale_id` may be another node's sale, and `fulfilled_sale_id` here
    names only this node's (B2BOrderRepository.mark_fulfilled)."""
    currency = approval.currency
    order = B2BOrder(
        order_id=approval.order_id,
        till_id=approval.till_id,
        customer_id=approval.customer_id,
        submitted_by=approval.submitted_by,
        reference=approval.reference,
        total=Money(approval.total, currency),
        lines=tuple(b2b_line_of(line, currency) for line in approval.lines),
        business_time=approval.business_time,
    )
    return StoredB2BOrder(
        order=order,
        status=approval.status,
        version=version,
        tenders=tuple(
            TenderPlan(kind=tender.kind, amount=Money(tender.amount, currency))
            for tender in approval.tenders
        ),
        composed_by=approval.composed_by,
        cart_decided_by=approval.cart_decided_by,
        payment_decided_by=approval.payment_decided_by,
        payment_rejections=approval.payment_rejections,
        notes=approval.notes,
        order_number=approval.order_number,
        fulfilled_sale_id=None,
    )


def z_report_of(payload: ZReportV1) -> ZReport:
    """A Z report as kept (its wire form, `z_report_payload`) back into the domain's shape."""
    currency = payload.currency

    def money(amount: Decimal) -> Money:
        return Money(amount, currency)

    totals = ShiftTotals(
        currency=currency,
        sales_count=payload.sales_count,
        sales=money(payload.sales),
        returns_count=payload.returns_count,
        returns=money(payload.returns),
        voids_count=payload.voids_count,
        voids=money(payload.voids),
        discounts=money(payload.discounts),
        overrides_count=payload.overrides_count,
        no_sales_count=payload.no_sales_count,
        tax=tuple(TaxAtRate(line.rate, money(line.net), money(line.tax)) for line in payload.tax),
        tenders=tuple((tender.kind, money(tender.amount)) for tender in payload.tenders),
        float_cash=money(payload.float_cash),
        change_given=money(payload.change_given),
        paid_in=money(payload.paid_in),
        paid_out=money(payload.paid_out),
        pickups=money(payload.pickups),
    )
    return ZReport(
        z_number=payload.z_number,
        shift_id=str(payload.shift_id),
        till_id=payload.till_id,
        opened_by=payload.opened_by,
        closed_by=payload.closed_by,
        period_start=payload.period_start,
        period_end=payload.period_end,
        first_receipt_number=payload.first_receipt_number,
        last_receipt_number=payload.last_receipt_number,
        totals=totals,
        counted=CashCount.of(currency, payload.counted),
        counted_cash=money(payload.counted_cash),
        expected_cash=money(payload.expected_cash),
        variance=money(payload.variance),
        previous_grand_total=money(payload.previous_grand_total),
        grand_total=money(payload.grand_total),
    )
