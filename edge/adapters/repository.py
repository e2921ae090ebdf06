"""Repositories of the edge: rows of the SQLite file in, domain objects out.

Each takes the Connection of the caller's transaction; none commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, bindparam, case, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from edge.adapters import tables
from edge.domain.cart import Cart, CartHead, CartLine, PricedItem
from edge.domain.documents import (
    DRAWER_SIGN,
    NO_TERMS,
    CashMovement,
    LineTerms,
    RefundLine,
    RefundRequest,
    Return,
    ReturnLine,
    Sale,
    SaleLine,
    StoredRefundRequest,
    Tender,
)
from edge.domain.node import NodeIdentity
from edge.domain.pricing import Promotion, TaxRate, best_promotion
from edge.errors import IdReused
from shared.money import Money
from sync.messages import RefundDecisionV1

# Statements on the selling path are built once: building a select costs about 3x running it.
_CART = select(tables.cart).where(tables.cart.c.cart_id == bindparam("cart_key"))
_CART_LINES = (
    select(tables.cart_line)
    .where(tables.cart_line.c.cart_id == bindparam("cart_key"))
    .order_by(tables.cart_line.c.position)
)
_INSERT_CART_LINE = tables.cart_line.insert()
_CART_HEAD = select(
    tables.cart,
    select(func.count())
    .where(tables.cart_line.c.cart_id == tables.cart.c.cart_id)
    .scalar_subquery()
    .label("line_count"),
    select(func.count())
    .where(tables.cart_line.c.cart_id == tables.cart.c.cart_id, tables.cart_line.c.voided == 0)
    .scalar_subquery()
    .label("active_count"),
    select(func.coalesce(func.sum(tables.cart_line.c.line_total_minor), 0))
    .where(tables.cart_line.c.cart_id == tables.cart.c.cart_id, tables.cart_line.c.voided == 0)
    .scalar_subquery()
    .label("total_minor"),
).where(tables.cart.c.cart_id == bindparam("cart_key"))
_CART_LINES_BY_ID = select(tables.cart_line).where(
    tables.cart_line.c.line_id.in_(bindparam("line_keys", expanding=True))
)
_PRICED_ITEM = (
    select(
        tables.product.c.sku,
        tables.product.c.description,
        tables.price.c.unit_price,
        tables.price.c.version,
        tables.tax_rate.c.code.label("tax_code"),
        tables.tax_rate.c.rate.label("tax_rate"),
        tables.tax_rate.c.version.label("tax_version"),
    )
    .select_from(tables.product)
    .outerjoin(
        tables.price,
        (tables.price.c.sku == tables.product.c.sku)
        & (tables.price.c.price_list == bindparam("list_name")),
    )
    .outerjoin(tables.tax_rate, tables.tax_rate.c.code == tables.product.c.tax_code)
    .where(tables.product.c.sku == bindparam("sku_key"))
)
_PROMOTIONS_OF_SKU = (
    select(tables.promotion)
    .join(
        tables.promotion_sku,
        tables.promotion_sku.c.promotion_id == tables.promotion.c.promotion_id,
    )
    .where(tables.promotion_sku.c.sku == bindparam("sku_key"), tables.promotion.c.active == 1)
)
_NEXT_RECEIPT = (
    update(tables.node)
    .values(receipt_counter=tables.node.c.receipt_counter + 1)
    .returning(tables.node.c.receipt_counter)
)


class NodeRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def identity(self) -> NodeIdentity | None:
        row = (self._connection.execute(select(tables.node))).first()
        if row is None:
            return None
        return NodeIdentity(
            store_id=row.store_id,
            node_id=row.node_id,
            node_name=row.node_name,
            store_name=row.store_name,
            timezone=row.timezone,
            currency=row.currency,
        )

    def credential(self) -> str | None:
        return (self._connection.execute(select(tables.node.c.credential))).scalar_one_or_none()

    def last_hlc(self) -> str | None:
        return (self._connection.execute(select(tables.node.c.last_hlc))).scalar_one_or_none()

    def enrol(self, identity: NodeIdentity, credential: str, enrolled_at: datetime) -> None:
        self._connection.execute(
            tables.node.insert().values(
                id=1,
                store_id=identity.store_id,
                node_id=identity.node_id,
                node_name=identity.node_name,
                store_name=identity.store_name,
                timezone=identity.timezone,
                currency=identity.currency,
                credential=credential,
                enrolled_at=enrolled_at.isoformat(),
            )
        )

    def driven_time(self) -> str | None:
        return self._connection.execute(select(tables.node.c.driven_time)).scalar_one_or_none()

    def remember_driven_time(self, moment: datetime) -> None:
        self._connection.execute(update(tables.node).values(driven_time=moment.isoformat()))

    def set_credential(self, credential: str) -> None:
        self._connection.execute(update(tables.node).values(credential=credential))

    def update_store(
        self,
        name: str,
        timezone: str,
        currency: str,
        refund_approval_over_minor: int | None,
        version: int,
    ) -> None:
        """Take the store's configuration from the hub, only if `version` is newer than the
        one held (a snapshot's copy may be older than a feed entry applied)."""
        self._connection.execute(
            update(tables.node)
            .where(tables.node.c.store_version < version)
            .values(
                store_name=name,
                timezone=timezone,
                currency=currency,
                refund_approval_over_minor=refund_approval_over_minor,
                store_version=version,
            )
        )

    def refund_approval_over(self) -> int | None:
        """The refund, in minor units, above which HQ must approve; None: no limit."""
        return self._connection.execute(
            select(tables.node.c.refund_approval_over_minor)
        ).scalar_one_or_none()

    def next_receipt_number(self, till_id: str) -> str:
        """`<till>-<n>` with n counting every document of this node, never reused."""
        result = self._connection.execute(_NEXT_RECEIPT)
        return f"{till_id}-{result.scalar_one():07d}"

    def acked_seq(self) -> int:
        value = (self._connection.execute(select(tables.node.c.acked_seq))).scalar_one_or_none()
        return int(value or 0)

    def advance_ack(self, acked_seq: int) -> None:
        """Raise the acknowledged seq (never lowers it: acks can arrive out of order)."""
        self._connection.execute(
            update(tables.node)
            .where(tables.node.c.acked_seq < acked_seq)
            .values(acked_seq=acked_seq)
        )

    def feed_cursor(self) -> str | None:
        return (self._connection.execute(select(tables.node.c.feed_cursor))).scalar_one_or_none()

    def bootstrap_state(self) -> tuple[bool, str | None, str | None]:
        """(needed, feed position to follow, resume key): a snapshot is needed when the node
        has no feed cursor yet or a download is under way."""
        row = self._connection.execute(
            select(
                tables.node.c.feed_cursor,
                tables.node.c.bootstrap_position,
                tables.node.c.bootstrap_after,
            )
        ).first()
        if row is None:
            return False, None, None
        needed = row.feed_cursor is None or row.bootstrap_position is not None
        return needed, row.bootstrap_position, row.bootstrap_after

    def record_bootstrap(self, position: str, after: str | None) -> None:
        self._connection.execute(
            update(tables.node).values(bootstrap_position=position, bootstrap_after=after)
        )

    def finish_bootstrap(self, position: str) -> None:
        self._connection.execute(
            update(tables.node).values(
                feed_cursor=position, bootstrap_position=None, bootstrap_after=None
            )
        )

    def restart_bootstrap(self) -> None:
        """Forget the feed position (it was compacted away); the outbox is untouched."""
        self._connection.execute(
            update(tables.node).values(
                feed_cursor=None, bootstrap_position=None, bootstrap_after=None
            )
        )

    def set_feed_cursor(self, cursor: str) -> None:
        self._connection.execute(update(tables.node).values(feed_cursor=cursor))


class CatalogueRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def priced_item(
        self, sku: str, price_list: str = "default", at: datetime | None = None
    ) -> PricedItem | None:
        """The SKU's price, its tax rate and, if `at` is given, the best promotion in force
        then; None for a SKU not in the catalogue."""
        row = self._connection.execute(
            _PRICED_ITEM, {"sku_key": sku, "list_name": price_list}
        ).first()
        if row is None:
            return None
        tax = (
            TaxRate(row.tax_code, Decimal(row.tax_rate), row.tax_version)
            if row.tax_code is not None
            else None
        )
        promotion = best_promotion(self.promotions_of(sku), at) if at is not None else None
        if row.unit_price is None:
            return PricedItem(row.sku, row.description, None, None, tax, promotion)
        return PricedItem(
            row.sku, row.description, Decimal(row.unit_price), row.version, tax, promotion
        )

    def on_hand(self, location_id: str, sku: str) -> int | None:
        """The hub's count of `sku` at `location_id` as of the last feed read (sales not yet
        uploaded are not in it); None when the hub published none."""
        value = self._connection.execute(
            select(tables.stock_level.c.on_hand).where(
                tables.stock_level.c.location_id == location_id, tables.stock_level.c.sku == sku
            )
        ).scalar_one_or_none()
        return int(value) if value is not None else None

    def promotions_of(self, sku: str) -> list[Promotion]:
        """The active promotions naming `sku`, whatever their dates."""
        return [
            Promotion(
                promotion_id=row.promotion_id,
                version=row.version,
                percent_off=Decimal(row.percent_off),
                starts_at=datetime.fromisoformat(row.starts_at),
                ends_at=datetime.fromisoformat(row.ends_at) if row.ends_at else None,
            )
            for row in self._connection.execute(_PROMOTIONS_OF_SKU, {"sku_key": sku})
        ]

    def upsert_tax_rates(self, rows: list[dict[str, Any]]) -> None:
        _upsert(self._connection, tables.tax_rate, rows, ["code"])

    def upsert_promotion(self, row: dict[str, Any], skus: list[str]) -> None:
        """Store a promotion and the SKUs it names, unless a newer version is already here."""
        current = self._connection.execute(
            select(tables.promotion.c.version).where(
                tables.promotion.c.promotion_id == row["promotion_id"]
            )
        ).scalar_one_or_none()
        if current is not None and current >= row["version"]:
            return
        _upsert(self._connection, tables.promotion, [row], ["promotion_id"])
        self._connection.execute(
            tables.promotion_sku.delete().where(
                tables.promotion_sku.c.promotion_id == row["promotion_id"]
            )
        )
        if skus:
            self._connection.execute(
                tables.promotion_sku.insert(),
                [{"promotion_id": row["promotion_id"], "sku": sku} for sku in sorted(set(skus))],
            )

    def product_exists(self, sku: str) -> bool:
        found = self._connection.execute(
            select(tables.product.c.sku).where(tables.product.c.sku == sku)
        )
        return found.first() is not None

    def upsert_products(self, rows: list[dict[str, Any]]) -> None:
        _upsert(self._connection, tables.product, rows, ["sku"])

    def upsert_prices(self, rows: list[dict[str, Any]]) -> None:
        _upsert(self._connection, tables.price, rows, ["sku", "price_list"])

    def upsert_stock_levels(self, rows: list[dict[str, Any]]) -> None:
        _upsert(self._connection, tables.stock_level, rows, ["location_id", "sku"])

    def counts(self) -> dict[str, int]:
        result = {}
        for name, table in (("products", tables.product), ("prices", tables.price)):
            count = (self._connection.execute(select(func.count()).select_from(table))).scalar_one()
            result[name] = int(count)
        return result

    def search(self, text: str, limit: int, at: datetime | None = None) -> list[PricedItem]:
        """Items whose SKU or description contains `text` (literally: % and _ match themselves),
        with the promotion in force at `at`."""
        literal = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{literal}%"
        result = self._connection.execute(
            select(tables.product.c.sku)
            .where(
                tables.product.c.sku.like(pattern, escape="\\")
                | tables.product.c.description.like(pattern, escape="\\")
            )
            .order_by(tables.product.c.sku)
            .limit(limit)
        )
        items = []
        for (sku,) in result:
            item = self.priced_item(sku, at=at)
            if item is not None:
                items.append(item)
        return items


def _upsert(
    connection: Connection, table: Any, rows: list[dict[str, Any]], keys: list[str]
) -> None:
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


class CartRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, cart_id: UUID) -> Cart | None:
        key = {"cart_key": str(cart_id)}
        row = self._connection.execute(_CART, key).first()
        if row is None:
            return None
        lines = self._connection.execute(_CART_LINES, key)
        return Cart(
            cart_id=UUID(row.cart_id),
            till_id=row.till_id,
            currency=row.currency,
            opened_at=datetime.fromisoformat(row.opened_at),
            customer_id=row.customer_id,
            status=row.status,
            sale_id=UUID(row.sale_id) if row.sale_id else None,
            lines=[_cart_line(line) for line in lines],
        )

    def head(self, cart_id: UUID) -> CartHead | None:
        """The cart's header with its line count and total, without loading its lines."""
        row = self._connection.execute(_CART_HEAD, {"cart_key": str(cart_id)}).first()
        if row is None:
            return None
        return CartHead(
            cart_id=UUID(row.cart_id),
            till_id=row.till_id,
            currency=row.currency,
            status=row.status,
            line_count=int(row.line_count),
            active_count=int(row.active_count),
            total=Money.from_minor(int(row.total_minor), row.currency),
        )

    def lines_by_id(self, line_ids: list[UUID]) -> dict[UUID, tuple[str, CartLine]]:
        """Lines with these ids anywhere, with the cart each belongs to."""
        if not line_ids:
            return {}
        rows = self._connection.execute(
            _CART_LINES_BY_ID, {"line_keys": [str(line_id) for line_id in line_ids]}
        )
        return {UUID(row.line_id): (row.cart_id, _cart_line(row)) for row in rows}

    def add(self, cart: Cart) -> None:
        self._connection.execute(
            tables.cart.insert().values(
                cart_id=str(cart.cart_id),
                till_id=cart.till_id,
                status=cart.status,
                currency=cart.currency,
                customer_id=cart.customer_id,
                opened_at=cart.opened_at.isoformat(),
            )
        )
        self.add_lines(cart.cart_id, cart.currency, cart.lines)

    def add_lines(self, cart_id: UUID, currency: str, lines: Sequence[CartLine]) -> None:
        """Insert lines. Raises IdReused if a line id exists already (on any cart)."""
        rows = [
            {
                "line_id": str(line.line_id),
                "cart_id": str(cart_id),
                "position": line.position,
                "sku": line.sku,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "line_total_minor": line.total(currency).minor,
                "price_version": line.price_version,
                "price_source": line.price_source,
                "voided": int(line.voided),
                **_terms_row(line.terms),
            }
            for line in lines
        ]
        if not rows:
            return
        try:
            self._connection.execute(_INSERT_CART_LINE, rows)
        except IntegrityError as error:
            if "cart_line.line_id" in str(error.orig):
                raise IdReused(
                    "cart line", ", ".join(str(line.line_id) for line in lines)
                ) from None
            raise

    def void_line(self, line_id: UUID) -> None:
        self._connection.execute(
            update(tables.cart_line)
            .where(tables.cart_line.c.line_id == str(line_id))
            .values(voided=1)
        )

    def close(self, cart: Cart, closed_at: datetime) -> None:
        self._connection.execute(
            update(tables.cart)
            .where(tables.cart.c.cart_id == str(cart.cart_id))
            .values(
                status=cart.status,
                closed_at=closed_at.isoformat(),
                sale_id=str(cart.sale_id) if cart.sale_id else None,
            )
        )


