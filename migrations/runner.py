"""Programmatic upgrades: `upgrade_hub(url)` and `upgrade_edge(path)` bring a database to head.

Both are synchronous (Alembic's API); async callers run them with `asyncio.to_thread`, where
the environment may start its own event loop for async drivers.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

_HERE = Path(__file__).resolve().parent


def alembic_config(environment: str, url: str) -> Config:
    """Config of `environment` ("hub" or "edge") pointed at `url`."""
    config = Config()
    config.set_main_option("script_location", str(_HERE / environment))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_hub(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config("hub", url), revision)


def upgrade_edge(path: Path, revision: str = "head") -> None:
    command.upgrade(alembic_config("edge", f"sqlite:///{path}"), revision)
