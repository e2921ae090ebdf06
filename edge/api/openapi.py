"""The errors each till API route answers, as its OpenAPI document says (sync.openapi applies it).

`BY_DEPENDENCY`: what a dependency refuses (no sale before enrolment). `BY_ROUTE`: what the
route's use case refuses, by "METHOD /path". Every route with parameters or a body also
documents 422 `validation_error`, and one with a body 413 `request_too_large` and 422
`invalid_json`. tests/integration/test_openapi.py checks the table against the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI

from edge import errors as e
from edge.api.deps import get_identity
from edge.api.errors import status_of
from edge.api.session import get_override, get_session, get_session_claim, get_till_write
from edge.domain import barcodes, scanning
from edge.domain import cart_changes as c
from edge.domain import discounts as d
from edge.domain import shifts as sh
from edge.domain import staff as st
from edge.domain.cash_count import InvalidCashCount
from edge.domain.printing import ReceiptAlreadyPrinted
from edge.payments import errors as pay
from edge.receipts.errors import InconsistentReceipt, UnprintableReceiptNumber
from edge.scale import errors as scale
from edge.service import reversals as r
from edge.service import shifts as sh_s
from edge.service import staff as sessions
from sync.openapi import ErrorKind, document_errors

BY_DEPENDENCY: dict[Callable[..., Any], Sequence[ErrorKind]] = {
    get_identity: (e.NotEnrolled,),
    get_session: (sessions.NotSignedIn,),
    get_session_claim: (sessions.NotSignedIn,),
    get_override: (sessions.OverrideIncomplete,),
    get_till_write: (e.NotEnrolled, sessions.NotSignedIn, sessions.OverrideIncomplete),
}

# What `authorize` refuses: the role may not (and no override, or the approver may not
# either), a wrong approver PIN, a locked approver, an approval by the cashier themself.
AUTHORIZE: Sequence[ErrorKind] = (st.NotPermitted, st.WrongPin, st.StaffLocked, st.OverrideBySelf)

SCAN: Sequence[ErrorKind] = (e.UnknownSku, e.IdReused, e.InvalidQuantity, e.InvalidPrice)
CART: Sequence[ErrorKind] = (e.CartNotFound, e.CartClosed, e.CartParked)
LINE: Sequence[ErrorKind] = (e.LineNotFound, c.LineVoided)
CAPS: Sequence[ErrorKind] = (e.LineOverCap, e.SaleOverCap)
DISCOUNT: Sequence[ErrorKind] = (d.InvalidDiscount, c.InvalidDiscountReason)
RECEIPT: Sequence[ErrorKind] = (e.InvalidTender, e.InsufficientTender, e.NegativeTotal)
SCAN_FIELD: Sequence[ErrorKind] = (
    barcodes.EmptyScan,
    barcodes.BadQuantityPrefix,
    barcodes.GtinCheckDigit,
    barcodes.BadVariableMeasure,
    barcodes.MeasureCheckDigit,
    barcodes.BadSku,
    barcodes.BadReceiptBarcode,
    scanning.UnknownCode,
    scanning.WeightNeeded,
    scanning.WrongUnit,
    scanning.ReceiptNotAnItem,
)
SCALE: Sequence[ErrorKind] = (
    scanning.NoScale,
    scanning.ScaleUnavailable,
    scanning.NothingWeighed,
    scale.ScaleUnstable,
    scale.ScaleOverload,
    scale.ScaleUnderload,
)
# What taking a card, gift card or store credit may refuse (edge.payments.errors).
TENDERS: Sequence[ErrorKind] = (
    pay.CardDeclined,
    pay.BalanceTooLow,
    pay.OfflineLimitReached,
    pay.NoCardTerminal,
    pay.UnknownAccount,
    e.Unavailable,
)
# A receipt drawn from a stored document (that should never happen, but is answered clearly).
DRAWN: Sequence[ErrorKind] = (InconsistentReceipt, UnprintableReceiptNumber)

BY_ROUTE: dict[str, Sequence[ErrorKind]] = {
    # shifts
    "POST /v1/shifts": (
        sh.ShiftAlreadyOpen,
        sh_s.InvalidFloat,
        InvalidCashCount,
        sh_s.ShiftIdReused,
        sessions.TillMismatch,
    ),
    "GET /v1/shifts/current": (sh.NoOpenShift,),
    "GET /v1/shifts/{shift_id}": (sh_s.ShiftNotFound,),
    "GET /v1/shifts/{shift_id}/x-report": (sh_s.ShiftNotFound,),
    "POST /v1/shifts/{shift_id}/close": (
        sh_s.ShiftNotFound,
        sh_s.CartsStillOpen,
        sh.ShiftClosed,
        InvalidCashCount,
        *AUTHORIZE,
    ),
    "POST /v1/shifts/{shift_id}/print": (sh_s.ShiftNotFound, sh_s.NoZReport, *DRAWN),
    "POST /v1/tills/{till_id}/no-sale": (sh.NoOpenShift, sessions.TillMismatch, *AUTHORIZE),
    # staff and till sessions
    "POST /v1/till-sessions": (st.WrongPin, st.StaffLocked),
    "POST /v1/till-sessions/current/pin": (st.PinNotAccepted, st.WrongPin, st.StaffLocked),
    "POST /v1/staff/{staff_code}/unlock": (*AUTHORIZE, sessions.StaffNotFound),
    # carts and sales
    "POST /v1/carts": (
        sh.NoOpenShift,
        *SCAN,
        pay.GiftCardNotActivated,
        e.NegativeTotal,
        c.InvalidPriceReason,
        *CAPS,
        *AUTHORIZE,
        sessions.TillMismatch,
    ),
    "GET /v1/carts/{cart_id}": (e.CartNotFound,),
    "POST /v1/carts/{cart_id}/lines": (
        *CART,
        *SCAN,
        pay.GiftCardNotActivated,
        e.NegativeTotal,
        c.InvalidPriceReason,
        *CAPS,
        *AUTHORIZE,
    ),
    "DELETE /v1/carts/{cart_id}/lines/{line_id}": (*CART, e.LineNotFound, *AUTHORIZE),
    "POST /v1/carts/{cart_id}/void": (*CART, *AUTHORIZE),
    # cart operations (edge.api.routes.cart_ops)
    "POST /v1/carts/{cart_id}/park": (*CART, e.EmptyCart),
    "POST /v1/carts/{cart_id}/recall": CART,
    "PATCH /v1/carts/{cart_id}/lines/{line_id}": (
        *CART,
        *LINE,
        e.UnknownSku,
        e.InvalidQuantity,
        e.InvalidPrice,
        *CAPS,
        *AUTHORIZE,
    ),
    "POST /v1/carts/{cart_id}/lines/{line_id}/discount": (
        *CART,
        *LINE,
        *DISCOUNT,
        d.DiscountExceedsLine,
        *CAPS,
        *AUTHORIZE,
    ),
    "POST /v1/carts/{cart_id}/discount": (
        *CART,
        *DISCOUNT,
        d.DiscountExceedsCart,
        *CAPS,
        *AUTHORIZE,
    ),
    "POST /v1/carts/{cart_id}/lines/{line_id}/price": (
        *CART,
        *LINE,
        c.InvalidPriceReason,
        e.InvalidPrice,
        *CAPS,
        *AUTHORIZE,
    ),
    "POST /v1/sales/{sale_id}/reverse": (
        e.SaleNotFound,
        r.SaleAlreadyReversed,
        r.NotReversible,
        e.InvalidReturn,
        e.ReturnExceedsSale,
        e.InvalidQuantity,
        *RECEIPT,
        *AUTHORIZE,
    ),
    "POST /v1/carts/{cart_id}/checkout": (
        *CART,
        e.SaleNotFound,
        e.IdReused,
        e.EmptyCart,
        *RECEIPT,
        sh.NoOpenShift,
        e.SaleOverCap,
        *TENDERS,
    ),
    "GET /v1/sales/{sale_id}": (e.SaleNotFound,),
    # the scan field, the scale, the receipt barcode (edge.api.routes.scanning)
    "POST /v1/carts/{cart_id}/scans": (
        *CART,
        *SCAN,
        *SCAN_FIELD,
        *SCALE,
        e.LineOverCap,
        e.SaleOverCap,
        pay.GiftCardNotActivated,
    ),
    # tenders (edge.api.routes.tenders)
    "GET /v1/tills/{till_id}/tenders": (sessions.TillMismatch,),
    "GET /v1/gift-cards/{number}": (pay.UnknownAccount,),
    "GET /v1/store-credit/{customer_id}": (pay.UnknownAccount,),
    "GET /v1/tills/{till_id}/scale": (*SCALE, sessions.TillMismatch),
    "GET /v1/sales/by-receipt/{receipt_number}": (e.SaleNotFound, barcodes.BadReceiptBarcode),
    # receipts (edge.api.routes.receipts)
    "GET /v1/sales/{sale_id}/receipt": (e.SaleNotFound, *DRAWN),
    "GET /v1/returns/{return_id}/receipt": (e.ReturnNotFound, *DRAWN),
    "POST /v1/sales/{sale_id}/print": (e.SaleNotFound, ReceiptAlreadyPrinted, *DRAWN),
    "POST /v1/returns/{return_id}/print": (e.ReturnNotFound, ReceiptAlreadyPrinted, *DRAWN),
    "POST /v1/sales/{sale_id}/reprint": (e.SaleNotFound, *AUTHORIZE, *DRAWN),
    "POST /v1/returns/{return_id}/reprint": (e.ReturnNotFound, *AUTHORIZE, *DRAWN),
    # returns, cash
    "POST /v1/returns": (
        sh.NoOpenShift,
        e.SaleNotFound,
        e.UnknownSku,
        e.IdReused,
        e.RefundNeedsApproval,
        e.RefundNotApproved,
        e.RefundRequestNotFound,
        e.InvalidReturn,
        e.ReturnExceedsSale,
        e.InvalidQuantity,
        e.InvalidPrice,
        *RECEIPT,
        *AUTHORIZE,
        sessions.TillMismatch,
        pay.RefundTenderRefused,
        pay.CardDeclined,
        e.Unavailable,
    ),
    "GET /v1/returns/{return_id}": (e.ReturnNotFound,),
    "POST /v1/cash-movements": (
        e.IdReused,
        e.InvalidCashMovement,
        sessions.TillMismatch,
        sh.NoOpenShift,
        *AUTHORIZE,
    ),
    "GET /v1/cash-movements/{movement_id}": (e.CashMovementNotFound,),
    # refund requests
    "POST /v1/refund-requests": (
        e.SaleNotFound,
        e.UnknownSku,
        e.IdReused,
        e.InvalidReturn,
        e.ReturnExceedsSale,
        e.InvalidQuantity,
        e.InvalidPrice,
        *RECEIPT,
        sessions.TillMismatch,
    ),
    "GET /v1/refund-requests/{request_id}": (e.RefundRequestNotFound,),
    "POST /v1/refund-requests/{request_id}/complete": (
        e.RefundRequestNotFound,
        e.RefundNotApproved,
        e.SaleNotFound,
        e.UnknownSku,
        e.IdReused,
        e.InvalidReturn,
        e.ReturnExceedsSale,
        *RECEIPT,
        sessions.TillMismatch,
    ),
    # B2B orders
    "POST /v1/b2b-orders": (
        e.UnknownSku,
        e.IdReused,
        e.InvalidB2BOrder,
        e.InvalidQuantity,
        sessions.TillMismatch,
    ),
    "GET /v1/b2b-orders/{order_id}": (e.B2BOrderNotFound,),
    "POST /v1/b2b-orders/{order_id}/payment": (
        e.B2BOrderNotFound,
        e.B2BOrderNotReady,
        e.PaymentMismatch,
        e.InvalidB2BOrder,
        *RECEIPT,
    ),
    "POST /v1/b2b-orders/{order_id}/complete": (
        e.B2BOrderNotFound,
        e.B2BOrderNotReady,
        e.IdReused,
        e.PaymentMismatch,
        *RECEIPT,
        sessions.TillMismatch,
    ),
    # the node
    "POST /v1/sync/rotate-credential": (e.NotEnrolled, e.HubUnavailable),
    "GET /v1/catalogue/{sku}": (e.UnknownSku,),
    "PUT /v1/clock": (e.ClockNotDriven,),
    # shared records
    "PUT /v1/records/{entity}/{key}": (e.RecordNotFound, e.InvalidRecordEdit, *AUTHORIZE),
    "GET /v1/records/{entity}/{key}": (e.RecordNotFound,),
    "GET /v1/customers": (),
}

# Routes that take an id the till chose: sent again, they answer 200 with what the first made.
REPLAYS = frozenset(
    {
        "POST /v1/carts",
        "POST /v1/carts/{cart_id}/lines",
        "POST /v1/carts/{cart_id}/scans",
        "POST /v1/carts/{cart_id}/checkout",
        "POST /v1/returns",
        "POST /v1/cash-movements",
        "POST /v1/shifts",
        "POST /v1/shifts/{shift_id}/close",
        "POST /v1/refund-requests",
        "POST /v1/refund-requests/{request_id}/complete",
        "POST /v1/b2b-orders",
        "POST /v1/b2b-orders/{order_id}/complete",
    }
)


def install(app: FastAPI) -> None:
    """Document every route's errors in `app`'s OpenAPI document (after its routers)."""
    document_errors(
        app,
        by_dependency=BY_DEPENDENCY,
        by_route=BY_ROUTE,
        status_of=status_of,
        replays=REPLAYS,
    )
