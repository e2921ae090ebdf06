"""Stores, enrolment of their edge nodes, and the credentials every caller of the hub presents.

Enrolment: HQ creates a store and a one-time token; the edge exchanges the token for a node id
and a store credential. The token is spent in the same transaction that creates the node, so
a token can never enrol two nodes, even under concurrent attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.adapters.database import HubDatabase
from hub.adapters.repository import (
    ApiKeyRecord,
    ApiKeyRepository,
    EnrolmentRepository,
    FeedRepository,
    NodeRecord,
    NodeRepository,
    StoreRecord,
    StoreRepository,
)
from hub.domain import secrets
from hub.errors import (
    ApiKeyNotFound,
    NodeNotFound,
    StoreExists,
    StoreNotFound,
    Unauthenticated,
    UnknownTimezone,
)
from shared.clock import Clock
from shared.ids import new_id
from shared.money import Money, minor_units
from sync.messages import PROTOCOL_VERSION, EnrolResponse, StoreConfigV1


@dataclass(frozen=True, slots=True)
class CreateStore:
    store_id: str
    name: str
    timezone: str
    currency: str


def store_config(store: StoreRecord) -> StoreConfigV1:
    """The store's configuration as its feed carries it."""
    over = store.refund_approval_over_minor
    return StoreConfigV1(
        store_id=store.store_id,
        name=store.name,
        timezone=store.timezone,
        currency=store.currency,
        refund_approval_over=(
            Money.from_minor(over, store.currency).amount if over is not None else None
        ),
    )


def store_feed_entry(store: StoreRecord, version: int, now: datetime) -> dict[str, Any]:
    """The `store` entry of the store's feed: its configuration at `version`."""
    return {
        "store_id": store.store_id,
        "entity": "store",
        "entity_key": store.store_id,
        "version": version,
        "op": "upsert",
        "payload": store_config(store).model_dump(mode="json"),
        "created_at": now,
    }