def _cart_line(row: Row[Any]) -> CartLine:
    return CartLine(
        line_id=UUID(row.line_id),
        position=row.position,
        sku=row.sku,
        description=row.description,
        quantity=row.quantity,
        unit_price=Decimal(row.unit_price),
        price_version=row.price_version,
        price_source=row.price_source,
        voided=bool(row.voided),
        terms=_terms_of(row),
    )


def _terms_row(terms: LineTerms) -> dict[str, Any]:
    return {
        "discount_minor": terms.discount_minor,
        "promotion_id": terms.promotion_id,
        "promotion_version": terms.promotion_version,
        "tax_minor": terms.tax_minor,
        "tax_code": terms.tax_code,
        "tax_rate": str(terms.tax_rate) if terms.tax_rate is not None else None,
        "tax_version": terms.tax_version,
    }


def _terms_of(row: Row[Any]) -> LineTerms:
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


def _tender_rows(document_id: UUID, tenders: Iterable[Tender]) -> list[dict[str, Any]]:
    return [
        {
            "document_id": str(document_id),
            "tender_no": tender.tender_no,
            "kind": tender.kind,
            "amount_minor": tender.amount.minor,
            "tendered_minor": tender.tendered.minor,
            "change_minor": tender.change.minor,
        }
        for tender in tenders
    ]


