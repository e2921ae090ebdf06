"""Tables of the store manager's dashboard (edge.dashboard) in the edge node's SQLite file:
its sign-in sessions and the outbox's depth sampled through the day. Part of the same
metadata as edge.adapters.tables (which re-exports them)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Index, Integer, String, Table, Text

from edge.adapters.metadata import metadata

# A supervisor or manager signed in at the dashboard. The cookie's token is kept only as its
# SHA-256; `last_seen_at` moves with each request (the idle timeout counts from it);
# `end_reason` is `signed_out`, `idle` or `expired`.
dashboard_session = Table(
    "dashboard_session",
    metadata,
    Column("session_id", String(36), primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("staff_code", String(12), nullable=False),
    Column("started_at", Text, nullable=False),
    Column("last_seen_at", Text, nullable=False),
    Column("ended_at", Text),
    Column("end_reason", String(16)),
    Index(None, "staff_code", "ended_at"),
)

# The outbox's depth as the sync agent found it at each of its runs (edge.jobs), for the
# dashboard's chart of the day: events waiting, the age of the oldest in seconds (NULL when
# none wait) and whether the last exchange with the hub succeeded. `at`: aware ISO-8601.
outbox_depth_sample = Table(
    "outbox_depth_sample",
    metadata,
    Column("at", Text, primary_key=True),
    Column("pending", Integer, nullable=False),
    Column("oldest_age_s", Integer),
    Column("online", Integer, nullable=False),
    CheckConstraint("pending >= 0", name="pending"),
)
