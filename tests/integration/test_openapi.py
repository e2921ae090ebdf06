"""Both apps' OpenAPI documents say what the routes answer: every error with our ErrorBody,
422 included, each route's authentication errors, no reference that resolves to nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from edge.api import openapi as edge_openapi
from edge.api.app import create_app as create_edge_app
from hub.api import openapi as hub_openapi
from hub.api.app import create_app as create_hub_app
from sync.openapi import DocumentedRoute, dependency_calls, documented_routes
from tests.support import Edge, Hub

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}


@pytest.fixture
def edge(unenrolled_edge: Edge) -> Edge:
    return unenrolled_edge


@pytest.fixture(params=["hub", "edge"])
async def document(request: pytest.FixtureRequest, sqlite_hub: Hub, edge: Edge) -> dict[str, Any]:
    client = sqlite_hub.client if request.param == "hub" else edge.client
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_no_reference_is_dangling_and_fastapis_422_body_is_gone(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    schemas = document["components"]["schemas"]
    referenced = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text))
    assert referenced <= set(schemas), referenced - set(schemas)
    assert set(re.findall(r'"\$ref": "([^"]+)"', text)) == {
        f"#/components/schemas/{name}" for name in referenced
    }
    assert "HTTPValidationError" not in text and "ValidationError" not in schemas
    assert "$defs" not in text


def test_every_error_a_route_documents_has_the_error_body(document: dict[str, Any]) -> None:
    for key, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400 or key == "GET /ready":
                continue
            assert response["content"] == {"application/json": {"schema": ERROR_BODY}}, key


def test_a_route_with_parameters_or_a_body_documents_422_and_with_a_body_413(
    document: dict[str, Any],
) -> None:
    for key, operation in operations(document):
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in operation["responses"], key
        if operation.get("requestBody"):
            assert "413" in operation["responses"], key
            assert "invalid_json" in operation["responses"]["422"]["description"], key


def test_metrics_are_documented_as_text(document: dict[str, Any]) -> None:
    (content,) = document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert content == "text/plain"


async def test_the_push_body_is_the_push_request(sqlite_hub: Hub) -> None:
    document = (await sqlite_hub.client.get("/openapi.json")).json()
    body = document["paths"]["/v1/sync/push"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert schema["title"] == "PushRequest"
    events = document["components"]["schemas"][
        schema["properties"]["events"]["items"]["$ref"].rsplit("/", 1)[1]
    ]
    assert {"event_id", "seq", "kind", "payload"} <= set(events["properties"])


def statuses(document: dict[str, Any], route: DocumentedRoute) -> set[int]:
    found = set()
    for method in route.methods:
        found |= {
            int(status) for status in document["paths"][route.path][method.lower()]["responses"]
        }
    return found


def test_every_hub_route_documents_the_errors_of_its_authentication(sqlite_hub: Hub) -> None:
    app = create_hub_app(sqlite_hub.runtime)
    document = app.openapi()
    public = {"/health", "/ready", "/metrics", "/v1/sync/enrol"}
    for route in documented_routes(app):
        if route.path in public:
            continue
        found = statuses(document, route)
        assert 401 in found, route.path
        names = {getattr(call, "__name__", "") for call in _dependencies(route)}
        if names & {"require_hq", "require_hq_person"}:
            assert 403 in found, route.path


def test_every_till_route_that_needs_enrolment_documents_409(edge: Edge) -> None:
    app = create_edge_app(edge.runtime, run_agent=False)
    document = app.openapi()
    for route in documented_routes(app):
        if any(getattr(call, "__name__", "") == "get_identity" for call in _dependencies(route)):
            assert 409 in statuses(document, route), route.path


def test_the_error_tables_name_each_route_once() -> None:
    for table in (hub_openapi.BY_ROUTE, edge_openapi.BY_ROUTE):
        for key, kinds in table.items():
            assert len(set(kinds)) == len(kinds), key


def _dependencies(route: DocumentedRoute) -> Iterator[Any]:
    return dependency_calls(route.route.dependant)


async def test_a_till_route_that_takes_a_chosen_id_documents_its_200_on_a_retry(
    edge: Edge,
) -> None:
    document = (await edge.client.get("/openapi.json")).json()
    responses = document["paths"]["/v1/carts/{cart_id}/checkout"]["post"]["responses"]
    assert responses["200"]["content"] == responses["201"]["content"]
