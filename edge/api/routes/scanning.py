"""The scan field, the till's scale and the receipt barcode at the returns desk."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response, status

from edge.api.deps import RuntimeDep
from edge.api.lean_route import add_scan_route
from edge.api.schemas.scanning import ScaleOut, ScanIn, ScannedOut, ScanOut
from edge.api.schemas.till import CartLineOut, SaleOut
from edge.api.session import SessionDep, SignedInRoute, TillWriteDep
from edge.service import scanning, selling, staff
from shared.bounds import TillId

# Every route needs the till session (401 without it), as every till route does.
router = APIRouter(prefix="/v1", tags=["Till"], route_class=SignedInRoute)


async def scan(
    cart_id: UUID,
    body: ScanIn,
    response: Response,
    till: TillWriteDep,
) -> ScanOut:
    """Ring up what the scan field holds (docs/counter.md, "Barcodes"): 201 with the line;
    200 with the same line for a `scan_id` seen before (nothing is weighed again).

    With `weigh`, the scale of the session's till weighs the item first. 404 `cart_not_found`,
    `unknown_code`, `no_scale`; 409 `scale_unstable`, `nothing_weighed`, `cart_closed`;
    422 `bad_check_digit` and the other scan errors, `weight_needed`, `wrong_unit`,
    `receipt_not_an_item`, `invalid_quantity`; 503 `scale_unavailable`.
    """
    runtime, session = till.runtime, till.claim
    settings = runtime.settings.scan_settings(till.identity.currency)
    weight_kg = None
    if body.weigh:
        till_id = (await runtime.read_here(session.check)).till_id
        retried = await runtime.read(lambda uow: scanning.retried_scan(cart_id, body.scan_id, uow))
        if retried is None:
            reading = await scanning.read_scale(till_id, runtime.settings.scale_config(till_id))
            weight_kg = reading.net_kg
    command = scanning.ScanCode(cart_id, body.code, body.scan_id, weight_kg, body.gift_card_number)
    result = await runtime.write(
        lambda uow: scanning.scan_code(
            command,
            uow,
            settings,
            authority=selling.authority_of(uow, session.check(uow), till.override, till.identity),
        ),
        durable=False,
    )
    if not result.added:
        response.status_code = status.HTTP_200_OK
    return ScanOut(
        cart_id=result.head.cart_id,
        line=CartLineOut.of(result.line, result.head.currency),
        line_count=result.head.active_count,
        total=result.head.total.amount,
        scanned=ScannedOut.of(result.scanned) if result.scanned is not None else None,
    )


add_scan_route(router, "/carts/{cart_id}/scans", scan, ScanOut)


@router.get("/tills/{till_id}/scale", response_model=ScaleOut)
async def read_scale(
    till_id: Annotated[TillId, Path()], runtime: RuntimeDep, session: SessionDep
) -> ScaleOut:
    """A stable reading of the till's scale (the session's till): net weight and tare in kg.
    401 `till_mismatch` (another till's scale); 404 `no_scale`; 409 `scale_unstable` (weigh
    again); 422 `scale_overload`, `scale_underload`; 503 `scale_unavailable`."""
    staff.require_till(session, till_id)
    reading = await scanning.read_scale(till_id, runtime.settings.scale_config(till_id))
    return ScaleOut.of(till_id, reading)


@router.get("/sales/by-receipt/{receipt_number}", response_model=SaleOut)
async def sale_by_receipt(
    receipt_number: Annotated[str, Path(min_length=1, max_length=66)], runtime: RuntimeDep
) -> SaleOut:
    """The sale with this receipt number, or with the number inside a scanned receipt barcode
    (`R:T1-0000042`): the returns desk references it in POST /v1/returns. 404
    `sale_not_found`; 422 `bad_receipt_barcode`."""
    return SaleOut.of(await runtime.read(lambda uow: scanning.sale_by_receipt(receipt_number, uow)))
