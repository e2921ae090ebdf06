"""Customer look-up at the till: the customer records this node holds, searched by text."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from edge.api.deps import RuntimeDep
from edge.api.schemas.customers import CustomerOut
from edge.api.session import SignedInRoute
from edge.service import records
from shared.bounds import ShortName

router = APIRouter(prefix="/v1", tags=["Shared records"], route_class=SignedInRoute)


@router.get("/customers", response_model=list[CustomerOut])
async def search_customers(
    runtime: RuntimeDep,
    q: Annotated[ShortName, Query(description="Text in the id, name, email or phone")],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[CustomerOut]:
    """Customers whose id, name, email or phone contains `q` (ASCII letters in any case; a
    phone by its digits too), by name then id; at most `limit` (1-50). Local state only:
    works offline, and finds only the customers this node holds."""
    found = await runtime.read(lambda uow: records.search_customers(q, uow, limit=limit))
    return [CustomerOut.of(customer) for customer in found]
