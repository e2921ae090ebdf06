"""vectis.ops.screenshots against a throwaway Textual app and the real rsvg-convert; and
pytest-textual-snapshot's `snap_compare` working with this project's pytest and Textual."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input, Label

from vectis.ops.errors import RsvgConvertUnavailable
from vectis.ops.screenshots import capture

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ScanField(App[None]):
    """A label and an input that has focus, as the till's scan field will."""

    def compose(self) -> ComposeResult:
        yield Label("Scan or type a code")
        yield Input(id="scan")


async def type_a_gtin(pilot: Pilot[Any]) -> None:
    await pilot.press(*"5012345000014")


async def test_capture_writes_the_svg_and_a_png_of_what_was_typed(tmp_path: Path) -> None:
    shot = await capture(ScanField(), type_a_gtin, tmp_path / "shots", "scan-field", size=(60, 10))

    assert shot.svg == tmp_path / "shots" / "scan-field.svg"
    svg = shot.svg.read_text()
    assert "5012345000014" in svg
    assert "Scan" in svg and "code" in svg
    png = shot.png.read_bytes()
    assert png.startswith(PNG_MAGIC) and len(png) > 1000
    # rsvg-convert was asked for 1400 px: the IHDR chunk holds the width, big-endian
    assert int.from_bytes(png[16:20], "big") == 1400


async def test_capture_says_what_to_install_when_rsvg_convert_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    with pytest.raises(RsvgConvertUnavailable, match="librsvg2-bin"):
        await capture(ScanField(), type_a_gtin, tmp_path / "shots", "scan-field")
    assert not (tmp_path / "shots").exists()


def test_snapshot_of_a_typed_scan_field(snap_compare: Any) -> None:
    assert snap_compare(ScanField(), press=[*"5012345000014"], terminal_size=(60, 10))
