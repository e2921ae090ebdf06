"""The base of every component's settings (pydantic-settings): environment first, then defaults.

Each component subclasses `VectisSettings` with its own prefix (`VECTIS_EDGE_`, `VECTIS_HUB_`),
so one process can read both without collisions. Nothing here touches the network or disk.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class VectisSettings(BaseSettings):
    """Common configuration of settings classes: no .env magic, unknown keys rejected."""

    model_config = SettingsConfigDict(
        env_prefix="VECTIS_",
        extra="forbid",
        validate_default=True,
        frozen=True,
    )
