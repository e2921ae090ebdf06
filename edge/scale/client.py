"""An asyncio client for a till's scale speaking MT-SICS over TCP (a LAN scale or a serial server).

Each call opens a connection, exchanges a few lines and closes it, so a scale restarted
between two weighings is simply reached again. Weights are Decimal kg, never float.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal

from edge.scale import protocol
from edge.scale.errors import (
    InvalidScaleConfig,
    ScaleError,
    ScaleNotReady,
    ScaleTimeout,
    ScaleUnstable,
)
from edge.scale.protocol import ScaleReading


@dataclass(frozen=True, slots=True)
class ScaleConfig:
    """Where a till's scale listens and how long to wait for it.

    `timeout_s` bounds the connection and each answer; a dynamic (moving) reading is asked
    again up to `attempts` times in all, `retry_delay_s` apart. Raises InvalidScaleConfig.
    """

    host: str
    port: int
    timeout_s: float = 2.0
    attempts: int = 5
    retry_delay_s: float = 0.3

    def __post_init__(self) -> None:
        if not self.host:
            raise InvalidScaleConfig("no host")
        if not 1 <= self.port <= 65535:
            raise InvalidScaleConfig(f"port {self.port} is not 1 to 65535")
        if not 0 < self.timeout_s <= 60:
            raise InvalidScaleConfig(f"timeout {self.timeout_s} s is not above 0 and at most 60")
        if not 1 <= self.attempts <= 50:
            raise InvalidScaleConfig(f"{self.attempts} attempts is not 1 to 50")
        if not 0 <= self.retry_delay_s <= 10:
            raise InvalidScaleConfig(f"retry delay {self.retry_delay_s} s is not 0 to 10")


class _Line:
    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout_s: float
    ):
        self._reader = reader
        self._writer = writer
        self._timeout_s = timeout_s

    async def ask(self, command: str) -> str:
        self._writer.write(protocol.encode(command))
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._writer.drain()
                raw = await self._reader.readuntil(b"\n")
        except TimeoutError:
            raise ScaleTimeout(f"no answer to {command} within {self._timeout_s} s") from None
        except asyncio.IncompleteReadError:
            raise ScaleTimeout(f"the scale closed the connection after {command}") from None
        except asyncio.LimitOverrunError:
            raise ScaleError(f"an over-long answer to {command}") from None
        except OSError as error:
            raise ScaleTimeout(f"the connection broke: {error}") from None
        return protocol.decode(raw)


class ScaleClient:
    """Reads weights from and tares the scale at `config.host:config.port`."""

    def __init__(self, config: ScaleConfig) -> None:
        self.config = config

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[_Line]:
        config = self.config
        try:
            async with asyncio.timeout(config.timeout_s):
                reader, writer = await asyncio.open_connection(
                    config.host, config.port, limit=protocol.MAX_LINE_CHARS + 2
                )
        except TimeoutError:
            raise ScaleTimeout(
                f"{config.host}:{config.port} not reached within {config.timeout_s} s"
            ) from None
        except OSError as error:
            raise ScaleTimeout(f"{config.host}:{config.port} not reached: {error}") from None
        try:
            yield _Line(reader, writer, config.timeout_s)
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass  # the scale dropped the connection first; nothing left to close

    async def _stable(
        self, line: _Line, command: str, parse_stable: Callable[[str], Decimal | None]
    ) -> Decimal:
        """Ask `command` until the scale answers a stable value, at most `attempts` times."""
        for attempt in range(self.config.attempts):
            if attempt:
                await asyncio.sleep(self.config.retry_delay_s)
            try:
                value = parse_stable(await line.ask(command))
            except ScaleNotReady:
                continue
            if value is not None:
                return value
        raise ScaleUnstable(self.config.attempts)

    async def read(self) -> ScaleReading:
        """A stable reading: net weight and tare in kg (3 places), `stable` always True.

        Raises ScaleUnstable (still moving after the attempts), ScaleOverload, ScaleUnderload,
        ScaleError (an error answer or another unit) and ScaleTimeout (not reached, no answer).
        """
        async with self._connect() as line:
            net_kg = await self._stable(line, protocol.WEIGH_NOW, _stable_weight)
            tare_kg = protocol.parse_tare(await line.ask(protocol.TARE_QUERY))
        return ScaleReading(net_kg=net_kg, tare_kg=tare_kg, stable=True)

    async def tare(self) -> Decimal:
        """Tare what is on the platter now; returns the tare taken in kg (3 places).

        The scale tares only a stable load: `T I` answers are asked again like dynamic
        readings. Raises ScaleUnstable, ScaleOverload (above the taring range),
        ScaleUnderload, ScaleError and ScaleTimeout.
        """
        async with self._connect() as line:
            return await self._stable(line, protocol.TARE, protocol.parse_tare)

    async def clear_tare(self) -> None:
        """Set the tare back to zero. Raises ScaleNotReady, ScaleError and ScaleTimeout."""
        async with self._connect() as line:
            protocol.parse_tare_cleared(await line.ask(protocol.TARE_CLEAR))


def _stable_weight(line: str) -> Decimal | None:
    weight = protocol.parse_weight(line)
    return weight.kg if weight.stable else None
