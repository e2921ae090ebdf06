"""Reading ESC/POS bytes back in tests: the commands python-escpos writes, and the text between."""

from __future__ import annotations

import socket
import socketserver
import threading

ESC, GS = 0x1B, 0x1D
# Commands python-escpos writes here, by their length after the command byte pair.
THREE_BYTE = {(ESC, ord("E")), (ESC, ord("a")), (ESC, ord("t")), (ESC, ord("d"))}
THREE_BYTE |= {(GS, ord(c)) for c in "hwfHV"}
CODEPAGES = {0: "cp437"}


def decode(data: bytes) -> tuple[list[tuple[str, bytes]], str, str]:
    """Split ESC/POS `data` into commands; returns (commands, the text between them, bold text)."""
    commands: list[tuple[str, bytes]] = []
    text: list[str] = []
    bold_text: list[str] = []
    bold = False
    codepage = "cp437"
    index = 0
    while index < len(data):
        byte = data[index]
        if byte in (ESC, GS):
            pair = (byte, data[index + 1])
            if pair == (ESC, ord("@")):
                commands.append(("init", b""))
                index += 2
            elif pair == (GS, ord("k")):
                kind, length = data[index + 2], data[index + 3]
                commands.append((f"barcode:{kind}", data[index + 4 : index + 4 + length]))
                index += 4 + length
            elif pair in THREE_BYTE:
                argument = data[index + 2]
                name = {ESC: "ESC ", GS: "GS "}[byte] + chr(pair[1])
                commands.append((name, bytes([argument])))
                if pair == (ESC, ord("E")):
                    bold = argument == 1
                if pair == (ESC, ord("t")):
                    codepage = CODEPAGES[argument]
                index += 3
            else:
                raise AssertionError(f"unknown command {data[index : index + 3]!r}")
        else:
            char = bytes([byte]).decode(codepage)
            text.append(char)
            if bold:
                bold_text.append(char)
            index += 1
    return commands, "".join(text), "".join(bold_text)


class PrinterListener:
    """A network receipt printer on 127.0.0.1: a TCP server on a free port that keeps the bytes
    of each connection (one receipt each). Use as a context manager."""

    def __init__(self) -> None:
        received: list[bytes] = []
        arrived = threading.Semaphore(0)

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                chunks = []
                while chunk := self.request.recv(65536):
                    chunks.append(chunk)
                received.append(b"".join(chunks))
                arrived.release()

        self.received = received
        self._taken = 0
        self._arrived = arrived
        self._server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        port: int = self._server.server_address[1]
        return port

    def next_receipt(self) -> bytes:
        """The bytes of the next receipt printed (waits for the till to close the connection)."""
        assert self._arrived.acquire(timeout=10), "nothing printed"
        self._taken += 1
        return self.received[self._taken - 1]

    def __enter__(self) -> PrinterListener:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (a printer that is off: refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
