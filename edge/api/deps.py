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


def identity_of(runtime: EdgeRuntime) -> NodeIdentity:
    """The node's identity. Raises NotEnrolled: nothing can be sold before enrolment."""
    if runtime.identity is None:
        raise NotEnrolled()
    return runtime.identity


# The dependencies take the request, not each other: FastAPI solves a dependency's own
# dependencies again wherever it appears, cached result or not, and a till route asks for
# the runtime, the identity and the session (measured: a third of a scan's time on the loop).
async def get_identity(request: Request) -> NodeIdentity:
    """The node's identity. Raises NotEnrolled: nothing can be sold before enrolment."""
    return identity_of(request.app.state.runtime)


IdentityDep = Annotated[NodeIdentity, Depends(get_identity)]
