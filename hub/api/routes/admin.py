"""HQ administration: stores, enrolment tokens, nodes, API keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field

from hub.api.deps import AdminCaller, HqCaller, RuntimeDep
from hub.api.schemas import (
    ApiKeyIn,
    ApiKeyListedOut,
    ApiKeyOut,
    EnrolmentTokenOut,
    NodeOut,
    StoreIn,
    StoreOut,
)
from hub.domain.stores import StoreRecord
from hub.service import stores
from hub.service.feed import CompactFeed, compact_feed
from shared.bounds import Identifier, Seconds

router = APIRouter(prefix="/v1", tags=["HQ administration"])


@router.post("/stores", status_code=status.HTTP_201_CREATED, response_model=StoreOut)
async def create_store(body: StoreIn, runtime: RuntimeDep, _: HqCaller) -> StoreOut:
    store = await stores.create_store(
        stores.CreateStore(body.store_id, body.name, body.timezone, body.currency),
        runtime.uow,
    )
    return _store_out(store)


def _store_out(store: StoreRecord) -> StoreOut:
    return StoreOut(
        store_id=store.store_id,
        name=store.name,
        timezone=store.timezone,
        currency=store.currency,
        created_at=store.created_at,
    )


@router.get("/stores", response_model=list[StoreOut])
async def list_stores(runtime: RuntimeDep, _: HqCaller) -> list[StoreOut]:
    return [_store_out(store) for store in await stores.list_stores(runtime.uow)]


@router.get("/stores/{store_id}", response_model=StoreOut)
async def get_store(
    store_id: Annotated[Identifier, Path()], runtime: RuntimeDep, _: HqCaller
) -> StoreOut:
    return _store_out(await stores.get_store(store_id, runtime.uow))


@router.post(
    "/stores/{store_id}/enrolment-tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentTokenOut,
)
async def issue_enrolment_token(
    store_id: Annotated[Identifier, Path()], runtime: RuntimeDep, _: HqCaller
) -> EnrolmentTokenOut:
    issued = await stores.issue_enrolment_token(
        stores.IssueEnrolmentToken(
            store_id, timedelta(seconds=runtime.settings.enrolment_token_ttl_s)
        ),
        runtime.uow,
    )
    return EnrolmentTokenOut(
        store_id=issued.store_id, token=issued.token, expires_at=issued.expires_at
    )


@router.get("/stores/{store_id}/nodes", response_model=list[NodeOut])
async def list_nodes(
    store_id: Annotated[Identifier, Path()], runtime: RuntimeDep, _: HqCaller
) -> list[NodeOut]:
    return [
        NodeOut(
            node_id=node.node_id,
            store_id=node.store_id,
            name=node.name,
            created_at=node.created_at,
            revoked_at=node.revoked_at,
            acked_seq=node.acked_seq,
            last_push_at=node.last_push_at,
            skew_ms=node.skew_ms,
        )
        for node in await stores.list_nodes(store_id, runtime.uow)
    ]


@router.post("/stores/{store_id}/nodes/{node_id}/revoke", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_node(
    store_id: Annotated[Identifier, Path()],
    node_id: Annotated[Identifier, Path()],
    runtime: RuntimeDep,
    _: HqCaller,
) -> None:
    """Refuse the node's credentials from now on (a stolen till PC, a closed store)."""
    await stores.revoke_node(stores.RevokeNode(store_id, node_id), runtime.uow)


class CompactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    older_than_s: Seconds = Field(description="Delete feed entries written longer ago than this")


class CompactOut(BaseModel):
    floor: str = Field(description="Readers with a cursor before this re-bootstrap from a snapshot")
    deleted: int


@router.post("/feed/compact", response_model=CompactOut)
async def compact(body: CompactIn, runtime: RuntimeDep, _: AdminCaller) -> CompactOut:
    """Delete old feed entries; the state they carried stays in snapshots. Nodes behind the
    floor get 410 and bootstrap again, keeping what they have not uploaded."""
    floor, deleted = await compact_feed(
        CompactFeed(timedelta(seconds=body.older_than_s)), runtime.uow
    )
    return CompactOut(floor=floor, deleted=deleted)


@router.get("/api-keys", response_model=list[ApiKeyListedOut])
async def list_api_keys(runtime: RuntimeDep, _: AdminCaller) -> list[ApiKeyListedOut]:
    return [
        ApiKeyListedOut(
            key_id=key.key_id, name=key.name, scope=key.scope, revoked_at=key.revoked_at
        )
        for key in await stores.list_api_keys(runtime.uow)
    ]


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_key(
    key_id: Annotated[Identifier, Path()], runtime: RuntimeDep, _: AdminCaller
) -> None:
    await stores.revoke_api_key(stores.RevokeApiKey(key_id), runtime.uow)


@router.post("/api-keys", status_code=status.HTTP_201_CREATED, response_model=ApiKeyOut)
async def create_api_key(body: ApiKeyIn, runtime: RuntimeDep, _: AdminCaller) -> ApiKeyOut:
    issued = await stores.create_api_key(stores.CreateApiKey(body.name, body.scope), runtime.uow)
    return ApiKeyOut(key_id=issued.key_id, name=issued.name, scope=issued.scope, key=issued.key)