def _tenders(connection: Connection, document_id: str, currency: str) -> tuple[Tender, ...]:
    rows = connection.execute(
        select(tables.tender)
        .where(tables.tender.c.document_id == document_id)
        .order_by(tables.tender.c.tender_no)
    )
    return tuple(
        Tender(
            tender_no=row.tender_no,
            kind=row.kind,
            amount=Money.from_minor(row.amount_minor, currency),
            tendered=Money.from_minor(row.tendered_minor, currency),
            change=Money.from_minor(row.change_minor, currency),
        )
        for row in rows
    )


class SaleRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, sale: Sale, event_seq: int) -> None:
        self._connection.execute(
            tables.sale.insert().values(
                sale_id=str(sale.sale_id),
                receipt_number=sale.receipt_number,
                cart_id=str(sale.cart_id) if sale.cart_id else None,
                till_id=sale.till_id,
                business_time=sale.business_time.isoformat(),
                business_day=sale.business_day.isoformat(),
                customer_id=sale.customer_id,
                currency=sale.currency,
                total_minor=sale.total.minor,
                external_reference=sale.external_reference,
                event_seq=event_seq,
                b2b_order_id=str(sale.b2b_order_id) if sale.b2b_order_id else None,
            )
        )
        self._connection.execute(
            tables.sale_line.insert(),
            [
                {
                    "sale_id": str(sale.sale_id),
                    "line_no": line.line_no,
                    "sku": line.sku,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "line_total_minor": line.line_total.minor,
                    "price_version": line.price_version,
                    "price_source": line.price_source,
                    **_terms_row(line.terms),
                }
                for line in sale.lines
            ],
        )
        tender_rows = _tender_rows(sale.sale_id, sale.tenders)
        if tender_rows:
            self._connection.execute(tables.tender.insert(), tender_rows)

    def get(self, sale_id: UUID) -> Sale | None:
        row = (
            self._connection.execute(
                select(tables.sale).where(tables.sale.c.sale_id == str(sale_id))
            )
        ).first()
        return self._load(row) if row else None

    def by_receipt(self, receipt_number: str) -> Sale | None:
        row = (
            self._connection.execute(
                select(tables.sale).where(tables.sale.c.receipt_number == receipt_number)
            )
        ).first()
        return self._load(row) if row else None

    def by_cart(self, cart_id: UUID) -> Sale | None:
        row = (
            self._connection.execute(
                select(tables.sale).where(tables.sale.c.cart_id == str(cart_id))
            )
        ).first()
        return self._load(row) if row else None

    def by_b2b_order(self, order_id: UUID) -> Sale | None:
        """The sale of this node that handed B2B order `order_id` over, if any."""
        row = (
            self._connection.execute(
                select(tables.sale).where(tables.sale.c.b2b_order_id == str(order_id))
            )
        ).first()
        return self._load(row) if row else None

    def for_day(self, business_day: date, limit: int, offset: int) -> list[Sale]:
        rows = self._connection.execute(
            select(tables.sale)
            .where(tables.sale.c.business_day == business_day.isoformat())
            .order_by(tables.sale.c.event_seq)
            .limit(limit)
            .offset(offset)
        )
        return [self._load(row) for row in rows.all()]

    def returned_quantities(self, sale_id: UUID) -> dict[int, int]:
        """Units already returned per original line number of `sale_id`."""
        rows = self._connection.execute(
            select(tables.return_line.c.original_line_no, func.sum(tables.return_line.c.quantity))
            .join(
                tables.sales_return,
                tables.sales_return.c.return_id == tables.return_line.c.return_id,
            )
            .where(tables.sales_return.c.original_sale_id == str(sale_id))
            .group_by(tables.return_line.c.original_line_no)
        )
        return {int(line_no): int(quantity) for line_no, quantity in rows if line_no is not None}

    def _load(self, row: Row[Any]) -> Sale:
        currency = row.currency
        lines = self._connection.execute(
            select(tables.sale_line)
            .where(tables.sale_line.c.sale_id == row.sale_id)
            .order_by(tables.sale_line.c.line_no)
        )
        return Sale(
            sale_id=UUID(row.sale_id),
            receipt_number=row.receipt_number,
            cart_id=UUID(row.cart_id) if row.cart_id else None,
            till_id=row.till_id,
            business_time=datetime.fromisoformat(row.business_time),
            business_day=date.fromisoformat(row.business_day),
            currency=currency,
            customer_id=row.customer_id,
            external_reference=row.external_reference,
            lines=tuple(
                SaleLine(
                    line_no=line.line_no,
                    sku=line.sku,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=Decimal(line.unit_price),
                    line_total=Money.from_minor(line.line_total_minor, currency),
                    price_version=line.price_version,
                    price_source=line.price_source,
                    terms=_terms_of(line),
                )
                for line in lines
            ),
            tenders=_tenders(self._connection, row.sale_id, currency),
            total=Money.from_minor(row.total_minor, currency),
            b2b_order_id=UUID(row.b2b_order_id) if row.b2b_order_id else None,
        )


class ReturnRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, sales_return: Return, event_seq: int) -> None:
        self._connection.execute(
            tables.sales_return.insert().values(
                return_id=str(sales_return.return_id),
                receipt_number=sales_return.receipt_number,
                till_id=sales_return.till_id,
                original_sale_id=(
                    str(sales_return.original_sale_id) if sales_return.original_sale_id else None
                ),
                business_time=sales_return.business_time.isoformat(),
                business_day=sales_return.business_day.isoformat(),
                customer_id=sales_return.customer_id,
                currency=sales_return.currency,
                total_minor=sales_return.total.minor,
                reason=sales_return.reason,
                external_reference=sales_return.external_reference,
                event_seq=event_seq,
                refund_request_id=(
                    str(sales_return.refund_request_id) if sales_return.refund_request_id else None
                ),
            )
        )
        self._connection.execute(
            tables.return_line.insert(),
            [
                {
                    "return_id": str(sales_return.return_id),
                    "line_no": line.line_no,
                    "sku": line.sku,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "line_total_minor": line.line_total.minor,
                    "original_line_no": line.original_line_no,
                    "price_version": line.price_version,
                    **_terms_row(line.terms),
                }
                for line in sales_return.lines
            ],
        )
        tender_rows = _tender_rows(sales_return.return_id, sales_return.refunds)
        if tender_rows:
            self._connection.execute(tables.tender.insert(), tender_rows)

    def get(self, return_id: UUID) -> Return | None:
        row = (
            self._connection.execute(
                select(tables.sales_return).where(tables.sales_return.c.return_id == str(return_id))
            )
        ).first()
        if row is None:
            return None
        currency = row.currency
        lines = self._connection.execute(
            select(tables.return_line)
            .where(tables.return_line.c.return_id == row.return_id)
            .order_by(tables.return_line.c.line_no)
        )
        return Return(
            return_id=UUID(row.return_id),
            receipt_number=row.receipt_number,
            till_id=row.till_id,
            original_sale_id=UUID(row.original_sale_id) if row.original_sale_id else None,
            business_time=datetime.fromisoformat(row.business_time),
            business_day=date.fromisoformat(row.business_day),
            currency=currency,
            customer_id=row.customer_id,
            external_reference=row.external_reference,
            reason=row.reason,
            lines=tuple(
                ReturnLine(
                    line_no=line.line_no,
                    sku=line.sku,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=Decimal(line.unit_price),
                    line_total=Money.from_minor(line.line_total_minor, currency),
                    original_line_no=line.original_line_no,
                    price_version=line.price_version,
                    terms=_terms_of(line),
                )
                for line in lines
            ),
            refunds=_tenders(self._connection, row.return_id, currency),
            total=Money.from_minor(row.total_minor, currency),
            refund_request_id=UUID(row.refund_request_id) if row.refund_request_id else None,
        )


