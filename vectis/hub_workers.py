"""The hub's worker processes, each accepting on its own socket of one port (SO_REUSEPORT).

With one shared listening socket (uvicorn's `--workers`), whichever worker wakes first takes a
whole burst of new connections, and an edge's connection is kept alive for its life: measured
in `vectis bench sync`'s 50-edge ingest, one worker's event loop was busy 75 % of the time and
the other's 43 %, and the busier one set the pace. With a socket per worker and
SO_REUSEPORT, Linux spreads new connections over the sockets by a hash of their addresses, so
each worker gets its share whatever its loop is doing (socket(7); the scheme nginx's
`reuseport` and HAProxy use).

The supervisor (the calling process) starts the workers, starts another in place of one that
dies, and on SIGTERM or SIGINT asks each to stop (uvicorn finishes the requests under way, up
to its graceful timeout), then kills what is left.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from multiprocessing.context import SpawnProcess

import uvicorn

APP = "hub.api.asgi:create_app_from_environment"
_GRACE_S = 5.0
_spawn = multiprocessing.get_context("spawn")
logger = logging.getLogger("vectis.hub")


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on `host`:`port` with SO_REUSEPORT set, so each worker can bind
    one of its own. Raises OSError when the address is taken by a socket without it."""
    return _bound(host, port, reuse_port=True, listen=True)


def _bound(host: str, port: int, *, reuse_port: bool, listen: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        if listen:
            sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def serve_workers(host: str, port: int, workers: int) -> None:
    """Serve the hub (settings from the `VECTIS_HUB_*` environment, database migrated) in
    `workers` processes, until SIGTERM or SIGINT. A worker that exits is replaced, unless it
    exits before it serves (then the others are stopped: a broken setting breaks all).
    Raises OSError, before starting any, when the address is taken by any socket, even one
    with SO_REUSEPORT: a second hub started on the port by mistake must not share its
    connections with this one."""
    _bound(host, port, reuse_port=False, listen=False).close()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    processes = [_start(host, port) for _ in range(workers)]
    try:
        while not stop.wait(0.5):
            for index, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == uvicorn.config.STARTUP_FAILURE:
                    logger.error("hub worker %s failed to start: stopping", process.pid)
                    stop.set()
                    break
                logger.warning(
                    "hub worker %s exited (%s): starting another", process.pid, process.exitcode
                )
                processes[index] = _start(host, port)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(_GRACE_S + 5)
            if process.is_alive():
                process.kill()
                process.join()


def _start(host: str, port: int) -> SpawnProcess:
    process = _spawn.Process(target=_worker, args=(host, port), daemon=False)
    process.start()
    return process


def _worker(host: str, port: int) -> None:
    """One worker: its own socket, one uvicorn server on it (SIGTERM stops it gracefully)."""
    config = uvicorn.Config(
        APP,
        factory=True,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=int(_GRACE_S),
    )
    try:
        sock = reuse_port_socket(host, port)
    except OSError as error:
        logger.error("hub worker cannot listen on %s:%d: %s", host, port, error)
        sys.exit(uvicorn.config.STARTUP_FAILURE)
    uvicorn.Server(config).run(sockets=[sock])
