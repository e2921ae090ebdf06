"""The simulated acquirer's HTTP API (docs/api.md, "Simulated acquirer"): FastAPI routes over
`service.Acquirer`, a bearer API key on every route but /health, and the error body
`{"error": code, "detail": text}` for every refusal."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParameter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from starlette.exceptions import HTTPException

from shared.bounds import Amount, CardToken, CurrencyCode, Day, Name
from sync.http import http_error, validation_error
from vectis.acquirer.clock import AcquirerClock
from vectis.acquirer.errors import AcquirerApiError, Unauthorized
from vectis.acquirer.service import Acquirer
from vectis.acquirer.store import AcquirerStore

IdempotencyKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,128}$")]
PaymentId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,64}$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PaymentIn(_Body):
    amount: Amount
    currency: CurrencyCode
    card: CardToken = Field(description="The card as the terminal read it (test cards: 16 digits)")
    capture: bool = Field(True, description="false: authorize only; capture later")
    idempotency_key: IdempotencyKey
    reference: Name = Field(description='"<store_id>/<till_id>/<document id>"')


class CaptureIn(_Body):
    amount: Amount | None = Field(None, description="At most the amount authorized; default all")
    idempotency_key: IdempotencyKey


class VoidIn(_Body):
    idempotency_key: IdempotencyKey


class RefundIn(_Body):
    amount: Amount
    idempotency_key: IdempotencyKey


class ClockIn(_Body):
    now: AwareDatetime


def _authorized(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Acquirer:
    """The app's Acquirer, once the request's bearer key is the simulator's. Raises
    Unauthorized."""
    scheme, _, given = (authorization or "").partition(" ")
    api_key: str = request.app.state.api_key
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        given.strip().encode(), api_key.encode()
    ):
        raise Unauthorized("send Authorization: Bearer <the simulator's API key>")
    acquirer: Acquirer = request.app.state.acquirer
    return acquirer


AcquirerDep = Annotated[Acquirer, Depends(_authorized)]


def _error(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


def create_app(
    database_path: Path,
    api_key: str,
    clock: AcquirerClock | None = None,
    default_currency: str = "GBP",
) -> FastAPI:
    """The simulator's ASGI app over the SQLite file at `database_path` (opened at start-up,
    created if missing). Every /v1 route needs `Authorization: Bearer <api_key>`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = AcquirerStore(database_path)
        app.state.acquirer = Acquirer(store, clock or AcquirerClock(), default_currency)
        app.state.api_key = api_key
        try:
            yield
        finally:
            store.close()

    app = FastAPI(title="Vectis simulated acquirer", lifespan=lifespan)

    @app.exception_handler(AcquirerApiError)
    async def _refused(_: Request, error: AcquirerApiError) -> JSONResponse:
        return _error(error.status, error.code, str(error))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        body = validation_error(error.errors())
        return _error(422, body.error, body.detail)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse:
        status, body, headers = http_error(error, request.scope)
        response = _error(status, body.error, body.detail)
        response.headers.update(headers)
        return response

    def answer(result: tuple[int, dict[str, Any]]) -> JSONResponse:
        return JSONResponse(result[1], status_code=result[0])

    @app.get("/health")
    async def health() -> dict[str, str]:
        """200 once the simulator is serving; no API key needed."""
        return {"status": "ok"}

    @app.post("/v1/payments", status_code=201)
    async def create_payment(body: PaymentIn, acquirer: AcquirerDep) -> JSONResponse:
        """Authorize (and, with `capture`, capture) a card payment; 201, or 200 replayed."""
        return answer(
            acquirer.create_payment(
                body.amount,
                body.currency,
                body.card,
                body.capture,
                body.idempotency_key,
                body.reference,
            )
        )

    @app.post("/v1/payments/{payment_id}/capture")
    async def capture(
        payment_id: Annotated[PaymentId, PathParameter()], body: CaptureIn, acquirer: AcquirerDep
    ) -> JSONResponse:
        """Capture an authorized payment (all of it, or `amount`)."""
        return answer(acquirer.capture(payment_id, body.amount, body.idempotency_key))

    @app.post("/v1/payments/{payment_id}/void")
    async def void(
        payment_id: Annotated[PaymentId, PathParameter()], body: VoidIn, acquirer: AcquirerDep
    ) -> JSONResponse:
        """Release an authorized payment."""
        return answer(acquirer.void(payment_id, body.idempotency_key))

    @app.post("/v1/payments/{payment_id}/refunds", status_code=201)
    async def refund(
        payment_id: Annotated[PaymentId, PathParameter()], body: RefundIn, acquirer: AcquirerDep
    ) -> JSONResponse:
        """Refund part or all of a captured payment; declined beyond captured less refunded."""
        return answer(acquirer.refund(payment_id, body.amount, body.idempotency_key))

    @app.get("/v1/operations/{idempotency_key}")
    async def operation(
        idempotency_key: Annotated[IdempotencyKey, PathParameter()], acquirer: AcquirerDep
    ) -> dict[str, Any]:
        """The first answer recorded under a key, or 404 operation_not_found."""
        return acquirer.operation(idempotency_key)

    @app.get("/v1/settlements/{day}")
    async def settlement(
        day: Annotated[Day, PathParameter()],
        acquirer: AcquirerDep,
        reference_prefix: Annotated[Name | None, Query()] = None,
        currency: Annotated[CurrencyCode | None, Query()] = None,
    ) -> dict[str, Any]:
        """The captures and refunds of a UTC day, with totals and per store."""
        return acquirer.settlement(day.isoformat(), reference_prefix, currency)

    @app.get("/v1/clock")
    async def read_clock(acquirer: AcquirerDep) -> dict[str, Any]:
        """The simulator's time and whether it is driven (`--clock manual`)."""
        return {"now": acquirer.clock.now().isoformat(), "manual": acquirer.clock.manual}

    @app.put("/v1/clock")
    async def drive_clock(body: ClockIn, acquirer: AcquirerDep) -> dict[str, Any]:
        """Move a driven clock forward (a replay of past days); 409 on the system clock."""
        return {"now": acquirer.clock.drive(body.now).isoformat(), "manual": True}

    return app