class RefundRequestRepository:
    """Refund requests of the store: asked for here, or heard of from the hub's feed."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, request: RefundRequest) -> None:
        """A request just asked for here: pending, not yet heard from the hub (version 0)."""
        self._connection.execute(
            tables.refund_request.insert().values(
                **_refund_row(request), status="pending", version=0
            )
        )

    def get(self, request_id: UUID) -> StoredRefundRequest | None:
        row = self._connection.execute(
            select(tables.refund_request).where(
                tables.refund_request.c.request_id == str(request_id)
            )
        ).first()
        return _stored_refund(row) if row else None

    def list(self, status: str | None, limit: int) -> list[StoredRefundRequest]:
        request = tables.refund_request
        statement = select(request).order_by(request.c.business_time.desc()).limit(limit)
        if status is not None:
            statement = statement.where(request.c.status == status)
        return [_stored_refund(row) for row in self._connection.execute(statement)]

    def apply_decision(self, decision: RefundDecisionV1, version: int) -> None:
        """Take the hub's state of a request unless the one held is as new; a request of
        another till of the store is added. A refund made here stays `executed` whatever the
        hub said before it heard of it."""
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
        table = tables.refund_request
        decided = {
            "status": decision.status,
            "version": version,
            "decided_by": decision.decided_by,
            "decided_at": decision.decided_at.isoformat() if decision.decided_at else None,
            "notes": decision.notes,
            "executed_return_id": (
                str(decision.executed_return_id) if decision.executed_return_id else None
            ),
        }
        statement = sqlite_insert(table).values(**_refund_row(request), **decided)
        held_executed = table.c.executed_return_id.is_not(None) & (
            statement.excluded.executed_return_id.is_(None)
        )
        self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.request_id],
                set_={
                    **{name: statement.excluded[name] for name in decided},
                    "status": case(
                        (held_executed, table.c.status), else_=statement.excluded.status
                    ),
                    # A refund made here keeps naming its own return, even when the hub
                    # says another node's return made the request first.
                    "executed_return_id": func.coalesce(
                        table.c.executed_return_id, statement.excluded.executed_return_id
                    ),
                },
                where=table.c.version < statement.excluded.version,
            )
        )

    def mark_executed(self, request_id: UUID, return_id: UUID) -> None:
        self._connection.execute(
            update(tables.refund_request)
            .where(tables.refund_request.c.request_id == str(request_id))
            .values(status="executed", executed_return_id=str(return_id))
        )


def _refund_row(request: RefundRequest) -> dict[str, Any]:
    currency = request.amount.currency
    return {
        "request_id": str(request.request_id),
        "till_id": request.till_id,
        "requested_by": request.requested_by,
        "reason": request.reason,
        "currency": currency,
        "amount_minor": request.amount.minor,
        "original_sale_id": str(request.original_sale_id) if request.original_sale_id else None,
        "original_receipt_number": request.original_receipt_number,
        "customer_id": request.customer_id,
        "lines": json.dumps(
            [
                {
                    "sku": line.sku,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "line_total_minor": line.line_total.minor,
                    "original_line_no": line.original_line_no,
                }
                for line in request.lines
            ]
        ),
        "business_time": request.business_time.isoformat(),
    }


def _stored_refund(row: Row[Any]) -> StoredRefundRequest:
    currency = row.currency
    request = RefundRequest(
        request_id=UUID(row.request_id),
        till_id=row.till_id,
        requested_by=row.requested_by,
        reason=row.reason,
        amount=Money.from_minor(row.amount_minor, currency),
        original_sale_id=UUID(row.original_sale_id) if row.original_sale_id else None,
        original_receipt_number=row.original_receipt_number,
        customer_id=row.customer_id,
        lines=tuple(
            RefundLine(
                sku=line["sku"],
                description=line["description"],
                quantity=line["quantity"],
                unit_price=Decimal(line["unit_price"]),
                line_total=Money.from_minor(line["line_total_minor"], currency),
                original_line_no=line["original_line_no"],
            )
            for line in json.loads(row.lines)
        ),
        business_time=datetime.fromisoformat(row.business_time),
    )
    return StoredRefundRequest(
        request=request,
        status=row.status,
        version=row.version,
        decided_by=row.decided_by,
        decided_at=datetime.fromisoformat(row.decided_at) if row.decided_at else None,
        notes=row.notes,
        executed_return_id=UUID(row.executed_return_id) if row.executed_return_id else None,
    )


class CashRepository:
    """Cash movements of the drawers (float, paid-in, paid-out, pickup)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, movement: CashMovement, event_seq: int) -> None:
        self._connection.execute(
            tables.cash_movement.insert().values(
                movement_id=str(movement.movement_id),
                till_id=movement.till_id,
                kind=movement.kind,
                amount_minor=movement.amount.minor,
                currency=movement.amount.currency,
                reason=movement.reason,
                business_time=movement.business_time.isoformat(),
                business_day=movement.business_day.isoformat(),
                event_seq=event_seq,
            )
        )

    def get(self, movement_id: UUID) -> CashMovement | None:
        row = self._connection.execute(
            select(tables.cash_movement).where(
                tables.cash_movement.c.movement_id == str(movement_id)
            )
        ).first()
        return _cash_movement(row) if row else None

    def for_day(self, business_day: date) -> list[CashMovement]:
        rows = self._connection.execute(
            select(tables.cash_movement)
            .where(tables.cash_movement.c.business_day == business_day.isoformat())
            .order_by(tables.cash_movement.c.event_seq)
        )
        return [_cash_movement(row) for row in rows]


