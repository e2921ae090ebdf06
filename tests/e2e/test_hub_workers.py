"""The hub in several worker processes (`vectis hub serve --workers N`), as an operator runs it:
each worker accepts on a socket of its own, so kept-alive connections from many edges are
spread over the workers; a worker that dies is replaced; a second hub started on the port by
mistake refuses to start instead of sharing the first one's connections; SIGTERM stops all."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil

from vectis.replay.stack import Stack

CONNECTIONS = 40


def _workers(supervisor: int) -> list[psutil.Process]:
    """The hub's live worker processes: the supervisor's children that are not
    multiprocessing's resource tracker (nor a killed worker not yet reaped)."""
    workers = []
    for child in psutil.Process(supervisor).children():
        try:
            if "resource_tracker" not in " ".join(child.cmdline()):
                workers.append(child)
        except psutil.ZombieProcess:
            continue
    return workers


def _established(process: psutil.Process, port: int) -> int:
    return sum(
        1
        for connection in process.net_connections(kind="tcp")
        if connection.status == psutil.CONN_ESTABLISHED and connection.laddr.port == port
    )


def _kept_alive(port: int) -> list[socket.socket]:
    """CONNECTIONS kept-alive connections, each having had one answer."""
    held = []
    for _ in range(CONNECTIONS):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: hub\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        held.append(sock)
    return held


async def _until(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("not within the time")


async def test_connections_spread_over_workers_a_dead_worker_is_replaced_and_sigterm_stops_all(
    tmp_path: Path,
) -> None:
    stack = Stack(tmp_path)
    try:
        await stack.start_hub("postgres", durable_postgres=False, workers=2)
        assert stack.hub_process is not None and stack.hub_process.pid is not None
        supervisor = stack.hub_process.pid
        port = int(stack.hub_url.rsplit(":", 1)[1])
        workers = _workers(supervisor)
        assert len(workers) == 2

        held = _kept_alive(port)
        try:
            shares = [_established(worker, port) for worker in workers]
            assert sum(shares) == CONNECTIONS
            # Spread by a hash of the addresses: 20 each on average; fewer than 8 on one
            # worker has a chance of about 1 in 100,000.
            assert min(shares) >= 8, shares
        finally:
            for sock in held:
                sock.close()

        # A second hub on the same port refuses to start, before any worker.
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "vectis",
                "hub",
                "serve",
                "--port",
                str(port),
                "--database-url",
                stack.hub_database,
                "--workers",
                "2",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "VECTIS_HUB_ADMIN_TOKEN": "another-hub-s-token-000000000000"},
        )
        assert second.returncode != 0
        assert "Address already in use" in second.stdout + second.stderr
        assert len(_workers(supervisor)) == 2

        # A worker killed is replaced, and the hub answers throughout.
        killed = workers[0].pid
        os.kill(killed, signal.SIGKILL)
        await _until(
            lambda: (
                killed not in [worker.pid for worker in _workers(supervisor)]
                and len(_workers(supervisor)) == 2
            ),
            60,
        )
        async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
            for _ in range(10):
                assert (await client.get(f"{stack.hub_url}/health")).status_code == 200

        survivors = _workers(supervisor)
        os.kill(supervisor, signal.SIGTERM)
        gone, alive = psutil.wait_procs([psutil.Process(supervisor), *survivors], timeout=30)
        assert not alive
    finally:
        await stack.aclose()
