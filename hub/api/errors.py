"""Mapping of hub and validation errors to HTTP responses with an ErrorBody."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from hub import errors
from shared.errors import SharedError
from sync.http import http_error, validation_error
from sync.messages import ErrorBody

_STATUS: list[tuple[type[errors.HubError], int]] = [
    (errors.Unauthenticated, 401),
    (errors.PermissionDenied, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Gone, 410),
    (errors.InvalidRequest, 422),
    (errors.TooManyAttempts, 429),
    (errors.WorkflowsUnavailable, 503),
    (errors.AcquirerUnavailable, 503),
    (errors.DatabaseUnavailable, 503),
]


def status_of(kind: type[Exception]) -> int:
    """The HTTP status a hub error class is answered with (500 for one not mapped)."""
    return next((code for base, code in _STATUS if issubclass(kind, base)), 500)


def error_response(status: int, code: str, detail: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        ErrorBody(error=code, detail=detail).model_dump(), status_code=status, headers=headers
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.HubError)
    async def _hub_error(request: Request, error: errors.HubError) -> JSONResponse:
        status = status_of(type(error))
        request.app.state.runtime.metrics.rejected_requests.labels(error.code).inc()
        return error_response(status, error.code, str(error))

    @app.exception_handler(SharedError)
    async def _shared_error(_: Request, error: SharedError) -> JSONResponse:
        return error_response(422, "invalid_value", str(error))

    @app.exception_handler(ValidationError)
    async def _body_validation(request: Request, error: ValidationError) -> JSONResponse:
        # Bodies validated by the route itself (the push hot path) rather than by FastAPI.
        return await _validation(request, RequestValidationError(error.errors(include_url=False)))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        body = validation_error(error.errors())
        request.app.state.runtime.metrics.rejected_requests.labels(body.error).inc()
        return error_response(422, body.error, body.detail)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, error: HTTPException) -> JSONResponse:
        # Unknown paths, wrong methods, bodies over the limit or not readable (sync.http).
        status, body, headers = http_error(error, request.scope)
        request.app.state.runtime.metrics.rejected_requests.labels(body.error).inc()
        response = error_response(status, body.error, body.detail)
        response.headers.update(headers)
        return response


# Seconds a client waits before it tries again while the database is unreachable.
DATABASE_RETRY_AFTER_S = 5


def install_retry_after(app: FastAPI) -> None:
    """The refusals a client should repeat later: 429 `too_many_attempts` and 503
    `database_unavailable`, each with `Retry-After` (seconds)."""

    @app.exception_handler(errors.TooManyAttempts)
    async def _too_many(request: Request, error: errors.TooManyAttempts) -> JSONResponse:
        return _retry_later(request, error, 429, error.retry_after_s)

    @app.exception_handler(errors.DatabaseUnavailable)
    async def _database(request: Request, error: errors.DatabaseUnavailable) -> JSONResponse:
        return _retry_later(request, error, 503, DATABASE_RETRY_AFTER_S)


def _retry_later(
    request: Request, error: errors.HubError, status: int, retry_after_s: int
) -> JSONResponse:
    request.app.state.runtime.metrics.rejected_requests.labels(error.code).inc()
    response = error_response(status, error.code, str(error))
    response.headers["Retry-After"] = str(retry_after_s)
    return response
