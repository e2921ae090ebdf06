"""A TCP proxy between an edge node and the hub that tests use to cut the store's line."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from typing import Any, Protocol

logger = logging.getLogger(__name__)

_READ_SIZE_BYTES = 64 * 1024
_LISTEN_BACKLOG = 128
# l_onoff=1, l_linger=0: close() then sends RST instead of FIN, which is what a cut line looks like.
_LINGER_RESET = struct.pack("ii", 1, 0)


class Direction(StrEnum):
    """Which way a chunk travels: `UP` from the client to the upstream, `DOWN` back."""

    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Chunk:
    """One read from one side of a proxied connection.

    `index` counts the chunks read in this direction on this connection, from 0.
    """

    connection_id: int
    direction: Direction
    index: int
    data: bytes


class AbortConnection(Exception):
    """Raised by a fault policy to reset both sides of the connection carrying the chunk."""


# A piece a policy may return last: the pieces before it are written, then the connection is
# reset (a response cut in the middle).
RESET = b"\x00vectis-proxy-reset\x00"


class FaultPolicy(Protocol):
    """Decides what happens to every chunk the proxy forwards."""

    async def on_chunk(self, chunk: Chunk) -> Sequence[bytes]:
        """Return the pieces to forward, in order; an empty sequence drops the chunk.

        The connection's pump waits for the call, so sleeping here delays this direction of
        this connection only. Raise `AbortConnection` to reset the connection.
        """
        ...


class NoFaults:
    """The default policy: forward every chunk unchanged."""

    async def on_chunk(self, chunk: Chunk) -> Sequence[bytes]:
        """Return the chunk's bytes as they are."""
        return (chunk.data,)


def _reset(transport: asyncio.WriteTransport) -> None:
    """Abort a transport so that its peer sees a reset rather than an orderly close."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # An already closed socket has no options to set; aborting it is still harmless.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
    transport.abort()


def _bind(family: socket.AddressFamily, address: tuple[Any, ...]) -> socket.socket:
    """A TCP socket bound to `address` and not yet listening. Raises OSError if taken."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


@dataclass(eq=False)
class _Connection:
    """The state of one client connection and its upstream counterpart."""

    connection_id: int
    client_reader: asyncio.StreamReader
    client_writer: asyncio.StreamWriter
    upstream_reader: asyncio.StreamReader | None = None
    upstream_writer: asyncio.StreamWriter | None = None
    task: asyncio.Task[None] | None = None
    forwarded_up: bool = False

    def reset(self) -> None:
        """Reset both sides (the line was cut)."""
        _reset(self.client_writer.transport)
        if self.upstream_writer is not None:
            _reset(self.upstream_writer.transport)

    def drop_response(self) -> None:
        """Reset the client side and close the upstream side, which has done its work."""
        _reset(self.client_writer.transport)
        if self.upstream_writer is not None:
            self.upstream_writer.transport.close()

    def close(self) -> None:
        """Close both sides in an orderly way; a no-op on sides already reset."""
        self.client_writer.transport.close()
        if self.upstream_writer is not None:
            self.upstream_writer.transport.close()


