"""Mapping of edge and validation errors to HTTP responses with an ErrorBody."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from edge import errors
from shared.errors import SharedError
from sync.http import http_error, validation_error
from sync.messages import ErrorBody

_STATUS: list[tuple[type[errors.EdgeError], int]] = [
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Invalid, 422),
    (errors.Declined, 402),
    (errors.Unavailable, 503),
]


def status_of(kind: type[Exception]) -> int:
    """The HTTP status an edge error class is answered with (500 for one not mapped)."""
    return next((code for base, code in _STATUS if issubclass(kind, base)), 500)


def error_response(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse(ErrorBody(error=code, detail=detail).model_dump(), status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.EdgeError)
    async def _edge_error(_: Request, error: errors.EdgeError) -> JSONResponse:
        return error_response(status_of(type(error)), error.code, str(error))

    @app.exception_handler(SharedError)
    async def _shared_error(_: Request, error: SharedError) -> JSONResponse:
        return error_response(422, "invalid_value", str(error))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        body = validation_error(error.errors())
        return error_response(422, body.error, body.detail)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, error: HTTPException) -> JSONResponse:
        # Unknown paths, wrong methods, bodies over the limit or not readable (sync.http).
        status, body, headers = http_error(error, request.scope)
        response = error_response(status, body.error, body.detail)
        response.headers.update(headers)
        return response