def _cash_movement(row: Row[Any]) -> CashMovement:
    return CashMovement(
        movement_id=UUID(row.movement_id),
        till_id=row.till_id,
        kind=row.kind,
        amount=Money.from_minor(row.amount_minor, row.currency),
        reason=row.reason,
        business_time=datetime.fromisoformat(row.business_time),
        business_day=date.fromisoformat(row.business_day),
    )


def day_summary(connection: Connection, business_day: date) -> dict[str, int]:
    """Counts and minor-unit sums of one trading day's documents on this node."""
    day = business_day.isoformat()
    sales = (
        connection.execute(
            select(
                func.count(func.distinct(tables.sale.c.sale_id)),
                func.count(),
                func.coalesce(func.sum(tables.sale_line.c.quantity), 0),
                func.coalesce(func.sum(tables.sale_line.c.line_total_minor), 0),
            )
            .select_from(tables.sale)
            .join(tables.sale_line, tables.sale_line.c.sale_id == tables.sale.c.sale_id)
            .where(tables.sale.c.business_day == day)
        )
    ).one()
    returns = (
        connection.execute(
            select(
                func.count(func.distinct(tables.sales_return.c.return_id)),
                func.count(),
                func.coalesce(func.sum(tables.return_line.c.quantity), 0),
                func.coalesce(func.sum(tables.return_line.c.line_total_minor), 0),
            )
            .select_from(tables.sales_return)
            .join(
                tables.return_line,
                tables.return_line.c.return_id == tables.sales_return.c.return_id,
            )
            .where(tables.sales_return.c.business_day == day)
        )
    ).one()
    cash: dict[str, int] = {
        row.kind: int(row.total)
        for row in connection.execute(
            select(
                tables.cash_movement.c.kind,
                func.sum(tables.cash_movement.c.amount_minor).label("total"),
            )
            .where(tables.cash_movement.c.business_day == day)
            .group_by(tables.cash_movement.c.kind)
        )
    }
    return {
        "sales": int(sales[0]),
        "returns": int(returns[0]),
        "lines": int(sales[1]) + int(returns[1]),
        "units": int(sales[2]) - int(returns[2]),
        "revenue_minor": int(sales[3]) - int(returns[3]),
        "returns_minor": int(returns[3]),
        "cash_in_minor": int(cash.get("float", 0)) + int(cash.get("paid_in", 0)),
        "cash_out_minor": int(cash.get("paid_out", 0)) + int(cash.get("pickup", 0)),
    }


