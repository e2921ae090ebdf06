"""Receipts of sales and returns: read as text or ESC/POS, printed at the till's printer, copied.

A receipt prints after its sale or return is committed; a printer that is off, unplugged or
refuses the connection never fails the sale: the answer says `printed: false` and why, and
`POST .../print` tries again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import Field

from edge.api.deps import IdentityDep, RuntimeDep
from edge.api.schemas.receipts import PrintOut, PrintStatusOut
from edge.api.session import OverrideDep, SessionDep, SignedInRoute
from edge.bootstrap import EdgeRuntime
from edge.domain.audit import Acting
from edge.domain.node import NodeIdentity
from edge.domain.printing import DocumentKind, NoPrinter
from edge.errors import EdgeError
from edge.receipts.document import Document, Receipt
from edge.receipts.errors import PrinterUnavailable
from edge.receipts.escpos import render_escpos
from edge.receipts.sinks import send
from edge.receipts.text import MAX_COLUMNS, MIN_COLUMNS, render_text
from edge.service import receipts
from edge.service.staff import OverrideRequest

router = APIRouter(prefix="/v1", tags=["Receipts"], route_class=SignedInRoute)
log = logging.getLogger("vectis.edge.receipts")

Format = Literal["text", "escpos"]
Width = Annotated[
    int,
    Query(ge=MIN_COLUMNS, le=MAX_COLUMNS, description="Columns: 48 (80 mm paper) or 32 (58 mm)"),
]
ESCPOS_MEDIA_TYPE = "application/octet-stream"


async def send_to_printer(
    runtime: EdgeRuntime, document: Document, till_id: str
) -> tuple[PrintStatusOut, EdgeError | None]:
    """Send a receipt or an X/Z report to `till_id`'s printer; never raises. Returns how it
    went and the error when it did not print.

    The bytes go out on a worker thread (a network printer may take up to its timeout to
    refuse), after the document's own transaction has committed.
    """
    config = runtime.settings.printer_for(till_id)
    if config is None:
        return _no_printer(till_id), NoPrinter(till_id)
    error: EdgeError | None = None
    try:
        data = render_escpos(document, config.columns)
        await asyncio.to_thread(send, data, config)
    except EdgeError as failed:
        error = failed
    except Exception:
        # Whatever a printer driver raises, the sale is already committed: say so, keep it.
        log.exception("printing at till %s failed", till_id)
        error = PrinterUnavailable(config.describe(), "the printer driver failed (the node's log)")
    status = PrintStatusOut(
        printed=error is None,
        printer=config.describe(),
        error=error.code if error else None,
        detail=str(error) if error else None,
    )
    return status, error


async def print_receipt(
    runtime: EdgeRuntime,
    kind: DocumentKind,
    document: Receipt,
    document_id: UUID,
    till_id: str,
    *,
    original: bool,
) -> PrintStatusOut:
    """Print a sale's or return's receipt at `till_id` and keep how it went; never raises."""
    status, error = await send_to_printer(runtime, document, till_id)
    if isinstance(error, NoPrinter):
        return status
    note = f"{error.code}: {error}" if error else None
    try:
        await runtime.write(
            lambda uow: receipts.note_print(kind, document_id, uow, error=note, original=original)
        )
    except Exception:
        log.exception("could not keep the print status of %s", document.receipt_number)
    return status


async def print_new_receipt(
    runtime: EdgeRuntime,
    identity: NodeIdentity,
    kind: DocumentKind,
    document_id: UUID,
    till_id: str,
) -> PrintStatusOut:
    """Print the receipt of a sale or return just committed at `till_id`; never raises (a
    receipt that cannot be drawn is `printed: false` with its error, the sale stays)."""
    if runtime.settings.printer_for(till_id) is None:
        return _no_printer(till_id)
    try:
        document = await runtime.read(
            lambda uow: receipts.receipt(kind, document_id, uow, identity=identity)
        )
    except EdgeError as error:
        return PrintStatusOut(printed=False, error=error.code, detail=str(error))
    return await print_receipt(runtime, kind, document, document_id, till_id, original=True)


async def last_print_status(
    runtime: EdgeRuntime, kind: DocumentKind, document_id: UUID, till_id: str
) -> PrintStatusOut:
    """How the receipt's original last went, as this node keeps it: a checkout or return sent
    again answers with it instead of printing a second original."""
    config = runtime.settings.printer_for(till_id)
    if config is None:
        return _no_printer(till_id)
    record = await runtime.read(lambda uow: receipts.print_record(kind, document_id, uow))
    if record.printed_at is not None:
        return PrintStatusOut(printed=True, printer=config.describe())
    code, _, detail = (record.last_error or "").partition(": ")
    return PrintStatusOut(
        printed=False, printer=config.describe(), error=code or None, detail=detail or None
    )


def _no_printer(till_id: str) -> PrintStatusOut:
    return PrintStatusOut(printed=False, error=NoPrinter.code, detail=str(NoPrinter(till_id)))


async def _receipt(
    runtime: RuntimeDep,
    identity: IdentityDep,
    kind: DocumentKind,
    document_id: UUID,
    output: Format,
    width: int,
) -> Response:
    document = await runtime.read(
        lambda uow: receipts.receipt(kind, document_id, uow, identity=identity)
    )
    if output == "escpos":
        return Response(render_escpos(document, width), media_type=ESCPOS_MEDIA_TYPE)
    return Response(render_text(document, width), media_type="text/plain; charset=utf-8")


_RECEIPT_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {"text/plain": {}, ESCPOS_MEDIA_TYPE: {}},
        "description": "The receipt as text, or as ESC/POS bytes",
    }
}


@router.get("/sales/{sale_id}/receipt", response_class=Response, responses=_RECEIPT_RESPONSES)
async def sale_receipt(
    sale_id: UUID,
    runtime: RuntimeDep,
    identity: IdentityDep,
    format: Format = "text",  # noqa: A002 - the query parameter's documented name
    width: Width = 48,
) -> Response:
    """The sale's receipt as issued (no COPY mark, nothing counted): text/plain, or ESC/POS
    bytes (application/octet-stream) with the receipt number as a Code128 barcode."""
    return await _receipt(runtime, identity, DocumentKind.SALE, sale_id, format, width)


@router.get("/returns/{return_id}/receipt", response_class=Response, responses=_RECEIPT_RESPONSES)
async def return_receipt(
    return_id: UUID,
    runtime: RuntimeDep,
    identity: IdentityDep,
    format: Format = "text",  # noqa: A002 - the query parameter's documented name
    width: Width = 48,
) -> Response:
    """The return's receipt as issued: as `GET /v1/sales/{sale_id}/receipt`."""
    return await _receipt(runtime, identity, DocumentKind.RETURN, return_id, format, width)


