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
    expect_known_failures,
    load,
    openapi_documents,
    serve_hub,
)
from vectis.ops.postgres import TemporaryCluster

# Failures the fuzzing finds that other parts of issue 12 fix; the lead removes each entry
# once that part is merged (xfail, not strict: they pass once fixed). Fuzzing draws differ a
# little from run to run (answers feed later requests), so an operation is listed on both
# databases, and where the probe found the same defect, before a run here has.
COMPACT = "fixed by part A (bounds): older_than_s 63932098373 overflows the date, a 500 (defect 6)"
AFTER_ID = (
    "fixed by part A (bounds): after_id 9223372036854775808 is over a 64-bit integer, a 500 "
    "(defect 6)"
)
DAY_AS_NUMBER = (
    "fixed by part A (bounds): from=0.0 is read as 1970-01-01 (a date query parameter takes a "
    "number), where the document says a date string"
)
APPROVAL_OVER = "fixed by part A (bounds): approval_over of 23 digits or 1E+999999999 (defect 6)"
KNOWN = {
    f"{test}[{operation}]": reason
    for test in ("test_the_hub_on_sqlite", "test_the_hub_on_postgresql")
    for operation, reason in (
        ("POST /v1/feed/compact", COMPACT),
        ("GET /v1/exceptions", AFTER_ID),
        ("GET /v1/conflicts", AFTER_ID),
        ("GET /v1/reports/sales", DAY_AS_NUMBER),
        ("GET /v1/reports/cash", DAY_AS_NUMBER),
        ("PUT /v1/stores/{store_id}/refund-policy", APPROVAL_OVER),
    )
}

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


@pytest.fixture(autouse=True)
def _known_failures(request: pytest.FixtureRequest) -> None:
    expect_known_failures(request, KNOWN)


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
