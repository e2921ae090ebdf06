"""A replay stack never drives a server it did not start: when the port it picked for its hub
is taken by another server between the look and the bind (two demos started at once), it stops
with a clear error instead of sending its HQ calls, and later its sales, to the other one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vectis.ops.errors import ProcessFailed
from vectis.replay.stack import Stack


class _OtherHub(BaseHTTPRequestHandler):
    """Another hub: healthy, and refusing every secret but its own."""

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        status = 200 if self.path == "/health" else 401
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def other_hub() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OtherHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


async def test_a_hub_port_taken_by_another_server_is_a_clear_error(
    tmp_path: Path, other_hub: int
) -> None:
    stack = Stack(tmp_path)
    try:
        with pytest.raises(ProcessFailed, match="another server answers on"):
            await stack.start_hub("sqlite", port=other_hub)
    finally:
        await stack.aclose()
