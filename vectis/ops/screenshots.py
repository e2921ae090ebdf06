"""Screenshots of a Textual app for docs/ and the README: run it headless at a fixed terminal
size, drive it with a pilot, save the SVG Textual draws and turn it into a PNG with
`rsvg-convert` (librsvg2-bin; cairosvg loses the monospace grid)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from vectis.ops.errors import RsvgConvertUnavailable, SvgConversionFailed

Steps = Callable[[Pilot[Any]], Awaitable[None]]
"""What to do before the picture is taken: an async function of the app's pilot."""

PNG_WIDTH_PX = 1400


@dataclass(frozen=True, slots=True)
class Screenshot:
    """The files one capture wrote: `svg` as Textual exported it, `png` converted from it."""

    svg: Path
    png: Path


def rsvg_convert() -> str:
    """The path of `rsvg-convert`. Raises RsvgConvertUnavailable when it is not on PATH."""
    found = shutil.which("rsvg-convert")
    if found is None:
        raise RsvgConvertUnavailable(
            "rsvg-convert is not on PATH: install librsvg2-bin (./dev.sh setup does)"
        )
    return found


async def svg_to_png(svg: Path, png: Path, width_px: int = PNG_WIDTH_PX) -> None:
    """Write `svg` as a PNG `width_px` wide (height in proportion) at `png`.
    Raises RsvgConvertUnavailable, SvgConversionFailed."""
    process = await asyncio.create_subprocess_exec(
        rsvg_convert(),
        *("-w", str(width_px), str(svg), "-o", str(png)),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        raise SvgConversionFailed(
            str(svg), process.returncode or 0, stderr.decode(errors="replace")
        )


async def capture(
    app: App[Any],
    steps: Steps | None,
    out_dir: Path,
    name: str,
    size: tuple[int, int] = (120, 40),
    width_px: int = PNG_WIDTH_PX,
) -> Screenshot:
    """Run `app` headless in a terminal of `size` (columns, rows), await `steps(pilot)`, wait
    for the screen to settle, and write `out_dir/name.svg` and `out_dir/name.png` (`width_px`
    wide). The app is exited afterwards; run it on a loop of its own (call from an async test
    or `asyncio.run`, not from inside another running Textual app).

    Raises RsvgConvertUnavailable before the app is started when rsvg-convert is missing,
    SvgConversionFailed when it refuses the SVG, and whatever `steps` raises.
    """
    rsvg_convert()
    out_dir.mkdir(parents=True, exist_ok=True)
    async with app.run_test(size=size) as pilot:
        if steps is not None:
            await steps(pilot)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        svg = Path(app.save_screenshot(filename=f"{name}.svg", path=str(out_dir)))
    png = out_dir / f"{name}.png"
    await svg_to_png(svg, png, width_px)
    return Screenshot(svg=svg, png=png)
