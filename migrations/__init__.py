"""Alembic environments of the hub (PostgreSQL or SQLite) and of edge nodes (SQLite)."""
