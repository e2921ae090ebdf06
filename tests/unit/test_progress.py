"""The progress bars of long replays and benchmarks (vectis.progress): what a terminal shows,
and that nothing is written when they are off or there is no terminal."""

from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from vectis import progress
from vectis.cli import app
from vectis.progress import ProgressBoard

_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _terminal() -> tuple[Console, io.StringIO]:
    written = io.StringIO()
    return Console(file=written, force_terminal=True, width=160, color_system=None), written


def _last_screen(written: io.StringIO) -> str:
    """What the terminal shows last: the text after the last redraw, control codes removed."""
    return _CONTROL.sub("", written.getvalue().rsplit("\r", 1)[-1])


def test_a_task_on_a_terminal_shows_its_description_and_final_count() -> None:
    console, written = _terminal()
    board = ProgressBoard(console, enabled=True)
    with board.task("writing offline sales", total=2500, unit="sales") as done:
        for _ in range(2500):
            done.advance()
    shown = _last_screen(written)
    assert "writing offline sales" in shown
    assert "2,500/2,500 sales" in shown


def test_tasks_of_several_threads_each_show_their_own_count() -> None:
    console, written = _terminal()
    board = ProgressBoard(console, enabled=True)
    totals = {"store-1": 700, "store-2": 1300}

    def sell(store: str) -> None:
        with board.task(f"{store} selling", total=totals[store], unit="lines") as lines:
            for _ in range(totals[store]):
                lines.advance()

    threads = [threading.Thread(target=sell, args=(store,)) for store in totals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shown = _CONTROL.sub("", written.getvalue())
    assert "store-1 selling" in shown and "700/700 lines" in shown
    assert "store-2 selling" in shown and "1,300/1,300 lines" in shown


def test_a_wait_of_unknown_size_ends_with_what_it_counted() -> None:
    console, written = _terminal()
    board = ProgressBoard(console, enabled=True)
    with board.task("outboxes draining", unit="events") as uploaded:
        uploaded.set(40)
        uploaded.set(631)
    shown = _last_screen(written)
    assert "outboxes draining" in shown and "631 events" in shown


def test_progress_off_writes_nothing_and_still_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(progress.ENV, "0")
    console, written = _terminal()
    board = ProgressBoard(console)  # VECTIS_PROGRESS=0 decides
    with board.task("ingest from 50 edges", total=100, unit="events") as pushed:
        pushed.advance(100)
    assert written.getvalue() == ""
    assert pushed.completed == 100


def test_nothing_is_written_without_a_terminal() -> None:
    written = io.StringIO()
    board = ProgressBoard(Console(file=written, force_terminal=False), enabled=True)
    with board.task("writing offline sales", total=10, unit="sales") as done:
        done.advance(10)
    assert written.getvalue() == ""


def test_no_progress_on_the_command_line_turns_the_bars_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(progress.ENV, "1")
    result = CliRunner().invoke(app, ["--no-progress", "schemas", "--help"])
    assert result.exit_code == 0, result.output
    assert os.environ[progress.ENV] == "0"
    assert not progress.wanted()


async def test_the_catch_up_bar_counts_the_events_uploaded_from_the_edge_file_it_watches(
    tmp_path: Path,
) -> None:
    import sqlite3

    from migrations.runner import upgrade_edge
    from vectis.bench_sync import _drained

    edge_file = tmp_path / "edge.db"
    upgrade_edge(edge_file)  # the edge's own schema: the bench reads its node row
    writer = sqlite3.connect(edge_file, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute(
        "INSERT INTO node (id, store_id, node_id, node_name, store_name, timezone, currency,"
        " credential, enrolled_at, last_seq, acked_seq) VALUES (1, 's', 'n', 'n', 'S',"
        " 'Europe/London', 'GBP', 'c', '2011-01-03T09:00:00+00:00', 3000, 0)"
    )
    watcher = sqlite3.connect(edge_file, isolation_level=None)
    uploaded = progress.Counter()
    assert not await _drained(watcher, uploaded)
    assert (uploaded.completed, uploaded.total) == (0, 3000)
    writer.execute("UPDATE node SET acked_seq = 1800")  # the edge commits an ack
    assert not await _drained(watcher, uploaded)
    assert (uploaded.completed, uploaded.total) == (1800, 3000)
    writer.execute("UPDATE node SET acked_seq = 3000")
    assert await _drained(watcher, uploaded)
    assert (uploaded.completed, uploaded.total) == (3000, 3000)
    watcher.close()
    writer.close()
