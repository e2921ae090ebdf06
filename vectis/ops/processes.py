"""Child processes of the demo, the replay and the tests: a hub or an edge node, each with a log.

`ServiceProcess` starts `python -m vectis ...`, waits for its health check, and can stop it
politely (SIGTERM) or kill it outright (SIGKILL), then start it again on the same port.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

from vectis.ops.errors import ProcessFailed


class ServiceProcess:
    """One service process: `python -m vectis <arguments>`, logging to `log_path`.

    `health_url` must answer 200 once the service is up; a service without one (the hub's
    workflow worker) is waited for by a line of its log (`wait_logged`).
    """

    def __init__(
        self,
        name: str,
        arguments: list[str],
        *,
        health_url: str | None = None,
        log_path: Path,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.arguments = arguments
        self.health_url = health_url
        self.log_path = log_path
        self.environment = environment or {}
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        self.log_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Logs may name nodes and hosts: readable by this user only.
        descriptor = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._log = os.fdopen(descriptor, "ab")
        environment = {**os.environ, **self.environment, "PYTHONUNBUFFERED": "1"}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "vectis", *self.arguments],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=environment,
            start_new_session=True,
        )

    async def wait_healthy(self, timeout_s: float = 60.0) -> None:
        """Poll the health URL until 200. Raises ProcessFailed if it exits or times out."""
        if self.health_url is None:
            raise ProcessFailed(self.name, "has no health URL: wait for a line of its log", "")
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise ProcessFailed(
                        self.name, f"exited with {self.returncode()}", self.log_tail()
                    )
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.get(self.health_url)
                    if response.status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise ProcessFailed(self.name, f"not healthy after {timeout_s:.0f}s", self.log_tail())

    async def wait_logged(self, text: str, timeout_s: float = 60.0) -> None:
        """Wait until `text` appears in the log. Raises ProcessFailed if the process exits or
        the text does not appear in time."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if text in self.log_path.read_text(errors="replace"):
                return
            if not self.alive():
                raise ProcessFailed(self.name, f"exited with {self.returncode()}", self.log_tail())
            await asyncio.sleep(0.1)
        raise ProcessFailed(self.name, f"did not log {text!r} in {timeout_s:.0f}s", self.log_tail())

    def returncode(self) -> int | None:
        return self._process.poll() if self._process else None

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a power cut of the process."""
        if self._process is not None and self.alive():
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=30)
        self._close_log()

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM and wait; SIGKILL if it does not exit in time."""
        if self._process is None:
            return
        if self.alive():
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=30)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