def _print_out(
    status: PrintStatusOut, document: Receipt, document_id: UUID, columns: int
) -> PrintOut:
    return PrintOut(
        **status.model_dump(),
        document_id=document_id,
        receipt_number=document.receipt_number,
        copy_number=document.copy_number,
        text=render_text(document, columns),
    )


def _columns(runtime: EdgeRuntime, till_id: str) -> int:
    config = runtime.settings.printer_for(till_id)
    return config.columns if config else 48


async def _print(
    runtime: EdgeRuntime,
    identity: NodeIdentity,
    till_id: str,
    kind: DocumentKind,
    document_id: UUID,
) -> PrintOut:
    document = await runtime.read(
        lambda uow: receipts.original_to_print(kind, document_id, uow, identity=identity)
    )
    status = await print_receipt(runtime, kind, document, document_id, till_id, original=True)
    return _print_out(status, document, document_id, _columns(runtime, till_id))


@router.post("/sales/{sale_id}/print", response_model=PrintOut)
async def print_sale(
    sale_id: UUID, runtime: RuntimeDep, identity: IdentityDep, session: SessionDep
) -> PrintOut:
    """Print the sale's original receipt at the session's till's printer, when it has not
    printed yet (the printer failed at checkout). 409 `receipt_already_printed` once it has
    (a second one is a copy: `POST .../reprint`); a printer that fails again answers
    `printed: false`."""
    return await _print(runtime, identity, session.till_id, DocumentKind.SALE, sale_id)


@router.post("/returns/{return_id}/print", response_model=PrintOut)
async def print_return(
    return_id: UUID, runtime: RuntimeDep, identity: IdentityDep, session: SessionDep
) -> PrintOut:
    """Print the return's original receipt: as `POST /v1/sales/{sale_id}/print`."""
    return await _print(runtime, identity, session.till_id, DocumentKind.RETURN, return_id)


async def _reprint(
    runtime: EdgeRuntime,
    identity: NodeIdentity,
    session: Acting,
    override: OverrideRequest | None,
    kind: DocumentKind,
    document_id: UUID,
) -> PrintOut:
    document = await runtime.write(
        lambda uow: receipts.reprint(kind, document_id, uow, session, override, identity=identity)
    )
    till_id = session.till_id
    status = await print_receipt(runtime, kind, document, document_id, till_id, original=False)
    return _print_out(status, document, document_id, _columns(runtime, till_id))


@router.post("/sales/{sale_id}/reprint", response_model=PrintOut)
async def reprint_sale(
    sale_id: UUID,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> PrintOut:
    """A copy of the sale's receipt, marked `*** COPY n ***` (n counted per receipt), printed
    at the session's till's printer when it has one and answered as text either way.
    Permission.REPRINT (403 `not_permitted` without it or an override); audited `reprint`
    with the receipt number and the copy's number. The copy is counted even when the
    printer fails (`printed: false`): the next one is COPY n+1."""
    return await _reprint(runtime, identity, session, override, DocumentKind.SALE, sale_id)


@router.post("/returns/{return_id}/reprint", response_model=PrintOut)
async def reprint_return(
    return_id: UUID,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> PrintOut:
    """A copy of the return's receipt: as `POST /v1/sales/{sale_id}/reprint`."""
    return await _reprint(runtime, identity, session, override, DocumentKind.RETURN, return_id)


class ReportPrintOut(PrintStatusOut):
    """An X or Z report printed (or not) at the session's till, and as text."""

    shift_id: str
    report: Literal["x", "z"]
    text: str = Field(description="The report as printed, as text")


@router.post("/shifts/{shift_id}/print", response_model=ReportPrintOut)
async def print_shift_report(
    shift_id: UUID,
    session: SessionDep,
    runtime: RuntimeDep,
    identity: IdentityDep,
    report: Annotated[Literal["x", "z"], Query(description="x: now; z: a closed shift's")] = "x",
) -> ReportPrintOut:
    """Print the shift's X report (now) or its Z report at the session's till, like a
    receipt; the answer carries the text either way. 409 `no_z_report` for an open shift."""

    document = await runtime.read(
        lambda uow: receipts.shift_report_to_print(
            str(shift_id), report, uow, identity=identity, staff_name=session.staff.name
        )
    )
    status, _ = await send_to_printer(runtime, document, session.till_id)
    config = runtime.settings.printer_for(session.till_id)
    columns = config.columns if config is not None else MAX_COLUMNS
    return ReportPrintOut(
        **status.model_dump(), shift_id=str(shift_id), report=report,
        text=render_text(document, columns),
    )  # fmt: skip