async def create_store(command: CreateStore, db: HubDatabase, clock: Clock) -> StoreRecord:
    """Create a store and publish its configuration to its feed.

    Raises StoreExists, UnknownTimezone, UnknownCurrency.
    """
    try:
        ZoneInfo(command.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimezone(command.timezone) from None
    minor_units(command.currency)
    store = StoreRecord(
        command.store_id, command.name, command.timezone, command.currency, clock.now()
    )
    async with db.write() as connection:
        if not await StoreRepository(connection).add(store):
            raise StoreExists(command.store_id)
        await FeedRepository(connection).append(
            [store_feed_entry(store, store.config_version, store.created_at)]
        )
    return store


async def list_stores(db: HubDatabase) -> list[StoreRecord]:
    async with db.read() as connection:
        return await StoreRepository(connection).all()


async def get_store(store_id: str, db: HubDatabase) -> StoreRecord:
    """Raises StoreNotFound."""
    async with db.read() as connection:
        store = await StoreRepository(connection).get(store_id)
    if store is None:
        raise StoreNotFound(store_id)
    return store


async def list_nodes(store_id: str, db: HubDatabase) -> list[NodeRecord]:
    """The store's nodes. Raises StoreNotFound."""
    async with db.read() as connection:
        if await StoreRepository(connection).get(store_id) is None:
            raise StoreNotFound(store_id)
        return await NodeRepository(connection).for_store(store_id)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    store_id: str
    expires_at: datetime


async def max_clock_skew_ms(db: HubDatabase) -> int | None:
    """Largest |hub clock - node clock| over live nodes at their last push (ms), or None."""
    async with db.read() as connection:
        return await NodeRepository(connection).max_abs_skew_ms()


async def issue_enrolment_token(
    store_id: str, db: HubDatabase, clock: Clock, ttl: timedelta = timedelta(days=7)
) -> IssuedToken:
    """A one-time enrolment token for `store_id`, valid for `ttl`. Raises StoreNotFound."""
    token = secrets.issue(secrets.ENROLMENT_TOKEN_PREFIX)
    now = clock.now()
    async with db.write() as connection:
        if await StoreRepository(connection).get(store_id) is None:
            raise StoreNotFound(store_id)
        await EnrolmentRepository(connection).add_token(
            secrets.digest(token), store_id, now, now + ttl
        )
    return IssuedToken(token, store_id, now + ttl)


# How long a node may repeat its enrolment attempt after the answer was lost on the way.
REPEAT_WINDOW = timedelta(minutes=15)


async def enrol_node(
    token: str, node_name: str, db: HubDatabase, clock: Clock, attempt: str | None = None
) -> EnrolResponse:
    """Spend `token` and create a node with a fresh credential.

    `attempt` is the node's own id for this enrolment. If the answer never reached it, the
    node sends the same attempt again: within REPEAT_WINDOW of the first use it gets the same
    node and the same credential (derived from the token, `secrets.derived_credential`), so
    repeats and copies of the request delivered late change nothing. Without an attempt the
    credential is random and a lost answer needs a new token. Raises Unauthenticated if the
    token is unknown, used by another attempt, or expired.
    """
    now = clock.now()
    token_hash = secrets.digest(token)
    async with db.write() as connection:
        enrolment = EnrolmentRepository(connection)
        node_id = str(new_id())
        store_id = await enrolment.consume_token(token_hash, node_id, attempt, now)
        repeated = None
        if store_id is None and attempt is not None:
            repeated = await enrolment.repeated_attempt(token_hash, attempt, now - REPEAT_WINDOW)
            if repeated is not None:
                store_id, node_id = repeated
        if store_id is None:
            raise Unauthenticated("enrolment token is unknown, already used or expired")
        credential = (
            secrets.derived_credential(token, attempt, node_id)
            if attempt is not None
            else secrets.issue(secrets.NODE_CREDENTIAL_PREFIX)
        )
        if repeated is None:
            await enrolment.add_node(node_id, store_id, node_name, secrets.digest(credential), now)
        store = await StoreRepository(connection).get(store_id)
        assert store is not None
    return EnrolResponse(
        protocol_version=PROTOCOL_VERSION,
        store=store_config(store),
        node_id=node_id,
        credential=credential,
    )


@dataclass(frozen=True, slots=True)
class AuthenticatedNode:
    node_id: str
    store_id: str


async def authenticate_node(credential: str, db: HubDatabase) -> AuthenticatedNode:
    """The node a store credential belongs to. Raises Unauthenticated (unknown, retired by a
    rotation, or revoked).

    The first use of a rotated credential promotes it: from then on the old one is refused.
    """
    digest = secrets.digest(credential)
    async with db.read() as connection:
        found = await NodeRepository(connection).by_credential(digest)
    if found is None or found[0].revoked_at is not None:
        raise Unauthenticated("store credential is unknown or revoked")
    node, is_next = found
    if is_next:
        async with db.write() as connection:
            await NodeRepository(connection).promote_next_credential(node.node_id, digest)
    return AuthenticatedNode(node.node_id, node.store_id)


async def rotate_credential(node: AuthenticatedNode, db: HubDatabase, clock: Clock) -> str:
    """A new credential for the calling node; shown once.

    The current credential keeps working until the new one is first used, so an answer lost
    on the way cannot lock the node out; rotating again replaces a new credential not yet used.
    """
    credential = secrets.issue(secrets.NODE_CREDENTIAL_PREFIX)
    async with db.write() as connection:
        await NodeRepository(connection).set_next_credential(
            node.node_id, secrets.digest(credential), clock.now()
        )
    return credential


async def revoke_node(store_id: str, node_id: str, db: HubDatabase, clock: Clock) -> None:
    """Refuse every credential of the node from now on. Raises NodeNotFound."""
    async with db.write() as connection:
        nodes = NodeRepository(connection)
        node = await nodes.get(node_id)
        if node is None or node.store_id != store_id:
            raise NodeNotFound(store_id, node_id)
        await nodes.revoke(store_id, node_id, clock.now())


async def list_api_keys(db: HubDatabase) -> list[ApiKeyRecord]:
    async with db.read() as connection:
        return await ApiKeyRepository(connection).all()


async def revoke_api_key(key_id: str, db: HubDatabase, clock: Clock) -> None:
    """Refuse the key from now on (revoking twice is harmless). Raises ApiKeyNotFound."""
    async with db.write() as connection:
        keys = ApiKeyRepository(connection)
        if not any(key.key_id == key_id for key in await keys.all()):
            raise ApiKeyNotFound(key_id)
        await keys.revoke(key_id, clock.now())


ApiScope = Literal["hq", "erp"]


@dataclass(frozen=True, slots=True)
class IssuedApiKey:
    key_id: str
    name: str
    scope: ApiScope
    key: str


async def create_api_key(name: str, scope: ApiScope, db: HubDatabase, clock: Clock) -> IssuedApiKey:
    """An API key for HQ tools (`hq`) or an ERP integration (`erp`); the key is shown once."""
    key = secrets.issue(secrets.API_KEY_PREFIX)
    key_id = str(new_id())
    async with db.write() as connection:
        await ApiKeyRepository(connection).add(
            key_id, name, scope, secrets.digest(key), clock.now()
        )
    return IssuedApiKey(key_id, name, scope, key)


async def authenticate_api_key(key: str, db: HubDatabase) -> ApiScope:
    """The scope of an API key. Raises Unauthenticated (unknown or revoked)."""
    return (await identify_api_key(key, db)).scope


async def identify_api_key(key: str, db: HubDatabase) -> ApiKeyRecord:
    """The live API key `key` is. Raises Unauthenticated (unknown or revoked)."""
    async with db.read() as connection:
        record = await ApiKeyRepository(connection).by_hash(secrets.digest(key))
    if record is None or record.revoked_at is not None:
        raise Unauthenticated("API key is unknown or revoked")
    return record
