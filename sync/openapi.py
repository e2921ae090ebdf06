"""The OpenAPI document of the hub's and the edge's apps, made honest about errors.

Each app declares which errors each route can answer, as error classes (their `code`) in two
tables: one per dependency (what authentication refuses), one per route ("POST /v1/stores":
what its use case refuses). `document_errors` turns them into one response per status with
`ErrorBody` as its schema, the codes in its description, and adds what every route shares:

    422 validation_error     a route with parameters or a body (invalid_json too with a body)
    413 request_too_large    a route with a body

FastAPI's own 422 (`HTTPValidationError`) is not documented: no route answers it. Schemas a
route embeds by hand (`openapi_extra`, with pydantic's local `$defs`) are moved to the
document's components, so that every `$ref` resolves.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from sync.messages import ErrorBody

ErrorKind = type[Exception]
"""An error class with a `code` class attribute (HubError, EdgeError and their kinds)."""

COMPONENTS = "#/components/schemas/"


@dataclass(frozen=True)
class DocumentedRoute:
    """A route as the document shows it: its full path (router prefixes included), methods."""

    path: str
    methods: frozenset[str]
    route: APIRoute

    def keys(self) -> Iterator[str]:
        """Its keys in a table of route errors: "METHOD /path", one per method."""
        for method in sorted(self.methods):
            yield f"{method} {self.path}"


def documented_routes(app: FastAPI) -> list[DocumentedRoute]:
    """Every route of `app` its OpenAPI document shows, through included routers."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema:
            found.append(
                DocumentedRoute(str(context.path), frozenset(context.methods or ()), route)
            )
    return found


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """The callables of `dependant`'s dependencies at every depth, once per appearance (a
    dependency that appears twice is solved twice, whatever FastAPI caches)."""
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from dependency_calls(dependency)


def _has_parameters(dependant: Dependant) -> bool:
    own = (
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
    )
    return bool(own) or any(_has_parameters(sub) for sub in dependant.dependencies)


def _has_body(route: APIRoute) -> bool:
    extra = route.openapi_extra or {}
    return route.body_field is not None or "requestBody" in extra


def errors_of(
    documented: DocumentedRoute,
    *,
    by_dependency: Mapping[Callable[..., Any], Sequence[ErrorKind]],
    by_route: Mapping[str, Sequence[ErrorKind]],
    status_of: Callable[[ErrorKind], int],
) -> dict[int, list[str]]:
    """The error codes a route can answer, by HTTP status: those of its dependencies, of its
    entry in `by_route` (under any of its keys), and the ones the HTTP layer adds."""
    found: dict[int, list[str]] = {}

    def add(status: int, code: str) -> None:
        codes = found.setdefault(status, [])
        if code not in codes:
            codes.append(code)

    route = documented.route
    for call in dependency_calls(route.dependant):
        for kind in by_dependency.get(call, ()):
            add(status_of(kind), str(getattr(kind, "code", "error")))
    for key in documented.keys():
        for kind in by_route.get(key, ()):
            add(status_of(kind), str(getattr(kind, "code", "error")))
    if _has_parameters(route.dependant) or _has_body(route):
        add(422, "validation_error")
    if _has_body(route):
        add(422, "invalid_json")
        add(413, "request_too_large")
    return found


def document_errors(
    app: FastAPI,
    *,
    by_dependency: Mapping[Callable[..., Any], Sequence[ErrorKind]],
    by_route: Mapping[str, Sequence[ErrorKind]],
    status_of: Callable[[ErrorKind], int],
    replays: Collection[str] = (),
) -> None:
    """Document on every route of `app` the errors of the two tables (see the module's
    docstring) with `ErrorBody`, and make `app.openapi()` a document with no dangling `$ref`.
    A route named in `replays` ("METHOD /path") also documents 200: a retry with an id the
    client chose and already sent answers what the first request made, with 200, not 201.

    Call it once all routers are included. Raises KeyError if a table names a route the app
    does not have (a table gone stale)."""
    routes = documented_routes(app)
    known = {key for documented in routes for key in documented.keys()}
    stale = sorted((set(by_route) | set(replays)) - known)
    if stale:
        raise KeyError(f"error table names routes the app does not have: {stale}")
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for documented in routes:
                found = errors_of(
                    documented, by_dependency=by_dependency, by_route=by_route, status_of=status_of
                )
                for method in documented.methods:
                    operation = document["paths"][documented.path][method.lower()]
                    responses = operation["responses"]
                    if f"{method} {documented.path}" in replays:
                        responses["200"] = {
                            **responses["201"],
                            "description": "Sent before: what the first request made",
                        }
                    for status, codes in found.items():
                        responses[str(status)] = _error_response(codes)
                    operation["responses"] = dict(sorted(responses.items()))
            # FastAPI's own 422 body, which no route answers, replaced above.
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            schemas["ErrorBody"] = ErrorBody.model_json_schema(ref_template=COMPONENTS + "{model}")
            _hoist_defs(document, schemas)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _error_response(codes: Sequence[str]) -> dict[str, Any]:
    return {
        "description": "Error: " + ", ".join(f"`{code}`" for code in codes),
        "content": {"application/json": {"schema": {"$ref": COMPONENTS + "ErrorBody"}}},
    }


def _hoist_defs(document: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Move every local `$defs` of the paths' schemas into the components, renaming one whose
    name is taken by another schema, and point their `$ref`s there."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for holder in _schema_holders(operation):
                _hoist(holder, schemas)


def _schema_holders(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        schema = node.get("schema")
        if isinstance(schema, dict) and "$defs" in schema:
            yield schema
        for value in node.values():
            yield from _schema_holders(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schema_holders(value)


def _hoist(schema: dict[str, Any], schemas: dict[str, Any]) -> None:
    local: dict[str, Any] = schema.pop("$defs")
    names = {name: name for name in local}
    # A name taken by another schema gets a suffix; renaming one may change another's refs,
    # so look again until nothing moves.
    moved = True
    while moved:
        moved = False
        for name, definition in local.items():
            target = names[name]
            if target in schemas and schemas[target] != _renamed(definition, names):
                names[name] = f"{target}_"
                moved = True
    for name, definition in local.items():
        schemas[names[name]] = _renamed(definition, names)
    renamed = _renamed(schema, names)
    schema.clear()
    schema.update(renamed)


def _renamed(node: Any, names: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                name = value.removeprefix("#/$defs/")
                out[key] = COMPONENTS + names.get(name, name)
            else:
                out[key] = _renamed(value, names)
        return out
    if isinstance(node, list):
        return [_renamed(value, names) for value in node]
    return node
