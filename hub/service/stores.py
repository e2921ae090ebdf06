"""Stores, enrolment of their edge nodes, and the credentials every caller of the hub presents.

Enrolment: HQ creates a store and a one-time token; the edge exchanges the token for a node id
and a store credential. The token is spent in the same transaction that creates the node, so
a token can never enrol two nodes, even under concurrent attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.adapters.database import HubDatabase
from hub.adapters.repository import (
    ApiKeyRepository,
    EnrolmentRepository,
    FeedRepository,
    NodeRecord,
    NodeRepository,
    StoreRecord,
    StoreRepository,
)
from hub.domain import secrets
from hub.errors import StoreExists, StoreNotFound, Unauthenticated, UnknownTimezone
from shared.clock import Clock
from shared.ids import new_id
from shared.money import minor_units
from sync.messages import PROTOCOL_VERSION, EnrolResponse, StoreConfigV1


@dataclass(frozen=True, slots=True)
class CreateStore:
    store_id: str
    name: str
    timezone: str
    currency: str


def _store_config(store: StoreRecord) -> StoreConfigV1:
    return StoreConfigV1(
        store_id=store.store_id, name=store.name, timezone=store.timezone, currency=store.currency
    )


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
            [
                {
                    "store_id": store.store_id,
                    "entity": "store",
                    "entity_key": store.store_id,
                    "version": 1,
                    "op": "upsert",
                    "payload": _store_config(store).model_dump(mode="json"),
                    "created_at": store.created_at,
                }
            ]
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


async def enrol_node(token: str, node_name: str, db: HubDatabase, clock: Clock) -> EnrolResponse:
    """Spend `token` and create a node with a fresh credential.

    Raises Unauthenticated if the token is unknown, already used or expired.
    """
    node_id = str(new_id())
    credential = secrets.issue(secrets.NODE_CREDENTIAL_PREFIX)
    now = clock.now()
    async with db.write() as connection:
        enrolment = EnrolmentRepository(connection)
        store_id = await enrolment.consume_token(secrets.digest(token), node_id, now)
        if store_id is None:
            raise Unauthenticated("enrolment token is unknown, already used or expired")
        store = await StoreRepository(connection).get(store_id)
        assert store is not None
        await enrolment.add_node(node_id, store_id, node_name, secrets.digest(credential), now)
    return EnrolResponse(
        protocol_version=PROTOCOL_VERSION,
        store=_store_config(store),
        node_id=node_id,
        credential=credential,
    )


@dataclass(frozen=True, slots=True)
class AuthenticatedNode:
    node_id: str
    store_id: str


async def authenticate_node(credential: str, db: HubDatabase) -> AuthenticatedNode:
    """The node a store credential belongs to. Raises Unauthenticated (unknown or revoked)."""
    async with db.read() as connection:
        node = await NodeRepository(connection).by_credential(secrets.digest(credential))
    if node is None or node.revoked_at is not None:
        raise Unauthenticated("store credential is unknown or revoked")
    return AuthenticatedNode(node.node_id, node.store_id)


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
    async with db.read() as connection:
        record = await ApiKeyRepository(connection).by_hash(secrets.digest(key))
    if record is None or record.revoked_at is not None:
        raise Unauthenticated("API key is unknown or revoked")
    return record.scope
