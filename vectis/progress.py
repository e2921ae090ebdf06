"""Progress bars of long replays and benchmarks, drawn on stderr while the work runs.

A long step opens a task (`with task("writing offline sales", total=10_000, unit="sales") as
done:`) and bumps the counter it gets (`done.advance()`): a plain integer written by the one
thread doing the work, with no lock. The display reads every open counter when it redraws,
REFRESH_PER_S times a second on rich's own thread, so counting costs the work nothing
measurable. A task shows its description, a bar, done/total with its unit, the rate, the
time elapsed and the time left; a task with no total (a wait whose size is not known) shows a
spinner, the count if any, and the time elapsed.

Bars are drawn only when stderr is a terminal (not a dumb one): in CI, under pytest or piped,
nothing at all is written, and stdout (figures, `--json`) is never touched. `VECTIS_PROGRESS=0`
(or `vectis --no-progress ...`) turns them off on a terminal too. A finished task's line stays
on the screen with its count and elapsed time.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

ENV = "VECTIS_PROGRESS"
# Redraws a second: enough to see a rate move, few enough that a benchmark sharing two cores
# does not pay for them.
REFRESH_PER_S = 4


def wanted() -> bool:
    """False when VECTIS_PROGRESS is 0, false, no or off (any case); True otherwise."""
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")


class Counter:
    """How much of a task is done (`completed`, of `total`, None when not known).

    Written by one thread (the one doing the work): `advance` is a plain addition, read by
    the display when it redraws.
    """

    __slots__ = ("completed", "total")

    def __init__(self, total: int | None = None) -> None:
        self.completed = 0
        self.total = total

    def advance(self, amount: int = 1) -> None:
        """`amount` more done."""
        self.completed += amount

    def set(self, completed: int, total: int | None = None) -> None:
        """`completed` done in all (a polled figure, such as an outbox's acknowledged events);
        `total`, when given, replaces the total."""
        self.completed = completed
        if total is not None:
            self.total = total


class _CountColumn(ProgressColumn):
    """ "1,234/10,000 sales", or "1,234 sales" with no total."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        done = f"{int(task.completed):,}"
        if task.fields.get("waited"):  # a spinner's task, over: what it counted, if anything
            return Text(f"{done} {unit}".rstrip() if task.fields["waited"] == "counted" else "")
        if task.total is not None:
            done += f"/{int(task.total):,}"
        elif not task.completed:
            return Text("")
        return Text(f"{done} {unit}".rstrip(), style="progress.download")


class _RateColumn(ProgressColumn):
    """ "1,234 sales/s" over rich's recent samples; blank until there are some."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if not speed:
            return Text("")
        unit = task.fields.get("unit", "") or "items"
        return Text(f"{speed:,.0f} {unit}/s", style="progress.data.speed")


class _RemainingColumn(TimeRemainingColumn):
    """Time left, blank for a task with no total and once a task is done."""

    def render(self, task: Task) -> Text:
        if task.total is None or task.finished:
            return Text("")
        return super().render(task)


class _Progress(Progress):
    """rich's Progress reading the open counters at each redraw."""

    def __init__(self, console: Console) -> None:
        self.counters: dict[TaskID, Counter] = {}  # before rich's Live renders a first time
        super().__init__(
            SpinnerColumn(finished_text="[progress.spinner]✓"),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            _CountColumn(),
            _RateColumn(),
            TimeElapsedColumn(),
            _RemainingColumn(),
            console=console,
            refresh_per_second=REFRESH_PER_S,
            # What is printed to stdout meanwhile goes above the bars when both are the same
            # terminal; stdout redirected to a file is left alone.
            redirect_stdout=sys.stdout.isatty(),
            redirect_stderr=True,
        )

    def sync(self, task_id: TaskID, counter: Counter) -> None:
        self.update(task_id, completed=counter.completed, total=counter.total)

    def get_renderables(self) -> Iterable[RenderableType]:
        for task_id, counter in list(self.counters.items()):
            self.sync(task_id, counter)
        yield from super().get_renderables()


class ProgressBoard:
    """The bars of the tasks open at a time, on one console (stderr by default).

    `enabled`: None decides from VECTIS_PROGRESS; either way nothing is drawn unless the
    console is a terminal. Tasks may open and close from any thread, and overlap (a replay's
    stores each have one); the display starts with the first and stops with the last.
    """

    def __init__(self, console: Console | None = None, *, enabled: bool | None = None) -> None:
        self.console = console or Console(stderr=True)
        wished = wanted() if enabled is None else enabled
        self.enabled = wished and self.console.is_terminal and not self.console.is_dumb_terminal
        self._lock = threading.Lock()
        self._progress: _Progress | None = None

    @contextmanager
    def task(
        self, description: str, *, total: int | None = None, unit: str = ""
    ) -> Iterator[Counter]:
        """A task shown while the block runs; yields its Counter (`unit`: "lines", "sales",
        "events", "SKUs"...; `total` None: a spinner)."""
        counter = Counter(total)
        if not self.enabled:
            yield counter
            return
        with self._lock:
            if self._progress is None:
                self._progress = self._start()
            progress = self._progress
            task_id = progress.add_task(description, total=total, unit=unit)
            progress.counters[task_id] = counter
        try:
            yield counter
        finally:
            with self._lock:
                del progress.counters[task_id]
                progress.sync(task_id, counter)
                if counter.total is None:  # a wait is over: a full bar and a tick
                    final = max(counter.completed, 1)
                    waited = "counted" if counter.completed else "yes"
                    progress.update(task_id, total=final, completed=final, waited=waited)
                progress.stop_task(task_id)  # its elapsed time stops here
                if not progress.counters:
                    progress.stop()
                    self._progress = None

    def _start(self) -> _Progress:
        progress = _Progress(self.console)
        progress.start()
        return progress


_board: ProgressBoard | None = None


def board() -> ProgressBoard:
    """The process's board on stderr, made at first use (VECTIS_PROGRESS read then)."""
    global _board
    if _board is None:
        _board = ProgressBoard()
    return _board


def task(
    description: str, *, total: int | None = None, unit: str = ""
) -> AbstractContextManager[Counter]:
    """`board().task(...)`: a task on the process's board (see ProgressBoard.task)."""
    return board().task(description, total=total, unit=unit)
