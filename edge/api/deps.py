"""Dependencies of the edge's routes: the runtime, the enrolled identity."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from edge.bootstrap import EdgeRuntime
from edge.domain.node import NodeIdentity
from edge.errors import NotEnrolled


async def get_runtime(request: Request) -> EdgeRuntime:
    runtime: EdgeRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[EdgeRuntime, Depends(get_runtime)]


async def get_identity(runtime: RuntimeDep) -> NodeIdentity:
    """The node's identity. Raises NotEnrolled: nothing can be sold before enrolment."""
    if runtime.identity is None:
        raise NotEnrolled()
    return runtime.identity


IdentityDep = Annotated[NodeIdentity, Depends(get_identity)]
