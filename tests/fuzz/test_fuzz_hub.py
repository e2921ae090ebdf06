"""Schemathesis against the hub, on SQLite and on PostgreSQL: every operation of its OpenAPI
document with generated valid and invalid requests, every check on. The bar: no 5xx, no
answer its document does not describe."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.fuzz.served import (
    FUZZ,
    SEQUENCES,
    FuzzCase,
    Served,
    load,
    openapi_documents,
    serve_hub,
)
from vectis.ops.postgres import TemporaryCluster

DOCUMENT = openapi_documents()["hub"]
SQLITE_HUB = serve_hub()
PG_HUB = serve_hub()
on_sqlite = load(DOCUMENT, SQLITE_HUB)
on_postgresql = load(DOCUMENT, PG_HUB)


@pytest.fixture(scope="module")
def sqlite_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    SQLITE_HUB.target = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fuzz') / 'hub.db'}"
    try:
        yield SQLITE_HUB
    finally:
        SQLITE_HUB.close()


@pytest.fixture(scope="module")
def pg_hub(postgres: TemporaryCluster, hub_template: str) -> Iterator[Served]:
    PG_HUB.target = postgres.create_database(f"fuzz_{uuid.uuid4().hex[:12]}", template=hub_template)
    try:
        yield PG_HUB
    finally:
        PG_HUB.close()


@on_sqlite.parametrize()
@FUZZ
def test_the_hub_on_sqlite(case: FuzzCase, sqlite_hub: Served) -> None:
    case.call_and_validate()


@on_postgresql.parametrize()
@FUZZ
def test_the_hub_on_postgresql(case: FuzzCase, pg_hub: Served) -> None:
    case.call_and_validate()


def test_the_hub_on_sqlite_in_sequences(sqlite_hub: Served) -> None:
    """Stateful: chains of calls linked by what one answer gives the next (a store's id, an
    event's, a request's), so that routes which name something are reached with real ids."""
    on_sqlite.as_state_machine().run(settings=SEQUENCES)


def test_the_hub_on_postgresql_in_sequences(pg_hub: Served) -> None:
    """Stateful, on PostgreSQL."""
    on_postgresql.as_state_machine().run(settings=SEQUENCES)
