"""HTTP/1.1 for the project's own benchmark clients: one request writer and one answer reader
(httptools: llhttp, the parser uvicorn serves the edge and the hub with), shared by the
replay's tills (`Http1Connection`, blocking, a thread each) and the hub's load generator
(`vectis.loadgen.Connection`, asyncio).

A benchmark's client shares the machine's two cores with the servers it measures, so what a
request costs the client is time taken from them. The standard library's `http.client`
parses each answer's head with the `email` package, and httpx spends about a millisecond of
CPU a request; measured on this machine against a bare uvicorn app on loopback, a request of a
scanned line cost its thread 136-169 us with `http.client` and 50-67 us here
(docs/operations.md).

What they speak is what our servers answer with: a status line, headers, and a body sized by
Content-Length or sent chunked. Anything else (a closed socket before the answer's end, bytes
that are not HTTP, a body that runs until the connection closes) raises `ConnectionFailed`.
"""

from __future__ import annotations

import socket

import httptools


class ConnectionFailed(ConnectionError):
    """The answer could not be read whole: the server closed the connection, or sent bytes
    that are not an HTTP/1.1 response. Nothing tells whether the request was applied, so a
    caller retries it only where the server makes a retry safe (ids, idempotency keys)."""


def request_bytes(
    method: str, authority: str, path: str, body: bytes | None, headers: dict[str, str]
) -> bytes:
    """The bytes of one request: `method path HTTP/1.1`, `Host: authority` (host:port), then
    `headers` in their order, then Content-Length, then `body`.

    `headers` must not hold Host or Content-Length. A request with a body, or a body-less
    POST, PUT, PATCH or DELETE, says its length (0 for none, as `http.client` does); a GET
    without one says nothing of a body."""
    head = [f"{method} {path} HTTP/1.1\r\nHost: {authority}\r\n"]
    head.extend(f"{name}: {value}\r\n" for name, value in headers.items())
    if body is not None or method != "GET":
        head.append(f"Content-Length: {len(body) if body is not None else 0}\r\n")
    head.append("\r\n")
    message = "".join(head).encode("latin-1")
    return message + body if body is not None else message


class Answer:
    """One response, fed as it arrives (`feed`): its `status`, `body` and whether the server
    keeps the connection open after it (`keep_alive`). Not for the answer to a HEAD, whose
    length announces a body that never comes."""

    __slots__ = ("_parts", "complete", "keep_alive", "_parser")

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.complete = False
        self.keep_alive = False
        self._parser = httptools.HttpResponseParser(self)

    def feed(self, data: bytes, peer: str) -> bool:
        """Take the next bytes read from `peer` (host:port, for errors); whether the answer
        is now complete. Empty `data` (the peer closed) before that raises ConnectionFailed,
        and so do bytes that are not an HTTP/1.1 response."""
        if not data:
            raise ConnectionFailed(f"{peer} closed before the answer's end")
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            raise ConnectionFailed(f"{peer}: {error}") from None
        return self.complete

    @property
    def status(self) -> int:
        return int(self._parser.get_status_code())

    @property
    def body(self) -> bytes:
        return b"".join(self._parts)

    # httptools' callbacks. Whether the connection stays open is read when the head is
    # complete: once the message is, llhttp has reset for the next one and says False.

    def on_headers_complete(self) -> None:
        self.keep_alive = self._parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self._parts.append(body)

    def on_message_complete(self) -> None:
        self.complete = True


class Http1Connection:
    """One blocking kept-alive connection to `host:port`, opened on the first request and again
    after a failure or an answer that closes it. Not thread-safe: one till, one thread."""

    def __init__(self, host: str, port: int, *, timeout_s: float) -> None:
        self.host = host
        self.port = port
        self.timeout_s = timeout_s
        self._authority = f"{host}:{port}"
        self._socket: socket.socket | None = None

    def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """Send one request (`request_bytes`) and read its whole answer: (status, body bytes).
        Raises ConnectionFailed, TimeoutError (no byte for `timeout_s`), OSError; the
        connection is closed after any of them."""
        sock = self._socket
        if sock is None:
            sock = self._socket = socket.create_connection((self.host, self.port), self.timeout_s)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.sendall(request_bytes(method, self._authority, path, body, headers))
            answer = Answer()
            while not answer.feed(sock.recv(65536), self._authority):
                pass
        except BaseException:
            self.close()
            raise
        if not answer.keep_alive:
            self.close()
        return answer.status, answer.body

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
