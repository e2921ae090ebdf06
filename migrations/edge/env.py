"""Alembic environment of the edge."""

from edge.adapters.tables import metadata
from migrations.environment import run

run(metadata)
