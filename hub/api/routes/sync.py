"""The sync endpoints edge nodes call: enrol, push, feed."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request

from hub.api.deps import EnrolmentGuard, NodeCaller, RotatingNodeCaller, RuntimeDep
from hub.errors import ProtocolVersionMismatch
from hub.service import stores
from hub.service.feed import read_feed, snapshot_page
from hub.service.ingest import IngestBatch, ingest_batch
from hub.service.integrity import CompareChecksums, compare_checksums
from sync.messages import (
    PROTOCOL_VERSION,
    ChecksumRequest,
    ChecksumResponse,
    CredentialRotated,
    EnrolRequest,
    EnrolResponse,
    FeedPage,
    PushRequest,
    PushResponse,
    SnapshotPage,
)

router = APIRouter(prefix="/v1/sync", tags=["Sync"])


@router.post("/enrol", response_model=EnrolResponse, dependencies=[EnrolmentGuard])
async def enrol(body: EnrolRequest, runtime: RuntimeDep) -> EnrolResponse:
    """Exchange a one-time enrolment token for a node id and store credential (shown once)."""
    if body.protocol_version != PROTOCOL_VERSION:
        raise ProtocolVersionMismatch(body.protocol_version, PROTOCOL_VERSION)
    return await stores.enrol_node(
        stores.EnrolNode(body.token, body.node_name, body.credential_hash),
        runtime.uow,
        policy=runtime.settings.credential_policy(),
    )


@router.post(
    "/push",
    response_model=PushResponse,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PushRequest.model_json_schema()}},
        }
    },
)
async def push(request: Request, runtime: RuntimeDep, node: NodeCaller) -> PushResponse:
    """Upload a batch of outbox events; idempotent; acknowledges the highest contiguous seq."""
    started = time.perf_counter()
    # Validated straight from the bytes (pydantic-core parses the JSON): the hot path of ingest.
    body = PushRequest.model_validate_json(await request.body())
    outcome = await ingest_batch(
        IngestBatch(node, body, runtime.settings.push_order_wait_s), runtime.uow, runtime.workflows
    )
    response = outcome.response
    metrics = runtime.metrics
    metrics.events_altered.inc(outcome.altered)
    metrics.push_seconds.observe(time.perf_counter() - started)
    metrics.events_accepted.inc(response.accepted)
    metrics.events_duplicate.inc(response.duplicates)
    metrics.events_quarantined.inc(len(response.rejected))
    return response


@router.post("/credentials/rotate", response_model=CredentialRotated)
async def rotate_credential(runtime: RuntimeDep, node: RotatingNodeCaller) -> CredentialRotated:
    """A new credential for the calling node, shown once. The current one keeps working until
    the new one is first used; then only the new one does. A credential past its maximum age
    but within its grace period is accepted here (and only here)."""
    return await stores.rotate_credential(
        stores.RotateCredential(node.node_id),
        runtime.uow,
        policy=runtime.settings.credential_policy(),
    )


@router.post("/checksums", response_model=ChecksumResponse)
async def checksums(
    body: ChecksumRequest, runtime: RuntimeDep, node: NodeCaller
) -> ChecksumResponse:
    """Compare the node's day totals with the ledger's; each mismatch raises an alert at HQ."""
    response = await compare_checksums(CompareChecksums(node, body), runtime.uow)
    runtime.metrics.integrity_mismatches.inc(sum(day.status == "mismatch" for day in response.days))
    return response


@router.get("/snapshot", response_model=SnapshotPage)
async def snapshot(
    runtime: RuntimeDep,
    node: NodeCaller,
    after: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=20_000)] = 5000,
) -> SnapshotPage:
    """One chunk of the calling store's state, for a new node (or one behind a compacted feed).

    The first chunk names the feed cursor to follow afterwards; `after` resumes a download."""
    return await snapshot_page(node.store_id, after, limit, runtime.uow)


@router.get("/feed", response_model=FeedPage)
async def feed(
    runtime: RuntimeDep,
    node: NodeCaller,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> FeedPage:
    """The calling store's change feed after `cursor` (catalogue, prices, its stock, its settings)."""
    started = time.perf_counter()
    page = await read_feed(node.store_id, cursor, limit, runtime.uow)
    runtime.metrics.feed_seconds.observe(time.perf_counter() - started)
    return page
