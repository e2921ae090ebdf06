"""How a cart operation asks whether the signed-in staff member may do it: a `Permit`, bound
by the route to the request's till session and manager override (edge.service.staff.authorize),
so a use case asks with the figures it has worked out (a discount's percent or amount)."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from edge.domain.audit import Authorized
from edge.domain.staff import Permission


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
