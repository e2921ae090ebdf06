"""The benchmark clients' HTTP/1.1 (`vectis.http1`): the replay till's blocking connection and
the load generator's asyncio one, against a real socket server on loopback that answers each
request with scripted bytes: kept-alive, chunked, closing, cut-off and garbage answers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from vectis.http1 import ConnectionFailed, Http1Connection
from vectis.loadgen import Connection, post_request


def _answer(status: int, body: bytes, *extra: str) -> bytes:
    head = [f"HTTP/1.1 {status} X", f"content-length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class ScriptedServer:
    """Accepts connections; answers the n-th request (over all connections) with script[n],
    and closes the connection after it when the answer is marked so. Records each request's
    raw head and body, and how many connections were accepted."""

    def __init__(self, script: list[tuple[bytes, bool]]) -> None:
        self.script = script
        self.requests: list[bytes] = []
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while self.script:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            with connection:
                self._serve_connection(connection)

    def _serve_connection(self, connection: socket.socket) -> None:
        buffer = b""
        while self.script:
            while b"\r\n\r\n" not in buffer:
                data = connection.recv(65536)
                if not data:
                    return
                buffer += data
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(buffer) < length:
                buffer += connection.recv(65536)
            self.requests.append(head + b"\r\n\r\n" + buffer[:length])
            buffer = buffer[length:]
            answer, close = self.script.pop(0)
            connection.sendall(answer)
            if close:
                return

    def close(self) -> None:
        self._listener.close()


@contextmanager
def served(script: list[tuple[bytes, bool]]) -> Iterator[tuple[ScriptedServer, Http1Connection]]:
    server = ScriptedServer(script)
    connection = Http1Connection("127.0.0.1", server.port, timeout_s=5)
    try:
        yield server, connection
    finally:
        connection.close()
        server.close()


def test_requests_share_one_kept_alive_connection_and_bodies_arrive_whole() -> None:
    big = b"x" * 200_000  # read in several pieces
    script = [(_answer(201, b'{"a":1}'), False), (_answer(200, big), False)]
    with served(script) as (server, connection):
        assert connection.request("POST", "/v1/carts", b'{"k":2}', {"X-A": "b"}) == (
            201,
            b'{"a":1}',
        )
        assert connection.request("GET", "/v1/status", None, {}) == (200, big)
    assert server.connections == 1
    first, second = server.requests
    assert first.startswith(b"POST /v1/carts HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{server.port}".encode() in first
    assert b"X-A: b\r\nContent-Length: 7\r\n\r\n" in first and first.endswith(b'{"k":2}')
    assert b"Content-Length" not in second  # a GET without a body says nothing of one


def test_a_post_without_a_body_says_its_length_is_zero() -> None:
    with served([(_answer(200, b"{}"), False)]) as (server, connection):
        connection.request("POST", "/v1/carts/c/void", None, {})
    assert b"Content-Length: 0\r\n" in server.requests[0]


def test_a_chunked_answer_is_put_together() -> None:
    chunked = (
        b'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n'
    )
    with served([(chunked, False)]) as (_, connection):
        assert connection.request("GET", "/x", None, {}) == (200, b'{"a":1}')


def test_an_answer_that_closes_the_connection_makes_the_next_request_open_another() -> None:
    script = [
        (_answer(413, b"{}", "connection: close"), True),
        (_answer(200, b"{}"), False),
    ]
    with served(script) as (server, connection):
        assert connection.request("POST", "/x", b"1", {})[0] == 413
        assert connection.request("POST", "/x", b"1", {})[0] == 200
    assert server.connections == 2


@pytest.mark.parametrize(
    "bad",
    [
        _answer(200, b'{"a":1}')[:-3],  # the server closes three bytes short
        b"SMTP ready\r\n\r\n",  # not HTTP at all
    ],
    ids=["cut-off", "garbage"],
)
def test_an_answer_not_read_whole_raises_and_the_next_request_reconnects(bad: bytes) -> None:
    with served([(bad, True), (_answer(200, b"{}"), False)]) as (server, connection):
        with pytest.raises(ConnectionFailed):
            connection.request("GET", "/x", None, {})
        assert connection.request("GET", "/x", None, {}) == (200, b"{}")
    assert server.connections == 2


def test_no_server_listening_is_an_os_error() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    with pytest.raises(OSError):
        Http1Connection("127.0.0.1", port, timeout_s=5).request("GET", "/x", None, {})


async def test_the_load_generator_reads_kept_alive_and_chunked_replies_on_one_connection() -> None:
    chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    server = ScriptedServer([(_answer(200, b'{"acked_seq":5}'), False), (chunked, False)])
    request = post_request("127.0.0.1", server.port, "/v1/sync/push", b'{"e":1}', {"X-A": "b"})
    connection = await Connection.open("127.0.0.1", server.port)
    try:
        first = await connection.send(request)
        second = await connection.send(request)
    finally:
        await connection.close()
        server.close()
    assert (first.status, first.body) == (200, b'{"acked_seq":5}')
    assert (second.status, second.body) == (200, b"{}")
    assert server.connections == 1
    sent = server.requests[0]
    assert sent.startswith(b"POST /v1/sync/push HTTP/1.1\r\n")
    assert b"Content-Type: application/json\r\nX-A: b\r\nContent-Length: 7\r\n\r\n" in sent
    assert sent.endswith(b'{"e":1}')


@pytest.mark.parametrize(
    "bad",
    [_answer(200, b'{"a":1}')[:-3], b"SMTP ready\r\n\r\n"],
    ids=["cut-off", "garbage"],
)
async def test_the_load_generator_raises_on_a_reply_not_read_whole(bad: bytes) -> None:
    server = ScriptedServer([(bad, True)])
    connection = await Connection.open("127.0.0.1", server.port)
    try:
        with pytest.raises(ConnectionFailed):
            await connection.send(post_request("127.0.0.1", server.port, "/x", b"1", {}))
    finally:
        await connection.close()
        server.close()


async def test_the_load_generator_refuses_to_send_after_a_reply_that_closes() -> None:
    server = ScriptedServer([(_answer(503, b"{}", "connection: close"), True)])
    connection = await Connection.open("127.0.0.1", server.port)
    request = post_request("127.0.0.1", server.port, "/x", b"1", {})
    try:
        assert (await connection.send(request)).status == 503
        with pytest.raises(ConnectionFailed, match="closed the connection"):
            await connection.send(request)
    finally:
        await connection.close()
        server.close()
