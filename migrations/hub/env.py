"""Alembic environment of the hub."""

from hub.adapters.tables import metadata
from migrations.environment import run

run(metadata)
