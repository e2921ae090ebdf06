"""The fault proxy: bytes flow, the line can be cut and restored, responses can be lost."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import httpx
import pytest

from vectis.proxy import Chunk, Direction, FaultProxy

pytestmark = pytest.mark.timeout(5)

_SLOW_CHUNK_COUNT = 100
_SLOW_CHUNK_INTERVAL_S = 0.02


@dataclass
class Upstream:
    """A minimal HTTP/1.1 server: `/echo` returns the request body, `/slow` streams for 2 s."""

    requests: list[tuple[str, str, bytes]] = field(default_factory=list)
    endings: list[str] = field(default_factory=list)  # "eof" or "reset", one per connection
    server: asyncio.Server | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.server.wait_closed()

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.get_running_loop().create_task(self._serve(reader, writer))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                method, path, _ = request_line.split(" ")
                headers = dict(line.lower().split(": ", 1) for line in header_lines if ": " in line)
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append((method, path, body))
                if path == "/slow":
                    await self._stream_slowly(writer)
                else:
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
                    )
                    await writer.drain()
        except asyncio.IncompleteReadError:
            self.endings.append("eof")
        except ConnectionError:
            self.endings.append("reset")
        finally:
            writer.transport.abort()

    async def _stream_slowly(self, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(_SLOW_CHUNK_COUNT):
            writer.write(b"5\r\ntick\n\r\n")
            await writer.drain()
            await asyncio.sleep(_SLOW_CHUNK_INTERVAL_S)
        writer.write(b"0\r\n\r\n")
        await writer.drain()


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    server = Upstream()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def proxy(upstream: Upstream) -> AsyncIterator[FaultProxy]:
    async with FaultProxy("127.0.0.1", upstream.port, name="test-proxy") as running:
        yield running


@pytest.fixture
async def client(proxy: FaultProxy) -> AsyncIterator[httpx.AsyncClient]:
    # trust_env=False: an HTTP_PROXY in the environment must not sit between us and the proxy.
    async with httpx.AsyncClient(base_url=proxy.url, trust_env=False, timeout=2.0) as http:
        yield http


async def test_bytes_flow_both_ways(
    proxy: FaultProxy, upstream: Upstream, client: httpx.AsyncClient
) -> None:
    body = bytes(range(256)) * 1000

    response = await client.post("/echo", content=body)

    assert response.status_code == 200
    assert response.content == body
    assert upstream.requests == [("POST", "/echo", body)]
    assert proxy.connections_total == 1
    assert proxy.connections_forwarded == 1
    assert proxy.bytes_up > len(body)
    assert proxy.bytes_down > len(body)


async def test_offline_refuses_new_connections(
    proxy: FaultProxy, client: httpx.AsyncClient
) -> None:
    await proxy.set_online(False)

    assert not proxy.online
    with pytest.raises(httpx.ConnectError):
        await client.get("/echo")
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", proxy.port)


async def test_offline_cuts_a_response_in_flight(
    proxy: FaultProxy, upstream: Upstream, client: httpx.AsyncClient
) -> None:
    received = b""
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        async with client.stream("GET", "/slow") as response:
            async for data in response.aiter_bytes():
                received += data
                await proxy.set_online(False)

    assert received.startswith(b"tick")
    assert len(received) < 5 * _SLOW_CHUNK_COUNT
    assert proxy.open_connections == 0
    # The upstream side was reset too: the slow handler stops long before its 2 s are up.
    if upstream.tasks:
        _, still_streaming = await asyncio.wait(set(upstream.tasks), timeout=0.5)
        assert not still_streaming


async def test_offline_resets_idle_connections_on_both_sides(
    proxy: FaultProxy, upstream: Upstream
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    writer.write(b"POST /echo HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi")
    await reader.readuntil(b"hi")

    await proxy.set_online(False)

    with pytest.raises(ConnectionResetError):
        await reader.read(1)
    writer.close()
    if upstream.tasks:
        await asyncio.wait(set(upstream.tasks), timeout=0.5)
    assert upstream.endings == ["reset"]


async def test_back_online_listens_on_the_same_port(
    proxy: FaultProxy, client: httpx.AsyncClient
) -> None:
    port = proxy.port
    assert (await client.post("/echo", content=b"before")).content == b"before"

    await proxy.set_online(False)
    await proxy.set_online(False)
    await proxy.set_online(True)
    await proxy.set_online(True)

    assert proxy.online
    assert proxy.port == port
    assert (await client.post("/echo", content=b"after")).content == b"after"


async def test_offline_port_stays_reserved(proxy: FaultProxy) -> None:
    await proxy.set_online(False)

    with socket.socket() as other, pytest.raises(OSError):
        other.bind(("127.0.0.1", proxy.port))


async def test_dropped_response_reaches_upstream_but_not_the_client(
    proxy: FaultProxy, upstream: Upstream, client: httpx.AsyncClient
) -> None:
    proxy.drop_responses(1)

    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        await client.post("/echo", content=b"sale-1")

    assert upstream.requests == [("POST", "/echo", b"sale-1")]
    assert proxy.responses_dropped == 1
    assert proxy.responses_to_drop == 0
    assert proxy.bytes_down == 0
    response = await client.post("/echo", content=b"sale-1")
    assert response.content == b"sale-1"
    assert len(upstream.requests) == 2


async def test_wait_for_upstream_bytes(proxy: FaultProxy, upstream: Upstream) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    try:
        writer.write(b"POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")

        await proxy.wait_for_upstream_bytes(1, timeout_s=1.0)
        with pytest.raises(TimeoutError):
            await proxy.wait_for_upstream_bytes(2, timeout_s=0.05)

        assert await reader.readuntil(b"abc")
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_upstream_down_resets_the_client(upstream: Upstream) -> None:
    async with FaultProxy("127.0.0.1", upstream.port) as proxy:
        await upstream.stop()
        async with httpx.AsyncClient(base_url=proxy.url, trust_env=False) as http:
            with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
                await http.get("/echo")
        await upstream.start()


async def test_policy_sees_every_chunk(proxy: FaultProxy, client: httpx.AsyncClient) -> None:
    class Recording:
        def __init__(self) -> None:
            self.directions: list[Direction] = []

        async def on_chunk(self, chunk: Chunk) -> Sequence[bytes]:
            self.directions.append(chunk.direction)
            return (chunk.data,)

    policy = Recording()
    proxy.policy = policy

    await client.post("/echo", content=b"x")

    assert Direction.UP in policy.directions
    assert Direction.DOWN in policy.directions


async def test_stop_leaves_no_tasks_behind(upstream: Upstream) -> None:
    proxy = FaultProxy("127.0.0.1", upstream.port, name="leak-check")
    await proxy.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    writer.write(b"GET /slow HTTP/1.1\r\n\r\n")
    await reader.readuntil(b"tick")

    await proxy.stop()
    await proxy.stop()

    leftovers = [t for t in asyncio.all_tasks() if t.get_name().startswith("leak-check")]
    assert leftovers == []
    with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
        await reader.readuntil(b"never")
    writer.close()
