"""A till's blocking HTTP/1.1 connection to its edge: one request at a time over one kept-alive
socket, the answer parsed by httptools (llhttp, the parser uvicorn serves the edge with).

The replay's tills share the machine's two cores with every process they drive, so what a
request costs the driver is time taken from the edges. The standard library's `http.client`
parses each answer's head with the `email` package; measured on this machine against a
bare uvicorn app on loopback, a request of a scanned line cost its thread 136-169 us there
and 50-67 us here (docs/operations.md).

What it speaks is what the edge answers with: a status line, headers, and a body sized by
Content-Length or sent chunked. Anything else (a closed socket before the answer's end, bytes
that are not HTTP) raises `ConnectionFailed`, and the connection is not used again.
"""

from __future__ import annotations

import socket

import httptools


class ConnectionFailed(ConnectionError):
    """The answer could not be read whole: the edge closed the connection, or sent bytes
    that are not an HTTP/1.1 response. Nothing tells whether the request was applied, so a
    caller retries it only where the edge makes a retry safe (ids, idempotency keys)."""


class _Answer:
    """httptools' callbacks, collecting one response. Whether the connection stays open is
    read when the head is complete: once the message is, the parser has reset for the next
    one and says False."""

    __slots__ = ("body", "complete", "keep_alive", "parser")

    def __init__(self) -> None:
        self.body: list[bytes] = []
        self.complete = False
        self.keep_alive = False
        self.parser = httptools.HttpResponseParser(self)

    def on_headers_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.complete = True


class Http1Connection:
    """One kept-alive connection to `host:port`, opened on the first request and again after
    a failure or an answer that closes it. Not thread-safe: one till, one thread."""

    def __init__(self, host: str, port: int, *, timeout_s: float) -> None:
        self.host = host
        self.port = port
        self.timeout_s = timeout_s
        self._host_header = f"Host: {host}:{port}\r\n"
        self._socket: socket.socket | None = None

    def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """Send one request and read its whole answer: (status, body bytes).

        `headers` must not hold Host or Content-Length (set here; a body-less POST, PUT,
        PATCH or DELETE sends Content-Length: 0, as `http.client` does). Not for HEAD, whose
        answer's length announces a body that never comes. Raises ConnectionFailed,
        TimeoutError (no byte for `timeout_s`), OSError."""
        sock = self._socket
        if sock is None:
            sock = self._socket = socket.create_connection((self.host, self.port), self.timeout_s)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        head = [f"{method} {path} HTTP/1.1\r\n", self._host_header]
        head.extend(f"{name}: {value}\r\n" for name, value in headers.items())
        if body is not None or method != "GET":
            head.append(f"Content-Length: {len(body) if body is not None else 0}\r\n")
        head.append("\r\n")
        message = "".join(head).encode("latin-1")
        try:
            sock.sendall(message + body if body is not None else message)
            return self._read_answer(sock)
        except BaseException:
            self.close()
            raise

    def _read_answer(self, sock: socket.socket) -> tuple[int, bytes]:
        answer = _Answer()
        parser = answer.parser
        while not answer.complete:
            data = sock.recv(65536)
            if not data:
                raise ConnectionFailed(f"{self.host}:{self.port} closed before the answer's end")
            try:
                parser.feed_data(data)
            except httptools.HttpParserError as error:
                raise ConnectionFailed(f"{self.host}:{self.port}: {error}") from None
        if not answer.keep_alive:
            self.close()
        return parser.get_status_code(), b"".join(answer.body)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