class IntegrityRepository:
    """This node's documents per business day, and the hub's verdicts on them."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def days_between(self, after_seq: int, up_to_seq: int) -> list[str]:
        """Business days of documents and cash movements whose events have seqs in
        (after_seq, up_to_seq]."""
        days: set[str] = set()
        for table in (tables.sale, tables.sales_return, tables.cash_movement):
            rows = self._connection.execute(
                select(table.c.business_day)
                .where(table.c.event_seq > after_seq, table.c.event_seq <= up_to_seq)
                .distinct()
            )
            days.update(row.business_day for row in rows)
        return sorted(days)

    def last_seq_of_day(self, business_day: str) -> int:
        last = 0
        for table in (tables.sale, tables.sales_return, tables.cash_movement):
            value = self._connection.execute(
                select(func.max(table.c.event_seq)).where(table.c.business_day == business_day)
            ).scalar_one_or_none()
            last = max(last, int(value or 0))
        return last

    def day_events(self, business_day: str) -> list[tuple[str, int]]:
        """(event id, signed amount in minor units) of the day's sales (+ total), returns
        (- total) and cash movements (their effect on the drawer: + float and paid-in, -
        paid-out and pickup)."""
        events: list[tuple[str, int]] = []
        for table, sign in ((tables.sale, 1), (tables.sales_return, -1)):
            rows = self._connection.execute(
                select(tables.outbox.c.event_id, table.c.total_minor)
                .join(tables.outbox, tables.outbox.c.seq == table.c.event_seq)
                .where(table.c.business_day == business_day)
            )
            events.extend((row.event_id, sign * int(row.total_minor)) for row in rows)
        movement = tables.cash_movement
        rows = self._connection.execute(
            select(tables.outbox.c.event_id, movement.c.kind, movement.c.amount_minor)
            .join(tables.outbox, tables.outbox.c.seq == movement.c.event_seq)
            .where(movement.c.business_day == business_day)
        )
        events.extend((row.event_id, DRAWER_SIGN[row.kind] * int(row.amount_minor)) for row in rows)
        return events

    def checksum_seq(self) -> int:
        value = self._connection.execute(select(tables.node.c.checksum_seq)).scalar_one_or_none()
        return int(value or 0)

    def set_checksum_seq(self, seq: int) -> None:
        self._connection.execute(update(tables.node).values(checksum_seq=seq))

    def record(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            statement = sqlite_insert(tables.day_checksum)
            self._connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["business_day"],
                    set_={
                        name: statement.excluded[name] for name in rows[0] if name != "business_day"
                    },
                ),
                rows,
            )

    def summary(self) -> dict[str, int]:
        rows = self._connection.execute(
            select(tables.day_checksum.c.status, func.count()).group_by(
                tables.day_checksum.c.status
            )
        )
        counts = {status: int(count) for status, count in rows}
        return {"matched": counts.get("matched", 0), "mismatch": counts.get("mismatch", 0)}

    def mismatches(self, limit: int) -> list[Row[Any]]:
        return list(
            self._connection.execute(
                select(tables.day_checksum)
                .where(tables.day_checksum.c.status == "mismatch")
                .order_by(tables.day_checksum.c.business_day)
                .limit(limit)
            )
        )


class RecordRepository:
    """Records both sides may edit (sync.records), and the log of values that lost a merge."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, entity: str, key: str) -> tuple[dict[str, Any], int] | None:
        """(fields as stored JSON, version), or None."""
        record = tables.shared_record
        row = self._connection.execute(
            select(record.c.fields, record.c.version).where(
                record.c.entity == entity, record.c.record_key == key
            )
        ).first()
        return (json.loads(row.fields), int(row.version)) if row else None

    def save(
        self, entity: str, key: str, fields: dict[str, Any], version: int, now: datetime
    ) -> None:
        values = {
            "fields": json.dumps(fields, separators=(",", ":"), ensure_ascii=False),
            "version": version,
            "updated_at": now.isoformat(),
        }
        statement = sqlite_insert(tables.shared_record).values(
            entity=entity, record_key=key, **values
        )
        self._connection.execute(
            statement.on_conflict_do_update(index_elements=["entity", "record_key"], set_=values)
        )

    def log_conflicts(self, rows: list[dict[str, Any]]) -> None:
        """Insert conflicts; one already logged (same field, same losing stamp) is skipped."""
        if rows:
            statement = sqlite_insert(tables.record_conflict).on_conflict_do_nothing()
            self._connection.execute(statement, rows)

    def conflicts(
        self, entity: str | None, key: str | None, after_id: int, limit: int
    ) -> list[Row[Any]]:
        conflict = tables.record_conflict
        statement = select(conflict).where(conflict.c.conflict_id > after_id)
        if entity is not None:
            statement = statement.where(conflict.c.entity == entity)
        if key is not None:
            statement = statement.where(conflict.c.record_key == key)
        return list(
            self._connection.execute(statement.order_by(conflict.c.conflict_id).limit(limit))
        )

    def count_conflicts(self) -> int:
        statement = select(func.count()).select_from(tables.record_conflict)
        return int(self._connection.execute(statement).scalar_one())
