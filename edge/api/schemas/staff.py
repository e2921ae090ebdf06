"""Bodies of sign-in, till sessions, PIN changes and the store's staff list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from edge.api.schemas.common import Body, TillId
from edge.domain.audit import Acting
from edge.service.staff import OpenedSession, StaffStatus
from shared.bounds import StaffCode

# Typed at a keypad: 4 to 8 digits. The length of a wrong PIN is not checked here (a
# 422 would say more than a 401 does); `shared.pins` holds the rule for new PINs.
PinText = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class SignInIn(Body):
    till_id: TillId
    staff_code: StaffCode
    pin: PinText


class StaffOut(BaseModel):
    staff_code: str
    name: str
    role: str


class SessionOut(BaseModel):
    session_id: UUID
    till_id: str
    staff: StaffOut

    @classmethod
    def of(cls, acting: Acting) -> SessionOut:
        member = acting.staff
        return cls(
            session_id=acting.session_id,
            till_id=acting.till_id,
            staff=StaffOut(staff_code=member.staff_code, name=member.name, role=member.role),
        )


class SignedInOut(SessionOut):
    token: str = Field(description="Send as `Authorization: Bearer <token>` on till requests")
    started_at: AwareDatetime

    @classmethod
    def opened(cls, opened: OpenedSession) -> SignedInOut:
        return cls(token=opened.token, started_at=opened.started_at, **SessionOut.of(
            opened.acting
        ).model_dump())  # fmt: skip


class PinChangeIn(Body):
    old_pin: PinText
    new_pin: PinText


class StaffStatusOut(StaffOut):
    active: bool
    locked_until: datetime | None = Field(None, description="Locked after wrong PINs until")

    @classmethod
    def of(cls, status: StaffStatus) -> StaffStatusOut:
        return cls(
            staff_code=status.staff_code,
            name=status.name,
            role=status.role,
            active=status.active,
            locked_until=status.locked_until,
        )
