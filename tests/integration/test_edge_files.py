"""An edge node's files hold its store credential: they are readable by its user only."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.support import Hub, close_edge, make_edge


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_database_holding_the_credential_is_readable_by_its_user_only(
    hub: Hub, tmp_path: Path
) -> None:
    await hub.create_store("store-1")
    path = tmp_path / "made-by-the-edge" / "store-1.db"
    edge = await make_edge(path, hub, await hub.token("store-1"))
    try:
        assert mode(path.parent) == 0o700
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert file.exists() and mode(file) == 0o600, file
    finally:
        await close_edge(edge)


async def test_a_database_file_left_readable_by_others_is_closed_at_start(
    hub: Hub, tmp_path: Path
) -> None:
    await hub.create_store("store-1")
    path = tmp_path / "store-1.db"
    edge = await make_edge(path, hub, await hub.token("store-1"))
    await close_edge(edge)
    for file in tmp_path.glob("store-1.db*"):
        file.chmod(0o644)
    tmp_path.chmod(0o755)
    edge = await make_edge(path, hub, None)
    try:
        assert edge.runtime.identity is not None
        assert mode(path) == 0o600
        assert mode(tmp_path) == 0o755  # a directory it did not make is left alone
    finally:
        await close_edge(edge)
