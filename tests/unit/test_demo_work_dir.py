"""The demo's work dir: made 0700 with a marker; emptied again only if the demo made it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from vectis.demo import MARKER, WorkDirNotOurs, prepare_work_dir


def test_a_new_work_dir_is_its_users_only_and_marked(tmp_path: Path) -> None:
    work_dir = tmp_path / "a" / "demo"
    prepare_work_dir(work_dir, force=False)
    assert stat.S_IMODE(work_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((work_dir / MARKER).stat().st_mode) == 0o600


def test_a_work_dir_an_earlier_demo_made_is_emptied(tmp_path: Path) -> None:
    work_dir = tmp_path / "demo"
    prepare_work_dir(work_dir, force=False)
    (work_dir / "hub.db").write_text("old run")
    prepare_work_dir(work_dir, force=False)
    assert sorted(path.name for path in work_dir.iterdir()) == [MARKER]


def test_a_non_empty_dir_the_demo_did_not_make_is_left_alone_without_force(
    tmp_path: Path,
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(WorkDirNotOurs):
        prepare_work_dir(tmp_path, force=False)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    prepare_work_dir(tmp_path, force=True)
    assert not (tmp_path / "notes.txt").exists()


def test_an_empty_dir_is_taken(tmp_path: Path) -> None:
    work_dir = tmp_path / "empty"
    work_dir.mkdir(mode=0o755)
    prepare_work_dir(work_dir, force=False)
    assert stat.S_IMODE(work_dir.stat().st_mode) == 0o700
