"""Where a till's receipts go: a file (or a device file), a network printer, or a USB printer.

A till's configuration names one of `FilePrinter`, `NetworkPrinter` (raw TCP, port 9100 as
Epson, Star and most Ethernet receipt printers listen on) or `UsbPrinter` (vendor and product
ids as `lsusb` shows them); `open_printer` builds the python-escpos printer for it and `send`
writes bytes already rendered (`edge.receipts.escpos.render_escpos`) to it. USB needs libusb
on the machine (pyusb comes with python-escpos's `usb` extra).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from edge.receipts.document import Document
from edge.receipts.errors import InvalidPrinterConfig, PrinterUnavailable
from edge.receipts.escpos import render_escpos
from edge.receipts.text import MAX_COLUMNS, MIN_COLUMNS

if TYPE_CHECKING:
    from escpos.escpos import Escpos

# python-escpos is imported where a receipt is printed, not with this module, which the
# settings read the printers' configuration from (see edge.receipts.escpos.render_escpos).

RAW_PRINTING_PORT = 9100
# A till waits for its printer before answering the checkout: a printer that is off on the
# LAN (no answer at all, not even a refusal) costs the cashier this long.
TILL_TIMEOUT_S = 3
MAX_USB_ID = 0xFFFF


def _check_columns(columns: int) -> None:
    if isinstance(columns, bool) or not MIN_COLUMNS <= columns <= MAX_COLUMNS:
        raise InvalidPrinterConfig(f"columns must be {MIN_COLUMNS} to {MAX_COLUMNS}, not {columns}")


@dataclass(frozen=True, slots=True)
class FilePrinter:
    """Bytes written to `path` (a file, or a device such as /dev/usb/lp0), replacing its content."""

    path: Path
    columns: int = 48

    def __post_init__(self) -> None:
        _check_columns(self.columns)
        if not str(self.path).strip() or self.path.is_dir():
            raise InvalidPrinterConfig(f"{str(self.path)!r} is not a file path")

    def describe(self) -> str:
        return f"file {self.path}"


@dataclass(frozen=True, slots=True)
class NetworkPrinter:
    """A printer listening for raw ESC/POS on `host`:`port` (9100); `timeout_s` per connect/send."""

    host: str
    port: int = RAW_PRINTING_PORT
    timeout_s: int = 10
    columns: int = 48

    def __post_init__(self) -> None:
        _check_columns(self.columns)
        if not self.host or any(char.isspace() or char in "/@" for char in self.host):
            raise InvalidPrinterConfig(f"{self.host!r} is not a host name or address")
        if isinstance(self.port, bool) or not 1 <= self.port <= 65535:
            raise InvalidPrinterConfig(f"port {self.port} is not 1 to 65535")
        if isinstance(self.timeout_s, bool) or not 1 <= self.timeout_s <= 300:
            raise InvalidPrinterConfig(f"timeout_s {self.timeout_s} is not 1 to 300 seconds")

    def describe(self) -> str:
        return f"network {self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class UsbPrinter:
    """A USB printer by `vendor_id` and `product_id` (16-bit, as `lsusb` prints them in hex)."""

    vendor_id: int
    product_id: int
    columns: int = 48

    def __post_init__(self) -> None:
        _check_columns(self.columns)
        for name, value in (("vendor_id", self.vendor_id), ("product_id", self.product_id)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidPrinterConfig(f"{name} must be an int")
            # 0 would make python-escpos match any device: refuse it.
            if not 1 <= value <= MAX_USB_ID:
                raise InvalidPrinterConfig(f"{name} {value:#x} is not 0x0001 to 0xffff")

    def describe(self) -> str:
        return f"usb {self.vendor_id:04x}:{self.product_id:04x}"


PrinterConfig = FilePrinter | NetworkPrinter | UsbPrinter


def open_printer(config: PrinterConfig) -> Escpos:
    """The python-escpos printer for `config`, not yet connected (it connects on first write)."""
    from escpos.printer import File, Network, Usb

    if isinstance(config, FilePrinter):
        return File(devfile=str(config.path))
    if isinstance(config, NetworkPrinter):
        return Network(host=config.host, port=config.port, timeout=config.timeout_s)
    return Usb(idVendor=config.vendor_id, idProduct=config.product_id)


def send(data: bytes, config: PrinterConfig) -> None:
    """Write ESC/POS `data` to the configured printer, then close the connection.

    python-escpos's `_raw` is the one way its printers take bytes drawn elsewhere (its Dummy
    printer's output). Raises PrinterUnavailable when the printer cannot be opened or written
    to (a part of the receipt may have printed by then: reprint it as a copy).
    """
    from escpos.exceptions import Error as EscposError

    printer = open_printer(config)
    try:
        printer.open()
        printer._raw(data)
    except (EscposError, OSError, RuntimeError) as error:
        raise PrinterUnavailable(
            config.describe(), str(error).strip() or type(error).__name__
        ) from error
    finally:
        printer.close()


def print_document(document: Document, config: PrinterConfig) -> bytes:
    """Render `document` for the printer's columns and send it; returns the bytes sent.

    Raises what `render_escpos` and `send` raise.
    """
    data = render_escpos(document, config.columns)
    send(data, config)
    return data


def parse_printer(spec: str) -> PrinterConfig:
    """A till's printer from its one-line description (the `printers` setting):

    - `file:/dev/usb/lp0` (a device or a file, replaced on every print),
    - `network:10.0.0.9` or `network:10.0.0.9:9100` (raw TCP, port 9100 by default;
      an IPv6 address in brackets, `network:[fd00::9]:9100`),
    - `usb:04b8:0e15` (vendor and product ids in hex, as `lsusb` shows them),

    each optionally followed by `?columns=32` (58 mm paper; 48 by default, 32 to 80) and,
    for a network printer, `&timeout_s=N` (to connect and to send; 3 by default, as the
    checkout's answer waits for it). Raises InvalidPrinterConfig for anything else.
    """
    text = spec.strip()
    options = {"columns": 48, "timeout_s": TILL_TIMEOUT_S}
    if "?" in text:
        text, _, query = text.rpartition("?")
        for option in query.split("&"):
            name, _, value = option.partition("=")
            if name not in options or not value.isdigit():
                raise InvalidPrinterConfig(
                    f"{spec!r}: the options are ?columns=N and &timeout_s=N (network)"
                )
            options[name] = int(value)
    columns, timeout_s = options["columns"], options["timeout_s"]
    kind, _, target = text.partition(":")
    if kind == "file" and target:
        return FilePrinter(Path(target), columns=columns)
    if kind == "network" and target:
        host, port = target, RAW_PRINTING_PORT
        if target.startswith("["):
            host, _, rest = target[1:].partition("]")
            if rest:
                port = _port(spec, rest.removeprefix(":"))
        elif ":" in target:
            host, _, rest = target.rpartition(":")
            port = _port(spec, rest)
        return NetworkPrinter(host, port, timeout_s=timeout_s, columns=columns)
    if kind == "usb":
        vendor, _, product = target.partition(":")
        try:
            return UsbPrinter(int(vendor, 16), int(product, 16), columns=columns)
        except ValueError:
            raise InvalidPrinterConfig(
                f"{spec!r}: USB ids are two hex numbers, usb:VENDOR:PRODUCT"
            ) from None
    raise InvalidPrinterConfig(
        f"{spec!r} names no printer: file:PATH, network:HOST[:PORT] or usb:VENDOR:PRODUCT"
    )


def _port(spec: str, text: str) -> int:
    if not text.isdigit():
        raise InvalidPrinterConfig(f"{spec!r}: the port {text!r} is not a number")
    return int(text)
