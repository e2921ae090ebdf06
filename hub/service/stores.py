"""Stores, enrolment of their edge nodes, and the credentials every caller of the hub presents.

Enrolment: HQ creates a store and a one-time token; the edge exchanges the token for a node id
and a store credential. The token is spent in the same transaction that creates the node, so
a token can never enrol two nodes, even under concurrent attempts. Every secret is random and
kept only as its SHA-256 (hub.domain.secrets); none can be computed from another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.domain import secrets
from hub.domain.feed import FeedEntry
from hub.domain.stores import (
    ApiKeyRecord,
    ApiScope,
    CredentialPolicy,
    NodeRecord,
    StoreRecord,
)
from hub.errors import (
    ApiKeyNameTaken,
    ApiKeyNotFound,
    CredentialExpired,
    CredentialInUse,
    NodeNotFound,
    StoreExists,
    StoreNotFound,
    Unauthenticated,
    UnknownTimezone,
)
from shared.ids import new_id
from shared.money import Money, minor_units
from sync.messages import (
    PROTOCOL_VERSION,
    CredentialRotated,
    EnrolResponse,
    StoreConfigV1,
    StoreFeedConfigV1,
    TillLimitsV1,
)


@dataclass(frozen=True, slots=True)
class CreateStore:
    """A store trading in `currency` (ISO 4217) whose business day follows `timezone` (IANA)."""

    store_id: str
    name: str
    timezone: str
    currency: str


def store_config(store: StoreRecord) -> StoreConfigV1:
    """The store's configuration as a node gets it at enrolment."""
    return StoreConfigV1(
        store_id=store.store_id,
        name=store.name,
        timezone=store.timezone,
        currency=store.currency,
        refund_approval_over=_amount(store.limits.refund_approval_over_minor, store.currency),
    )


def store_feed_config(store: StoreRecord) -> StoreFeedConfigV1:
    """The store's configuration and the till limits HQ set, as its feed carries them (a
    limit HQ did not set travels as null: each node applies the default)."""
    limits = store.limits
    return StoreFeedConfigV1(
        **dict(store_config(store)),
        till_limits=TillLimitsV1(
            no_receipt_refund_over=_amount(limits.no_receipt_refund_over_minor, store.currency),
            line_quantity_max=limits.line_quantity_max,
            line_amount_max=_amount(limits.line_amount_max_minor, store.currency),
            sale_total_max=_amount(limits.sale_total_max_minor, store.currency),
            no_receipt_above_catalogue_price=limits.no_receipt_above_catalogue_price,
        ),
    )


def _amount(minor: int | None, currency: str) -> Decimal | None:
    return Money.from_minor(minor, currency).amount if minor is not None else None


def store_feed_entry(store: StoreRecord, version: int, now: datetime) -> FeedEntry:
    """The `store` entry of the store's feed: its configuration at `version`."""
    return FeedEntry(
        store_id=store.store_id,
        entity="store",
        entity_key=store.store_id,
        version=version,
        payload=store_feed_config(store).model_dump(mode="json"),
        created_at=now,
    )


