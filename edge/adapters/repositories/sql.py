"""SQL helpers the repositories share: upsert by version, a line's promotion and tax columns."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from edge.domain.documents import NO_TERMS, LineTerms


def upsert(connection: Connection, table: Any, rows: list[dict[str, Any]], keys: list[str]) -> None:
    """Insert or replace by `keys`, keeping the newer version when rows carry one."""
    if not rows:
        return
    statement = sqlite_insert(table)
    columns = {name: statement.excluded[name] for name in rows[0] if name not in keys}
    # Strictly newer only: an entry seen again, or a feed entry repeating a snapshot, or a
    # stock level of the same version as a fresher snapshot value, changes nothing.
    where = statement.excluded.version > table.c.version if "version" in table.c else None
    connection.execute(
        statement.on_conflict_do_update(index_elements=keys, set_=columns, where=where), rows
    )


def terms_row(terms: LineTerms) -> dict[str, Any]:
    return {
        "discount_minor": terms.discount_minor,
        "promotion_id": terms.promotion_id,
        "promotion_version": terms.promotion_version,
        "tax_minor": terms.tax_minor,
        "tax_code": terms.tax_code,
        "tax_rate": str(terms.tax_rate) if terms.tax_rate is not None else None,
        "tax_version": terms.tax_version,
    }


def terms_of(row: Row[Any]) -> LineTerms:
    if (row.discount_minor, row.promotion_id, row.tax_minor, row.tax_code) == (0, None, 0, None):
        return NO_TERMS
    return LineTerms(
        discount_minor=row.discount_minor,
        promotion_id=row.promotion_id,
        promotion_version=row.promotion_version,
        tax_minor=row.tax_minor,
        tax_code=row.tax_code,
        tax_rate=Decimal(row.tax_rate) if row.tax_rate is not None else None,
        tax_version=row.tax_version,
    )


def manual_row(line: Any) -> dict[str, Any]:
    """The manual discount and price reason columns of a cart or sale line."""
    return {
        "manual_discount_minor": line.manual_discount_minor,
        "discount_reason": line.discount_reason,
        "price_reason": line.price_reason,
        "price_note": line.price_note,
        "gift_card_number": line.gift_card_number,
    }


def manual_of(row: Row[Any]) -> dict[str, Any]:
    """The keyword arguments of CartLine and SaleLine for those columns."""
    return {
        "manual_discount_minor": row.manual_discount_minor,
        "discount_reason": row.discount_reason,
        "price_reason": row.price_reason,
        "price_note": row.price_note,
        "gift_card_number": row.gift_card_number,
    }
