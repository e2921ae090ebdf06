"""API shapes of records both sides may edit, served alike by the hub and by every edge."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.bounds import FieldName, FieldText
from sync.records import FieldValue


class FieldOut(BaseModel):
    value: str | None
    hlc: str = Field(description="Stamp of the edit that set it (hybrid logical clock)")
    base: str | None = Field(description="Stamp of the value that edit replaced")


class RecordOut(BaseModel):
    entity: str
    key: str
    fields: dict[str, FieldOut]

    @classmethod
    def of(cls, entity: str, key: str, fields: dict[str, FieldValue]) -> RecordOut:
        return cls(
            entity=entity,
            key=key,
            fields={
                name: FieldOut(value=value.value, hlc=value.hlc, base=value.base)
                for name, value in sorted(fields.items())
            },
        )


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: dict[FieldName, FieldText | None] = Field(
        min_length=1, max_length=32, description="Field -> new value (null clears it)"
    )


class ConflictOut(BaseModel):
    conflict_id: int
    entity: str
    key: str
    field: str
    kept_value: str | None
    kept_hlc: str
    lost_value: str | None
    lost_hlc: str
    recorded_at: AwareDatetime