async def create_store(command: CreateStore, uow: HubUnitOfWork) -> StoreRecord:
    """Create a store and publish its configuration to its feed.

    Raises StoreExists, UnknownTimezone, UnknownCurrency.
    """
    try:
        ZoneInfo(command.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimezone(command.timezone) from None
    minor_units(command.currency)
    store = StoreRecord(
        command.store_id, command.name, command.timezone, command.currency, uow.now()
    )
    async with uow.write() as tx:
        if not await tx.stores.add(store):
            raise StoreExists(command.store_id)
        tx.publish(store_feed_entry(store, store.config_version, store.created_at))
    return store


async def list_stores(uow: HubUnitOfWork) -> list[StoreRecord]:
    async with uow.read() as tx:
        return await tx.stores.all()


async def get_store(store_id: str, uow: HubUnitOfWork) -> StoreRecord:
    """Raises StoreNotFound."""
    async with uow.read() as tx:
        store = await tx.stores.get(store_id)
    if store is None:
        raise StoreNotFound(store_id)
    return store


async def list_nodes(store_id: str, uow: HubUnitOfWork) -> list[NodeRecord]:
    """The store's nodes. Raises StoreNotFound."""
    async with uow.read() as tx:
        if await tx.stores.get(store_id) is None:
            raise StoreNotFound(store_id)
        return await tx.nodes.for_store(store_id)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    store_id: str
    expires_at: datetime


async def max_clock_skew_ms(uow: HubUnitOfWork) -> int | None:
    """Largest |hub clock - node clock| over live nodes at their last push (ms), or None."""
    async with uow.read() as tx:
        return await tx.nodes.max_abs_skew_ms()


@dataclass(frozen=True, slots=True)
class IssueEnrolmentToken:
    """A one-time token that enrols one node into `store_id`, valid for `ttl`."""

    store_id: str
    ttl: timedelta = timedelta(days=7)


async def issue_enrolment_token(command: IssueEnrolmentToken, uow: HubUnitOfWork) -> IssuedToken:
    """Issue the token (shown once; the hub keeps its digest). Raises StoreNotFound."""
    token = secrets.issue(secrets.ENROLMENT_TOKEN_PREFIX)
    now = uow.now()
    expires_at = now + command.ttl
    async with uow.write() as tx:
        if await tx.stores.get(command.store_id) is None:
            raise StoreNotFound(command.store_id)
        await tx.enrolment.add_token(secrets.digest(token), command.store_id, now, expires_at)
    return IssuedToken(token, command.store_id, expires_at)


@dataclass(frozen=True, slots=True)
class EnrolNode:
    """Spend enrolment `token` on a node called `node_name`; `credential_hash` is the SHA-256
    (hex) of the credential the node made for itself (None: the hub makes one)."""

    token: str
    node_name: str
    credential_hash: str | None = None


async def enrol_node(
    command: EnrolNode, uow: HubUnitOfWork, *, policy: CredentialPolicy
) -> EnrolResponse:
    """Spend the token and create a node; returns the node's id, its store's configuration and
    how long its credential lives (`policy`).

    With `credential_hash` the node proposed its own credential: the hub keeps the hash and
    answers no credential. If the answer never reached the node, it sends the same token and
    the same proposal again and gets the same node back, until the node's first authenticated
    request (or the token's expiry, or a revocation): the credential was never in any answer,
    so a repeat, or a copy of the request delivered late, gives nobody anything to use. A spent
    token with another proposal is refused. Without a proposal the hub issues a random
    credential, shown once in the answer, and a lost answer needs a new token.

    Raises Unauthenticated if the token is unknown, spent or expired; CredentialInUse if the
    proposal is another node's credential.
    """
    token, proposal = command.token, command.credential_hash
    now = uow.now()
    token_hash = secrets.digest(token)
    credential = None
    if proposal is None:
        credential = secrets.issue(secrets.NODE_CREDENTIAL_PREFIX)
        credential_hash = secrets.digest(credential)
    else:
        credential_hash = proposal
    async with uow.write() as tx:
        enrolment = tx.enrolment
        node_id = str(new_id())
        store_id = await enrolment.consume_token(token_hash, node_id, proposal, now)
        if store_id is not None:
            if await tx.nodes.by_credential(credential_hash) is not None:
                raise CredentialInUse()
            await enrolment.add_node(node_id, store_id, command.node_name, credential_hash, now)
        elif proposal is not None:
            repeated = await enrolment.repeated_enrolment(token_hash, proposal, now)
            if repeated is not None:
                store_id, node_id = repeated
        if store_id is None:
            raise Unauthenticated("enrolment token is unknown, already used or expired")
        store = await tx.stores.get(store_id)
        assert store is not None
    return EnrolResponse(
        protocol_version=PROTOCOL_VERSION,
        store=store_config(store),
        node_id=node_id,
        credential=credential,
        credential_max_age_s=_seconds(policy),
    )


def _seconds(policy: CredentialPolicy) -> int | None:
    return int(policy.max_age.total_seconds()) if policy.max_age is not None else None


@dataclass(frozen=True, slots=True)
class AuthenticatedNode:
    node_id: str
    store_id: str


async def authenticate_node(
    credential: str,
    uow: HubUnitOfWork,
    *,
    policy: CredentialPolicy,
    for_rotation: bool = False,
) -> AuthenticatedNode:
    """The node a store credential belongs to.

    Raises Unauthenticated (unknown, retired by a rotation, or revoked), CredentialExpired
    (older than the policy's maximum age; `for_rotation`: older than that and its grace).

    The first use of a rotated credential promotes it: from then on the old one is refused.
    The node's first authenticated request confirms its enrolment: from then on its token
    cannot repeat it.
    """
    digest = secrets.digest(credential)
    async with uow.read() as tx:
        found = await tx.nodes.by_credential(digest)
    if found is None or found[0].revoked_at is not None:
        raise Unauthenticated("store credential is unknown or revoked")
    node, is_next = found
    issued_at = node.next_credential_issued_at if is_next else node.credential_issued_at
    if issued_at is not None:
        age = policy.age(issued_at, uow.now())
        if age == "expired" or (age == "grace" and not for_rotation):
            raise CredentialExpired(policy.expires_at(issued_at), rotatable=age == "grace")
    if is_next or node.confirmed_at is None:
        async with uow.write() as tx:
            if is_next:
                await tx.nodes.promote_next_credential(node.node_id, digest)
            await tx.nodes.confirm(node.node_id, uow.now())
    return AuthenticatedNode(node.node_id, node.store_id)


@dataclass(frozen=True, slots=True)
class RotateCredential:
    """A new credential for node `node_id` (the caller's own node)."""

    node_id: str


async def rotate_credential(
    command: RotateCredential, uow: HubUnitOfWork, *, policy: CredentialPolicy
) -> CredentialRotated:
    """Issue the node's next credential; returns it (shown once) and its maximum age.

    The current credential keeps working until the new one is first used, so an answer lost
    on the way cannot lock the node out; rotating again replaces a new credential not yet used.
    """
    credential = secrets.issue(secrets.NODE_CREDENTIAL_PREFIX)
    async with uow.write() as tx:
        await tx.nodes.set_next_credential(command.node_id, secrets.digest(credential), uow.now())
    return CredentialRotated(credential=credential, credential_max_age_s=_seconds(policy))


@dataclass(frozen=True, slots=True)
class RevokeNode:
    """Refuse every credential of node `node_id` of store `store_id` from now on."""

    store_id: str
    node_id: str


async def revoke_node(command: RevokeNode, uow: HubUnitOfWork) -> None:
    """Revoke the node (revoking twice is harmless). Raises NodeNotFound (no such node in
    that store)."""
    store_id, node_id = command.store_id, command.node_id
    async with uow.write() as tx:
        node = await tx.nodes.get(node_id)
        if node is None or node.store_id != store_id:
            raise NodeNotFound(store_id, node_id)
        await tx.nodes.revoke(store_id, node_id, uow.now())


async def list_api_keys(uow: HubUnitOfWork) -> list[ApiKeyRecord]:
    async with uow.read() as tx:
        return await tx.api_keys.all()


@dataclass(frozen=True, slots=True)
class RevokeApiKey:
    """Refuse API key `key_id` from now on."""

    key_id: str


async def revoke_api_key(command: RevokeApiKey, uow: HubUnitOfWork) -> None:
    """Revoke the key (revoking twice is harmless). Raises ApiKeyNotFound."""
    key_id = command.key_id
    async with uow.write() as tx:
        if not any(key.key_id == key_id for key in await tx.api_keys.all()):
            raise ApiKeyNotFound(key_id)
        await tx.api_keys.revoke(key_id, uow.now())


@dataclass(frozen=True, slots=True)
class IssuedApiKey:
    key_id: str
    name: str
    scope: ApiScope
    key: str


@dataclass(frozen=True, slots=True)
class CreateApiKey:
    """An API key called `name` for HQ tools (`scope` hq) or an ERP integration (erp)."""

    name: str
    scope: ApiScope


async def create_api_key(command: CreateApiKey, uow: HubUnitOfWork) -> IssuedApiKey:
    """Issue the key; returns it with its id (the key is shown once, the hub keeps its
    digest). Raises ApiKeyNameTaken: names are unique ignoring case, revoked keys' too, so
    the audit trail's names stay unambiguous."""
    key = secrets.issue(secrets.API_KEY_PREFIX)
    key_id = str(new_id())
    async with uow.write() as tx:
        added = await tx.api_keys.add(
            key_id, command.name, command.scope, secrets.digest(key), uow.now()
        )
        if not added:
            raise ApiKeyNameTaken(command.name)
    return IssuedApiKey(key_id, command.name, command.scope, key)


async def identify_api_key(key: str, uow: HubUnitOfWork) -> ApiKeyRecord:
    """The live API key `key` is. Raises Unauthenticated (unknown, or revoked: then with the
    key's id)."""
    async with uow.read() as tx:
        record = await tx.api_keys.by_hash(secrets.digest(key))
    if record is None:
        raise Unauthenticated("API key is unknown or revoked", reason="unknown_secret")
    if record.revoked_at is not None:
        raise Unauthenticated(
            "API key is unknown or revoked", reason="revoked", key_id=record.key_id
        )
    return record