class FaultProxy:
    """An asyncio TCP proxy in front of one upstream, with a switch for the link.

    Counters, read them freely: `connections_total` (accepted client connections),
    `connections_forwarded` (connections that sent at least one byte upstream), `bytes_up` and
    `bytes_down` (bytes written towards the upstream and towards the client; dropped bytes are not
    counted), `responses_dropped` (see `drop_responses`).
    """

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
        name: str = "proxy",
        policy: FaultPolicy | None = None,
    ) -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.listen_host = listen_host
        self.name = name
        self.policy: FaultPolicy = policy if policy is not None else NoFaults()

        self.connections_total = 0
        self.connections_forwarded = 0
        self.bytes_up = 0
        self.bytes_down = 0
        self.responses_dropped = 0

        self._requested_port = listen_port
        self._family = socket.AF_INET
        self._address: tuple[Any, ...] = ()  # as getsockname() gives it, with the real port
        self._port: int | None = None
        self._server: asyncio.Server | None = None
        # While offline this socket stays bound but does not listen: the port stays ours and
        # connection attempts are refused.
        self._reserved_socket: socket.socket | None = None
        self._online = False
        self._generation = 0
        self._next_connection_id = 0
        self._connections: dict[int, _Connection] = {}
        self._responses_to_drop = 0
        self._changed = asyncio.Event()
        # Serialises start, stop and set_online, which await between their steps.
        self._link_lock = asyncio.Lock()

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        """Whether `start` has run and `stop` has not."""
        return self._port is not None

    @property
    def port(self) -> int:
        """The port the proxy listens on; the same for the proxy's whole life.

        Raises RuntimeError before `start`.
        """
        if self._port is None:
            raise RuntimeError(f"{self.name}: not started")
        return self._port

    @property
    def url(self) -> str:
        """`http://host:port` of the proxy, to configure as the hub URL of an edge node."""
        host = f"[{self.listen_host}]" if ":" in self.listen_host else self.listen_host
        return f"http://{host}:{self.port}"

    @property
    def online(self) -> bool:
        """Whether the link is up: the proxy accepts connections and forwards bytes."""
        return self._online

    @property
    def open_connections(self) -> int:
        """How many client connections are being proxied right now."""
        return len(self._connections)

    async def start(self) -> None:
        """Bind the listening socket and go online. Raises OSError if the port is taken."""
        async with self._link_lock:
            if self.started:
                return
            infos = await asyncio.get_running_loop().getaddrinfo(
                self.listen_host,
                self._requested_port,
                type=socket.SOCK_STREAM,
                flags=socket.AI_PASSIVE,
            )
            family, _, _, _, address = infos[0]
            sock = _bind(family, address)
            self._family = family
            self._address = sock.getsockname()
            self._port = int(self._address[1])
            self._reserved_socket = sock
            await self._listen()
        logger.debug(
            "%s: listening on port %d for %s:%d",
            self.name,
            self._port,
            self.upstream_host,
            self.upstream_port,
        )

    async def stop(self) -> None:
        """Reset every open connection, close the port and wait for all tasks to finish."""
        async with self._link_lock:
            if not self.started:
                return
            await self._cut(reserve_port=False)
            if self._reserved_socket is not None:
                self._reserved_socket.close()
                self._reserved_socket = None
            self._port = None
            self._notify()

    async def __aenter__(self) -> FaultProxy:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- link control and faults -----------------------------------------------------------------

    async def set_online(self, online: bool) -> None:
        """Bring the link up or cut it; calling it with the current state does nothing.

        Cutting closes the listening socket (new connections are refused) and resets every open
        connection on both sides. Bringing it back listens again on the same port.
        Raises RuntimeError before `start`; OSError if the port was taken meanwhile.
        """
        async with self._link_lock:
            if not self.started:
                raise RuntimeError(f"{self.name}: not started")
            if online == self._online:
                return
            if online:
                await self._listen()
            else:
                await self._cut(reserve_port=True)
            logger.debug("%s: %s", self.name, "online" if online else "offline")

    def drop_responses(self, count: int) -> None:
        """Lose the response of the next `count` connections that get bytes from the upstream.

        On such a connection the first upstream bytes are discarded, the client side is reset and
        the upstream side is closed: the upstream processed the request, the client never hears
        back. Adds to any drops still pending. Raises ValueError if `count` is negative.
        """
        if count < 0:
            raise ValueError(f"count must not be negative, got {count}")
        self._responses_to_drop += count

    @property
    def responses_to_drop(self) -> int:
        """How many of the drops asked for by `drop_responses` have not happened yet."""
        return self._responses_to_drop

    # -- waiting, for tests ----------------------------------------------------------------------

    async def wait_for_upstream_bytes(self, n_connections: int, timeout_s: float) -> None:
        """Wait until `n_connections` connections in total have forwarded bytes upstream.

        The count is cumulative since the proxy was made (`connections_forwarded`), so to wait for
        the next request pass `proxy.connections_forwarded + 1` taken before sending it.
        Raises TimeoutError after `timeout_s` seconds.
        """
        await self.wait_until(lambda: self.connections_forwarded >= n_connections, timeout_s)

    async def wait_until(self, predicate: Callable[[], bool], timeout_s: float) -> None:
        """Wait until `predicate()` is true, checking it whenever a counter or connection changes.

        Raises TimeoutError after `timeout_s` seconds.
        """
        async with asyncio.timeout(timeout_s):
            while not predicate():
                await self._changed.wait()

    # -- internals -------------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _listen(self) -> None:
        sock, self._reserved_socket = self._reserved_socket, None
        if sock is None:
            sock = _bind(self._family, self._address)
        self._generation += 1
        accept = functools.partial(self._accept, self._generation)
        try:
            self._server = await asyncio.start_server(accept, sock=sock, backlog=_LISTEN_BACKLOG)
        except BaseException:
            sock.close()
            raise
        self._online = True
        self._notify()

    async def _cut(self, *, reserve_port: bool) -> None:
        """Stop listening, reset every connection and wait until their tasks are done."""
        server, self._server = self._server, None
        self._online = False
        self._generation += 1
        if server is not None:
            server.close()
        if reserve_port:
            # Bound but not listening: connection attempts are refused, and nothing else can take
            # the port before we listen on it again.
            try:
                self._reserved_socket = _bind(self._family, self._address)
            except OSError as error:
                # Not fatal: going online binds again, and fails only if the port is taken by then.
                logger.warning("%s: could not hold port %d: %s", self.name, self._port, error)
        connections = list(self._connections.values())
        self._connections.clear()
        tasks = [connection.task for connection in connections if connection.task is not None]
        for connection in connections:
            connection.reset()
        # A policy may be sleeping in a pump; the reset alone would not wake it.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if server is not None:
            await server.wait_closed()
        self._notify()

    def _accept(
        self, generation: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        # A connection accepted just before the line was cut is reported after it; cut it too.
        if generation != self._generation or not self._online:
            _reset(writer.transport)
            return
        self._next_connection_id += 1
        connection = _Connection(self._next_connection_id, reader, writer)
        self.connections_total += 1
        self._connections[connection.connection_id] = connection
        connection.task = asyncio.get_running_loop().create_task(
            self._serve(connection), name=f"{self.name}-connection-{connection.connection_id}"
        )
        self._notify()

    async def _serve(self, connection: _Connection) -> None:
        try:
            try:
                reader, writer = await asyncio.open_connection(
                    self.upstream_host, self.upstream_port
                )
            except OSError as error:
                # The hub is down but the line is up: the store sees its connection reset.
                logger.debug("%s: upstream unreachable: %s", self.name, error)
                connection.reset()
                return
            connection.upstream_reader = reader
            connection.upstream_writer = writer
            prefix = f"{self.name}-connection-{connection.connection_id}"
            async with asyncio.TaskGroup() as pumps:
                pumps.create_task(self._pump(connection, Direction.UP), name=f"{prefix}-up")
                pumps.create_task(self._pump(connection, Direction.DOWN), name=f"{prefix}-down")
        finally:
            connection.close()
            self._connections.pop(connection.connection_id, None)
            self._notify()

    async def _pump(self, connection: _Connection, direction: Direction) -> None:
        """Copy one direction of a connection through the fault pipeline until EOF or a reset."""
        assert connection.upstream_reader is not None and connection.upstream_writer is not None
        if direction is Direction.UP:
            reader, writer = connection.client_reader, connection.upstream_writer
        else:
            reader, writer = connection.upstream_reader, connection.client_writer
        index = 0
        try:
            while True:
                data = await reader.read(_READ_SIZE_BYTES)
                if not data:
                    # Pass a half-close on, as TCP would; a reset side ignores it.
                    if writer.can_write_eof() and not writer.transport.is_closing():
                        writer.write_eof()
                    return
                chunk = Chunk(connection.connection_id, direction, index, data)
                index += 1
                if self._take_response_drop(chunk):
                    connection.drop_response()
                    return
                pieces = await self.policy.on_chunk(chunk)
                for piece in pieces:
                    if piece is RESET:
                        await writer.drain()
                        raise AbortConnection
                    writer.write(piece)
                    self._count_forwarded(connection, direction, len(piece))
                await writer.drain()
        except AbortConnection:
            logger.debug("%s: policy reset connection %d", self.name, connection.connection_id)
            connection.reset()
        except OSError as error:
            logger.debug(
                "%s: connection %d %s: %s", self.name, connection.connection_id, direction, error
            )
            connection.reset()
        except Exception:
            logger.exception("%s: connection %d failed", self.name, connection.connection_id)
            connection.reset()

    def _take_response_drop(self, chunk: Chunk) -> bool:
        if chunk.direction is not Direction.DOWN or chunk.index != 0:
            return False
        if self._responses_to_drop == 0:
            return False
        self._responses_to_drop -= 1
        self.responses_dropped += 1
        logger.debug("%s: dropped the response on connection %d", self.name, chunk.connection_id)
        self._notify()
        return True

    def _count_forwarded(self, connection: _Connection, direction: Direction, size: int) -> None:
        if direction is Direction.UP:
            self.bytes_up += size
            if not connection.forwarded_up and size > 0:
                connection.forwarded_up = True
                self.connections_forwarded += 1
        else:
            self.bytes_down += size
        self._notify()
