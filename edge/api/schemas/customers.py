"""Bodies of the customer search: a customer record as a till lists it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from edge.service.records import FoundCustomer


class CustomerOut(BaseModel):
    customer_id: str = Field(description="The record's key: what a cart's `customer_id` takes")
    name: str | None
    email: str | None
    phone: str | None

    @classmethod
    def of(cls, found: FoundCustomer) -> CustomerOut:
        return cls(
            customer_id=found.customer_id, name=found.name, email=found.email, phone=found.phone
        )
