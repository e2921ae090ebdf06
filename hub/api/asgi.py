"""The hub as an import path for a process manager: `hub.api.asgi:create_app_from_environment`.

Each worker process reads its settings from the `VECTIS_HUB_*` environment; the database must
already be migrated (`vectis hub serve --workers N` migrates once before starting them).
"""

from __future__ import annotations

from fastapi import FastAPI

from hub.api.app import create_app
from hub.bootstrap import runtime_from
from hub.settings import HubSettings
from shared.tuning import tune_garbage_collector


def create_app_from_environment() -> FastAPI:
    tune_garbage_collector()
    return create_app(runtime_from(HubSettings()))
