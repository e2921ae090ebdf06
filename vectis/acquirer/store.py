"""The simulator's SQLite file: payments, refunds, the settlement ledger and every
operation's first answer under its idempotency key.

One connection, used from the server's single event loop; every operation is one
`BEGIN IMMEDIATE` transaction that records the money it moved and the answer it gave
together, with `synchronous=FULL`, so an answer the client never heard (a cut line, a
SIGKILL after the commit) is still found under its key after a restart.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS operation (
    idempotency_key TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    body TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payment (
    payment_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    decline_code TEXT,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    captured_minor INTEGER NOT NULL DEFAULT 0,
    refunded_minor INTEGER NOT NULL DEFAULT 0,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    held_for_review INTEGER NOT NULL DEFAULT 0,
    reference TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refund (
    refund_id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payment (payment_id),
    status TEXT NOT NULL,
    decline_code TEXT,
    amount_minor INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger (
    entry_no INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('capture', 'refund')),
    day TEXT NOT NULL,
    at TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    refund_id TEXT,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    reference TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    held_for_review INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ledger_day ON ledger (day, entry_no);
"""

PAYMENT_FIELDS = (
    "payment_id",
    "status",
    "decline_code",
    "amount_minor",
    "currency",
    "captured_minor",
    "refunded_minor",
    "brand",
    "last4",
    "held_for_review",
    "reference",
    "idempotency_key",
    "created_at",
)


@dataclass(frozen=True, slots=True)
class RecordedOperation:
    """The first answer given under an idempotency key."""

    operation: str
    fingerprint: str
    status_code: int
    body: dict[str, Any]


class AcquirerStore:
    """The simulator's tables in the SQLite file at `path` (created if missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._connection.row_factory = sqlite3.Row
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute("PRAGMA foreign_keys=ON")
        self._connection.executescript(_SCHEMA)

    def close(self) -> None:
        self._connection.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: everything inside commits together or not at all."""
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    # -- operations ------------------------------------------------------------------------

    def operation(self, idempotency_key: str) -> RecordedOperation | None:
        row = self._connection.execute(
            "SELECT operation, fingerprint, status_code, body FROM operation "
            "WHERE idempotency_key = ?",
            (idempotency_key,),
        ).fetchone()
        if row is None:
            return None
        return RecordedOperation(
            row["operation"], row["fingerprint"], row["status_code"], json.loads(row["body"])
        )

    def record_operation(
        self,
        idempotency_key: str,
        operation: str,
        fingerprint: str,
        status_code: int,
        body: dict[str, Any],
        at: str,
    ) -> None:
        self._connection.execute(
            "INSERT INTO operation (idempotency_key, operation, fingerprint, status_code, body, "
            "at) VALUES (?, ?, ?, ?, ?, ?)",
            (idempotency_key, operation, fingerprint, status_code, json.dumps(body), at),
        )

    # -- payments and refunds --------------------------------------------------------------

    def payment(self, payment_id: str) -> dict[str, Any] | None:
        row = self._connection.execute(
            f"SELECT {', '.join(PAYMENT_FIELDS)} FROM payment WHERE payment_id = ?",
            (payment_id,),
        ).fetchone()
        return None if row is None else dict(row)

    def insert_payment(self, payment: dict[str, Any]) -> None:
        names = ", ".join(PAYMENT_FIELDS)
        marks = ", ".join("?" for _ in PAYMENT_FIELDS)
        self._connection.execute(
            f"INSERT INTO payment ({names}) VALUES ({marks})",
            tuple(payment[name] for name in PAYMENT_FIELDS),
        )

    def update_payment(self, payment_id: str, **fields: Any) -> None:
        assignments = ", ".join(f"{name} = ?" for name in fields if name in PAYMENT_FIELDS)
        self._connection.execute(
            f"UPDATE payment SET {assignments} WHERE payment_id = ?",
            (*fields.values(), payment_id),
        )

    def insert_refund(self, refund: dict[str, Any]) -> None:
        self._connection.execute(
            "INSERT INTO refund (refund_id, payment_id, status, decline_code, amount_minor, "
            "idempotency_key, created_at) VALUES (:refund_id, :payment_id, :status, "
            ":decline_code, :amount_minor, :idempotency_key, :created_at)",
            refund,
        )

    # -- the settlement ledger -------------------------------------------------------------

    def add_ledger_entry(self, entry: dict[str, Any]) -> None:
        self._connection.execute(
            "INSERT INTO ledger (kind, day, at, payment_id, refund_id, amount_minor, currency, "
            "reference, idempotency_key, held_for_review) VALUES (:kind, :day, :at, "
            ":payment_id, :refund_id, :amount_minor, :currency, :reference, "
            ":idempotency_key, :held_for_review)",
            entry,
        )

    def ledger_of_day(self, day: str, reference_prefix: str | None) -> list[dict[str, Any]]:
        """The day's captures and refunds in the order they happened; only references that
        start with `reference_prefix` when it is given (compared as text, no wildcards)."""
        prefix = reference_prefix or ""
        rows = self._connection.execute(
            "SELECT kind, at, payment_id, refund_id, amount_minor, currency, reference, "
            "idempotency_key, held_for_review FROM ledger WHERE day = ? "
            "AND substr(reference, 1, ?) = ? ORDER BY entry_no",
            (day, len(prefix), prefix),
        ).fetchall()
        return [dict(row) for row in rows]
