"""`vectis schemas`: write the JSON Schemas of the sync messages, or check them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vectis.cli.common import console, fail


def schemas(
    out: Annotated[Path, typer.Option(help="Directory of the published schemas")] = Path(
        "docs/schemas"
    ),
    check: Annotated[bool, typer.Option(help="Only check that the files are up to date")] = False,
) -> None:
    """Write the JSON Schemas of every sync message (docs/schemas), or check them."""
    from sync.schemas import stale, write

    if check:
        outdated = stale(out)
        if outdated:
            fail(f"stale schemas in {out}: {', '.join(outdated)}; run `vectis schemas`")
        console.print(f"{out}: up to date")
        return
    for path in write(out):
        console.print(f"wrote {path}")
