"""Mapping of edge and validation errors to HTTP responses with an ErrorBody."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from edge import errors
from shared.errors import SharedError
from sync.messages import ErrorBody

_STATUS: list[tuple[type[errors.EdgeError], int]] = [
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Invalid, 422),
    (errors.Unavailable, 503),
]


def error_response(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse(ErrorBody(error=code, detail=detail).model_dump(), status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.EdgeError)
    async def _edge_error(_: Request, error: errors.EdgeError) -> JSONResponse:
        status = next((code for kind, code in _STATUS if isinstance(error, kind)), 500)
        return error_response(status, error.code, str(error))

    @app.exception_handler(SharedError)
    async def _shared_error(_: Request, error: SharedError) -> JSONResponse:
        return error_response(422, "invalid_value", str(error))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        parts = []
        for item in error.errors()[:10]:
            location = ".".join(str(part) for part in item.get("loc", ()))
            parts.append(f"{location}: {item.get('msg')}")
        return error_response(422, "validation_error", "; ".join(parts))
