"""Records both sides may edit (customer contact details, store settings): field-level
last-writer-wins by hybrid logical clock, with every overwritten value kept.

Each field carries the HLC stamp of the edit that set it. Merging takes, per field, the value
with the higher stamp (stamps of different nodes never tie: the node id is part of the stamp),
so every replica that has seen the same edits holds the same record whatever order the edits
arrived in. The value that loses, whether it was held or arriving, is returned as a conflict
so that nothing anyone typed disappears without a trace. Wall clocks are never compared: an
HLC orders edits causally, and a node whose clock is wrong still cannot win by it alone
beyond the skew it has (see docs/conflict-rules.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.clock import HLCTimestamp

# The records stores and HQ may both edit, and their fields (text up to 200 characters, or
# null). `customer` records are shared by every store; `store_settings` belong to one store.
RECORD_FIELDS: dict[str, frozenset[str]] = {
    "customer": frozenset({"name", "email", "phone", "address"}),
    "store_settings": frozenset(
        {
            "receipt_header",
            "receipt_footer",
            "phone",
            "manager_name",
            # The till's rules a manager or HQ may set (docs/counter.md); null: the default.
            "pin_max_failures",
            "pin_lock_minutes",
            "discount_percent_max",
            "discount_amount_max",
            # Offline tenders (docs/counter.md "Tenders"): amounts in the store's currency.
            "card_offline_transaction_max",
            "card_offline_till_max",
            "card_offline_hours",
            "gift_card_offline_max",
            "store_credit_offline_max",
            # The dashboard's stock page: at or below this many units an item is low.
            "low_stock_threshold",
        }
    ),
    # A staff member's PIN hash (argon2id, shared.pins), keyed by staff code: HQ resets it,
    # the staff member changes it at a till; never the PIN itself.
    "staff_pin": frozenset({"pin_hash"}),
}
MAX_FIELD_LENGTH = 200

_AMOUNT = (re.compile(r"^[0-9]{1,9}(\.[0-9]{1,2})?$"), "an amount with at most 2 places")
# Settings fields whose text must be a number: (pattern, what it must be).
_NUMBER_FIELDS: dict[str, tuple[re.Pattern[str], str]] = {
    "pin_max_failures": (re.compile(r"^[1-9][0-9]?$"), "a whole number from 1 to 99"),
    "pin_lock_minutes": (re.compile(r"^[1-9][0-9]{0,3}$"), "whole minutes from 1 to 9999"),
    "discount_percent_max": (
        re.compile(r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$"),
        "a percent from 0 to 100, at most 2 places",
    ),
    "discount_amount_max": _AMOUNT,
    "card_offline_transaction_max": _AMOUNT,
    "card_offline_till_max": _AMOUNT,
    "card_offline_hours": (re.compile(r"^([1-9]|[1-6][0-9]|7[0-2])$"), "whole hours from 1 to 72"),
    "gift_card_offline_max": _AMOUNT,
    "store_credit_offline_max": _AMOUNT,
    "low_stock_threshold": (re.compile(r"^[0-9]{1,6}$"), "a whole number from 0 to 999999"),
}


@dataclass(frozen=True, slots=True)
class FieldValue:
    """A field's value, the stamp of the edit that set it, and the stamp of the value that
    edit replaced where it was made (`base`, None if the field was empty there)."""

    value: Any
    hlc: str  # HLCTimestamp.encode()
    base: str | None = None


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """A value that lost to a newer one for the same field."""

    field: str
    kept: FieldValue
    lost: FieldValue


def check_fields(entity: str, values: Mapping[str, Any]) -> None:
    """Raises ValueError for an unknown entity, an unknown field or a value too long."""
    allowed = RECORD_FIELDS.get(entity)
    if allowed is None:
        raise ValueError(f"{entity!r} is not a record both sides may edit")
    for field, value in values.items():
        if field not in allowed:
            raise ValueError(
                f"{entity} has no field {field!r} (fields: {', '.join(sorted(allowed))})"
            )
        if value is not None and (not isinstance(value, str) or len(value) > MAX_FIELD_LENGTH):
            raise ValueError(
                f"{entity}.{field} must be text of at most {MAX_FIELD_LENGTH} characters, or null"
            )
        number = _NUMBER_FIELDS.get(field) if entity == "store_settings" else None
        if number is not None and value is not None and not number[0].match(value):
            raise ValueError(f"{entity}.{field} must be {number[1]}, as text, or null")


def newest_stamp(fields: Mapping[str, FieldValue]) -> HLCTimestamp | None:
    return max((HLCTimestamp.parse(value.hlc) for value in fields.values()), default=None)


def to_json(fields: Mapping[str, FieldValue]) -> dict[str, dict[str, Any]]:
    return {
        field: {"value": value.value, "hlc": value.hlc, "base": value.base}
        for field, value in sorted(fields.items())
    }


def from_json(data: Mapping[str, Mapping[str, Any]]) -> dict[str, FieldValue]:
    return {
        field: FieldValue(item.get("value"), str(item["hlc"]), item.get("base"))
        for field, item in data.items()
    }


def stamped_edit(
    held: Mapping[str, FieldValue], values: Mapping[str, Any], stamp: str
) -> dict[str, FieldValue]:
    """The fields of a local edit: each new value with `stamp`, based on the value it replaces."""
    return {
        field: FieldValue(value, stamp, held[field].hlc if field in held else None)
        for field, value in values.items()
    }


def merge_fields(
    held: Mapping[str, FieldValue], incoming: Mapping[str, FieldValue]
) -> tuple[dict[str, FieldValue], list[FieldConflict]]:
    """`held` updated with `incoming`, field by field, the higher HLC winning.

    Returns (the merged fields, the conflicts). A losing value is a conflict when it differs
    from the winner and the winner's writer had not seen it: its stamp is newer than the
    winner's `base`. An ordinary overwrite (the loser is the value the writer replaced, or
    older) is not a conflict. Raises InvalidTimestamp for a malformed stamp.
    """
    merged = dict(held)
    conflicts = []
    for field, arriving in incoming.items():
        current = merged.get(field)
        if current is None:
            merged[field] = arriving
            continue
        if HLCTimestamp.parse(arriving.hlc) > HLCTimestamp.parse(current.hlc):
            merged[field] = arriving
            winner, loser = arriving, current
        else:
            winner, loser = current, arriving
        if loser.hlc != winner.hlc and loser.value != winner.value and _unseen(loser, winner):
            conflicts.append(FieldConflict(field, winner, loser))
    return merged, conflicts


def conflict_rows(entity: str, key: str, conflicts: list[FieldConflict]) -> list[dict[str, Any]]:
    """Rows of a conflict log (either side's `record_conflict` table, less `recorded_at`)."""
    return [
        {
            "entity": entity,
            "record_key": key,
            "field": conflict.field,
            "kept_value": conflict.kept.value,
            "kept_hlc": conflict.kept.hlc,
            "lost_value": conflict.lost.value,
            "lost_hlc": conflict.lost.hlc,
        }
        for conflict in conflicts
    ]


def _unseen(loser: FieldValue, winner: FieldValue) -> bool:
    """Whether `winner` was written without knowledge of `loser` (a concurrent edit)."""
    if winner.base is None:
        return True
    return HLCTimestamp.parse(loser.hlc) > HLCTimestamp.parse(winner.base)
