"""The hub's unit of work: feed entries go out with their transaction, savepoints undo theirs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.domain.feed import START, FeedEntry
from hub.domain.inbox import InboxRow
from hub.domain.stores import StoreRecord
from hub.errors import StorageRefused
from tests.support import Hub

NOW = datetime(2010, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["postgresql", "sqlite"])
def any_hub(request: pytest.FixtureRequest) -> Hub:
    """The same hub on PostgreSQL and on the embedded SQLite database."""
    fixture = "hub" if request.param == "postgresql" else "sqlite_hub"
    made: Hub = request.getfixturevalue(fixture)
    return made


def entry(key: str) -> FeedEntry:
    return FeedEntry(
        store_id="store-1",
        entity="store_settings",
        entity_key=key,
        version=1,
        payload={"entity": "store_settings", "key": key, "fields": {}},
        created_at=NOW,
    )


async def feed_keys(uow: HubUnitOfWork) -> list[str]:
    async with uow.read(snapshot=True) as tx:
        entries = await tx.feed.read("store-1", START, 100, await tx.visible_horizon())
    return [item.entity_key for item in entries if item.entity == "store_settings"]


async def test_published_entries_reach_the_feed_with_the_commit_in_publish_order(
    any_hub: Hub,
) -> None:
    uow = any_hub.runtime.uow
    async with uow.write() as tx:
        tx.publish(entry("first"))
        tx.publish(entry("second"))
        assert await feed_keys(uow) == []  # nothing before the commit
    with pytest.raises(RuntimeError):
        async with uow.write() as tx:
            tx.publish(entry("rolled back"))
            raise RuntimeError("the use case failed")
    assert await feed_keys(uow) == ["first", "second"]


async def test_a_savepoint_that_fails_drops_what_it_published_and_keeps_the_rest(
    any_hub: Hub,
) -> None:
    uow = any_hub.runtime.uow
    async with uow.write() as tx:
        tx.publish(entry("before"))
        with pytest.raises(ValueError):
            async with tx.savepoint():
                tx.publish(entry("undone"))
                raise ValueError("a check refused it")
        async with tx.savepoint():
            tx.publish(entry("kept"))
        tx.publish(entry("after"))
    assert await feed_keys(uow) == ["before", "kept", "after"]


async def test_a_row_the_database_refuses_in_a_savepoint_is_storage_refused(
    any_hub: Hub,
) -> None:
    uow = any_hub.runtime.uow
    store = StoreRecord("store-1", "Store 1", "Europe/London", "GBP", NOW)
    async with uow.write() as tx:
        assert await tx.stores.add(store)
        with pytest.raises(StorageRefused):
            async with tx.savepoint():
                tx.publish(entry("undone"))
                # No such store: the foreign key refuses the node.
                await tx.enrolment.add_node("node-1", "no-such-store", "till", "0" * 64, NOW)
        assert await tx.stores.get("store-1") == store  # the transaction goes on
    assert await feed_keys(uow) == []


@pytest.mark.parametrize(
    "occurred_at",
    [
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-14))),  # year 10000 in UTC
        None,  # with a seq beyond 64 bits instead
    ],
)
async def test_a_value_its_column_cannot_bind_is_storage_refused(
    any_hub: Hub, occurred_at: datetime | None
) -> None:
    # Not a refusal of the database but of the driver or the column type (OverflowError):
    # still one row's fault, which a savepoint must undo alone rather than fail the request.
    row = InboxRow(
        uuid.uuid4(),
        "node-1",
        "store-1",
        2**70 if occurred_at is None else 1,
        "sale.completed",
        1,
        "hlc",
        occurred_at or NOW,
        NOW,
        "applied",
        None,
        "{}",
        "0" * 64,
    )
    async with any_hub.runtime.uow.write() as tx:
        with pytest.raises(StorageRefused):
            async with tx.savepoint():
                await tx.inbox.add([row])
        assert await tx.inbox.seqs_after("node-1", 0) == []  # the transaction goes on
