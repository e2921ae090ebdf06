"""How a cart operation asks whether the signed-in staff member may do it: a `Permit`, bound
by the route to the request's till session and manager override (edge.service.staff.authorize),
so a use case asks with the figures it has worked out (a discount's percent or amount)."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.audit import Acting, Authorized
from edge.domain.node import NodeIdentity
from edge.domain.staff import Permission
from edge.service.staff import OverrideRequest, authorize


class Permit(Protocol):
    """Allow one action of `permission` to the signed-in staff member, by their role (a
    discount within the store's threshold too) or by the override sent with the request, and
    audit an override. Raises NotPermitted (403), OverrideBySelf, StaffLocked, WrongPin."""

    def __call__(
        self,
        permission: Permission,
        *,
        discount_percent: Decimal | None = None,
        discount_amount: Decimal | None = None,
    ) -> Authorized: ...


def permit_of(
    uow: EdgeUnitOfWork, acting: Acting, override: OverrideRequest | None, identity: NodeIdentity
) -> Permit:
    """The permit of one request: edge.service.staff.authorize for `acting` in `uow`'s
    transaction, with the request's `override` (None: the role alone decides)."""

    def permit(
        permission: Permission,
        *,
        discount_percent: Decimal | None = None,
        discount_amount: Decimal | None = None,
    ) -> Authorized:
        return authorize(
            uow, acting, permission, override, identity=identity,
            discount_percent=discount_percent, discount_amount=discount_amount,
        )  # fmt: skip

    return permit
