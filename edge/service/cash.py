"""Use case of the drawer: cash in or out other than by a sale or refund.

A float put in at the start of a shift, a paid-in, a paid-out (the window cleaner paid from
the till), a pickup (notes taken to the safe). Each is an append-only fact with its outbox
event, like a sale: the hub records it and never refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.audit import Acting, Authorized
from edge.domain.documents import CashMoved, CashMovement, CashMovementKind
from edge.domain.node import NodeIdentity
from edge.domain.staff import Permission
from edge.errors import CashMovementNotFound, IdReused, InvalidCashMovement
from edge.service.audit import audit_action
from edge.service.shifts import require_open_shift
from edge.service.staff import OverrideRequest, authorize
from shared.clock import Clock
from shared.errors import InvalidAmount
from shared.ids import new_id
from shared.money import Money


@dataclass(frozen=True, slots=True)
class RecordCashMovement:
    till_id: str
    kind: CashMovementKind
    amount: Decimal
    reason: str
    movement_id: UUID | None = None


def record_cash_movement(
    command: RecordCashMovement, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> tuple[CashMovement, bool]:
    """Record a cash movement and its outbox event, atomically; (movement, created).

    The amount is positive and exact to the store currency's minor unit; paid-ins and
    paid-outs need a reason. A `movement_id` seen before returns that movement
    (created=False). The till must have an open shift: the movement counts in it. Raises
    InvalidCashMovement, IdReused, NoOpenShift.
    """
    if command.movement_id is not None:
        existing = uow.cash.get(command.movement_id)
        if existing is not None:
            if (existing.till_id, existing.kind, existing.amount.amount) != (
                command.till_id,
                command.kind,
                command.amount,
            ):
                raise IdReused("cash movement", str(command.movement_id))
            return existing, False
    try:
        amount = Money.exact(command.amount, identity.currency)
    except InvalidAmount as error:
        raise InvalidCashMovement(str(error)) from None
    if not amount.amount > 0:
        raise InvalidCashMovement(f"a cash movement must be more than zero, got {amount}")
    reason = command.reason.strip()
    if command.kind in ("paid_in", "paid_out") and not reason:
        raise InvalidCashMovement(f"a {command.kind.replace('_', '-')} needs a reason")
    require_open_shift(uow, command.till_id)
    business_time = identity.local_time(clock.now())
    movement = CashMovement(
        movement_id=command.movement_id or new_id(),
        till_id=command.till_id,
        kind=command.kind,
        amount=amount,
        reason=reason,
        business_time=business_time,
        business_day=business_time.date(),
    )
    seq = uow.emit(CashMoved(movement))
    uow.cash.add(movement, seq)
    return movement, True


def get_movement(movement_id: UUID, uow: EdgeUnitOfWork) -> CashMovement:
    """A cash movement of this node. Raises CashMovementNotFound."""
    movement = uow.cash.get(movement_id)
    if movement is None:
        raise CashMovementNotFound(str(movement_id))
    return movement


def movements_of_day(business_day: date, uow: EdgeUnitOfWork) -> list[CashMovement]:
    """The day's cash movements at every till of this node, in the order they were made."""
    return uow.cash.for_day(business_day)


def cash_at_till(
    command: RecordCashMovement,
    acting: Acting,
    override: OverrideRequest | None,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
    clock: Clock,
) -> tuple[CashMovement, bool]:
    """`record_cash_movement` by the signed-in `acting`: cash taken out (paid-out, pickup)
    needs Permission.PAID_OUT (a supervisor, or `override`); a paid-in or paid-out is
    audited with who did it (and who approved it). Raises what those raise."""
    who: Acting | Authorized = acting
    if command.kind in ("paid_out", "pickup"):
        who = authorize(uow, acting, Permission.PAID_OUT, override, identity=identity)
    movement, created = record_cash_movement(command, uow, identity=identity, clock=clock)
    if created and movement.kind in ("paid_in", "paid_out"):
        audit_action(
            uow, movement.kind, who, identity=identity, subject=str(movement.movement_id),
            details={"amount": str(movement.amount.amount), "reason": movement.reason[:200]},
        )  # fmt: skip
    return movement, created
