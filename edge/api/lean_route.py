"""A till route whose well-formed requests skip FastAPI's generic per-request work.

A scanned line is the till's most frequent request by far (every line of every sale). On
each, FastAPI solves the route's dependency tree again (cache keys, parameter aliases, the
Content-Type parsed by `email.message`), then validates and serializes: about a fifth of the
scan's time on the event loop (docs/operations.md). `LeanTillRoute` answers a request
that is exactly the common case (a JSON body, a bearer token, no override headers, no
dependency overrides) with the same validators, the same endpoint and the same answer bytes,
and hands everything else, unchanged, to the handler FastAPI built for the route: so every
error (malformed JSON, a field out of range, a bad path id, a header too long, an override
half given) is FastAPI's own, in FastAPI's own order. tests/integration/test_lean_route.py
compares both handlers byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import ResponseValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from edge.api.session import AUTHORIZATION_MAX, SignedInRoute, get_till_write, till_write

Handler = Callable[[Request], Coroutine[Any, Any, Response]]

_JSON = "application/json"
_OVERRIDE_HEADERS = frozenset((b"x-override-staff-code", b"x-override-pin"))


class LeanTillRoute(SignedInRoute):
    """A `SignedInRoute` taking path parameters, one JSON body, FastAPI's `Response` and
    `TillWriteDep`, and nothing else (checked when the route is built: TypeError otherwise).

    Its requests are answered as FastAPI would answer them (status, headers, body bytes):
    the common one without FastAPI's generic solving, any other by FastAPI's own handler for
    the route. The route's own parameters are the ones read: a router that carries it must be
    included as it is (`include_router` without dependencies of its own), as the edge's are."""

    def get_route_handler(self) -> Handler:
        full = super().get_route_handler()
        till_param, response_param = _shape(self)
        body_field = self.body_field
        response_field = self.response_field
        path_fields = self.dependant.path_params
        assert body_field is not None and response_field is not None
        body_name = body_field.name

        async def handler(request: Request) -> Response:
            scope = request.scope
            if scope["app"].dependency_overrides:
                return await full(request)
            authorization = _plain_headers(scope["headers"])
            if authorization is None:
                return await full(request)
            try:
                raw = await request.body()
            except HTTPException:
                raise
            except Exception as error:  # what FastAPI's handler answers for an unreadable body
                raise HTTPException(400, "There was an error parsing the body") from error
            try:
                document = json.loads(raw)
            except Exception:  # FastAPI answers each kind its own way (422, 400)
                return await full(request)  # it reads the body this request has cached
            values: dict[str, Any] = {}
            for field in path_fields:
                value, errors = field.validate(scope["path_params"].get(field.alias), {})
                if errors:
                    return await full(request)
                values[field.name] = value
            body, errors = body_field.validate(document, {})
            if errors:
                return await full(request)
            values[body_name] = body
            runtime = scope["app"].state.runtime
            values[till_param] = till_write(runtime, authorization, None, None)
            sub = Response()
            del sub.headers["content-length"]
            sub.status_code = None  # type: ignore[assignment]  # FastAPI's "not set"
            values[response_param] = sub
            returned = await self.endpoint(**values)
            value, errors = response_field.validate(returned, {}, loc=("response",))
            if errors:  # a bug in the endpoint, answered 500 as FastAPI does (not run again)
                raise ResponseValidationError(errors=errors, body=returned)
            answer = Response(
                content=response_field.serialize_json(
                    value,
                    include=self.response_model_include,
                    exclude=self.response_model_exclude,
                    by_alias=self.response_model_by_alias,
                    exclude_unset=self.response_model_exclude_unset,
                    exclude_defaults=self.response_model_exclude_defaults,
                    exclude_none=self.response_model_exclude_none,
                ),
                media_type=_JSON,
                status_code=sub.status_code or self.status_code or 200,
            )
            answer.headers.raw.extend(sub.headers.raw)
            return answer

        return handler


def add_scan_route(
    router: APIRouter, path: str, endpoint: Callable[..., Any], response_model: type[Any]
) -> None:
    """Add `endpoint` to `router` as `POST path` (201 by default), a `LeanTillRoute`. Raises
    TypeError for an endpoint of another shape (`LeanTillRoute`)."""
    router.add_api_route(
        path,
        endpoint,
        methods=["POST"],
        response_model=response_model,
        status_code=status.HTTP_201_CREATED,
        route_class_override=LeanTillRoute,
    )


def _plain_headers(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The bearer header's value when the request is the common case: one Authorization of
    at most 512 characters, Content-Type exactly application/json, no override header and
    no header twice among these. None otherwise."""
    authorization: str | None = None
    content_type = False
    for name, value in headers:
        if name == b"authorization":
            if authorization is not None:
                return None
            authorization = value.decode("latin-1")
        elif name == b"content-type":
            if content_type or value.lower() != b"application/json":
                return None
            content_type = True
        elif name in _OVERRIDE_HEADERS:
            return None
    if not content_type or authorization is None or len(authorization) > AUTHORIZATION_MAX:
        return None
    return authorization


def _shape(route: APIRoute) -> tuple[str, str]:
    """The names of the endpoint's `TillWriteDep` and `Response` parameters. Raises TypeError
    for an endpoint that takes anything else besides path parameters and one body."""
    dependant: Dependant = route.dependant
    tills = [d.name for d in dependant.dependencies if d.call is get_till_write]
    others = [d for d in dependant.dependencies if d.call is not get_till_write]
    if (
        len(tills) != 1
        or others
        or route.body_field is None
        or route.response_field is None
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.request_param_name
        or dependant.background_tasks_param_name
        or dependant.response_param_name is None
        or route.dependencies
    ):
        raise TypeError(f"{route.path}: not the shape LeanTillRoute answers")
    name = tills[0]
    assert name is not None
    return name, dependant.response_param_name
