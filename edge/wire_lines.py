"""Document lines as they travel: a line's terms, and the lines of version 4 (weighed items).

Split from edge.wire, which re-exports `terms_payload`.
"""

from __future__ import annotations

from decimal import Decimal

from edge.domain.documents import NO_TERMS, LineTerms, Return, ReturnLine, Sale, SaleLine
from shared.money import Money
from sync.messages import LineTermsV1, ReturnLineV4, SaleLineV4


def terms_payload(terms: LineTerms, currency: str) -> LineTermsV1 | None:
    """A line's promotion and tax as they travel (and as the till API shows them); None for a
    line with neither."""
    if terms == NO_TERMS:
        return None
    return LineTermsV1(
        discount=Money.from_minor(terms.discount_minor, currency).amount,
        promotion_id=terms.promotion_id,
        promotion_version=terms.promotion_version,
        tax=Money.from_minor(terms.tax_minor, currency).amount,
        tax_code=terms.tax_code,
        tax_rate=terms.tax_rate,
        tax_version=terms.tax_version,
    )


def weighed(lines: tuple[SaleLine, ...] | tuple[ReturnLine, ...]) -> bool:
    """Whether a document has a line sold by weight: it then travels as version 4."""
    return any(line.unit != "each" for line in lines)


def sale_needs_v4(sale: Sale) -> bool:
    """Whether a sale travels as version 4: a line sold by weight, or a line with a discount
    the cashier gave by hand or a price overridden with a reason code (fields version 3 has
    not). Other sales keep their older version, byte for byte as before."""
    return weighed(sale.lines) or any(
        line.manual_discount_minor or line.price_reason for line in sale.lines
    )


def weighed_sale_lines(sale: Sale) -> list[SaleLineV4]:
    """A sale's lines as version 4 writes them: quantities as decimal text with their unit,
    each line's manual discount and price-override reason code."""
    return [
        SaleLineV4(
            line_no=line.line_no,
            sku=line.sku,
            description=line.description,
            quantity=Decimal(line.quantity),
            unit=line.unit,
            unit_price=line.unit_price,
            line_total=line.line_total.amount,
            price_version=line.price_version,
            price_source=line.price_source,
            terms=terms_payload(line.terms, sale.currency),
            manual_discount_minor=line.manual_discount_minor,
            override_reason=line.price_reason,
        )
        for line in sale.lines
    ]


def weighed_return_lines(sales_return: Return) -> list[ReturnLineV4]:
    """A return's lines as version 4 writes them (see `weighed_sale_lines`)."""
    return [
        ReturnLineV4(
            line_no=line.line_no,
            sku=line.sku,
            description=line.description,
            quantity=Decimal(line.quantity),
            unit=line.unit,
            unit_price=line.unit_price,
            line_total=line.line_total.amount,
            original_line_no=line.original_line_no,
            price_version=line.price_version,
            terms=terms_payload(line.terms, sales_return.currency),
        )
        for line in sales_return.lines
    ]
