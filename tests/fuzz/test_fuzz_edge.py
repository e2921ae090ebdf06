"""Schemathesis against the till API of an enrolled edge node: every operation of its OpenAPI
document with generated valid and invalid requests, every check on. The bar: no 5xx, no
answer its document does not describe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fuzz.served import (
    FUZZ,
    SEQUENCES,
    FuzzCase,
    Served,
    load,
    openapi_documents,
    serve_edge,
)

EDGE = serve_edge()
schema = load(openapi_documents()["edge"], EDGE)


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    EDGE.target = str(tmp_path_factory.mktemp("fuzz-edge"))
    try:
        yield EDGE
    finally:
        EDGE.close()


@schema.parametrize()
@FUZZ
def test_the_till_api(case: FuzzCase, edge: Served) -> None:
    case.call_and_validate()


def test_the_till_api_in_sequences(edge: Served) -> None:
    """Stateful: chains of calls linked by what one answer gives the next (a cart opened, its
    lines, its checkout, the sale, a return of it)."""
    schema.as_state_machine().run(settings=SEQUENCES)
