"""The body of every error response of the hub and the edge."""

from __future__ import annotations

from pydantic import Field

from sync.messages.base import Message


class ErrorBody(Message):
    """Body of every error response of the hub and the edge."""

    error: str = Field(description="Stable machine-readable code")
    detail: str
