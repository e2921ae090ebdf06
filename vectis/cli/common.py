"""Shared by every command: the console, running a coroutine (SIGTERM as Ctrl-C), failing."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

import typer
from rich.console import Console

# Reconciliation tables are wide; when piped, do not squeeze them into 80 columns.
console = Console() if sys.stdout.isatty() else Console(width=150)
T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, with SIGTERM cancelling the work like Ctrl-C does: child processes of a
    replay or a demo are stopped on the way out instead of being orphaned.
    """

    async def main() -> T:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            return await coroutine
        finally:
            loop.remove_signal_handler(signal.SIGTERM)

    try:
        return asyncio.run(main())
    except asyncio.CancelledError:
        console.print("[yellow]stopped[/yellow]")
        raise typer.Exit(130) from None


def fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)
