"""`vectis hub worker`: its help, and a refusal without a Temporal address."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from vectis.cli import app


def test_the_worker_command_explains_itself() -> None:
    result = CliRunner().invoke(app, ["hub", "worker", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for option in ("--database-url", "--temporal-address", "--temporal-task-queue", "--migrate"):
        assert option in result.output
    serve = CliRunner().invoke(app, ["hub", "serve", "--help"], terminal_width=200)
    assert "--no-workflow-worker" in serve.output


def test_the_worker_needs_a_temporal_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VECTIS_HUB_TEMPORAL_ADDRESS", raising=False)
    result = CliRunner().invoke(
        app, ["hub", "worker", "--database-url", "sqlite+aiosqlite:///unused.db"]
    )
    assert result.exit_code == 2
    assert "--temporal-address" in result.output
