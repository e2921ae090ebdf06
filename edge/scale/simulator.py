"""A scale simulator: an asyncio TCP server on 127.0.0.1 answering MT-SICS as a till's scale would.

Run: `python -m edge.scale.simulator --port N --weight 0.750 --tare 0.012 [--unstable-for 3]
[--capacity 15.000]`. `--weight` is the gross load on the platter in kg; answers give the net
(gross minus tare). `--port 0` picks a free port. Once listening it prints one line,
`scale simulator listening on 127.0.0.1:PORT`, and serves until killed.

It answers `SI`, `S`, `T`, `TA`, `TAC` (see edge.scale.protocol). While `unstable-for` is
above zero each weighing or tare uses one up: `SI` answers `S D` (a moving weight), `S` and
`T` answer `S I`/`T I`, as a real scale that did not settle in time. Above the capacity it
answers `S +`/`T +`, below zero gross `S -`/`T -`.

Control commands (not MT-SICS; a real scale answers them `ES`), so tests and the demo can
drive it over the same connection; each answers `SIM A`, or `EL` for a bad value:

    SIM W <kg>     put a gross load on the platter (kg, up to 3 places, may be negative)
    SIM T <kg>     set the tare (kg, up to 3 places, 0 or more)
    SIM U <n>      the next n weighings or tares are unstable (0 to 1000)
    SIM C <kg>     set the capacity (kg, above 0)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from edge.scale import protocol
from edge.scale.protocol import KG

MAX_UNSTABLE = 1000


@dataclass(slots=True)
class SimulatedScale:
    """The simulated scale's state: gross load, tare, capacity (kg), pending unstable answers."""

    gross_kg: Decimal
    tare_kg: Decimal = Decimal("0.000")
    capacity_kg: Decimal = Decimal("15.000")
    unstable_for: int = 0

    def _settling(self) -> bool:
        if self.unstable_for > 0:
            self.unstable_for -= 1
            return True
        return False

    def _limit(self, head: str) -> str | None:
        if self.gross_kg > self.capacity_kg:
            return f"{head} +"
        if self.gross_kg < 0:
            return f"{head} -"
        return None

    def answer(self, line: str) -> str:
        """The answer line (without CR LF) to one command line."""
        tokens = line.split()
        if not tokens:
            return "ES"
        if tokens[0] == "SIM":
            return self._control(tokens[1:])
        if tokens in ([protocol.WEIGH_NOW], [protocol.WEIGH_STABLE]):
            limit = self._limit("S")
            if limit is not None:
                return limit
            net_kg = self.gross_kg - self.tare_kg
            if self._settling():
                if tokens[0] == protocol.WEIGH_STABLE:
                    return "S I"
                # A moving load reads a little off its final weight.
                return protocol.format_weight(net_kg + KG * 7, stable=False)
            return protocol.format_weight(net_kg, stable=True)
        if tokens == [protocol.TARE]:
            limit = self._limit("T")
            if limit is not None:
                return limit
            if self._settling():
                return "T I"
            self.tare_kg = self.gross_kg
            return protocol.format_tare_taken(self.tare_kg)
        if tokens == [protocol.TARE_QUERY]:
            return protocol.format_tare_query(self.tare_kg)
        if tokens == [protocol.TARE_CLEAR]:
            self.tare_kg = Decimal("0.000")
            return "TAC A"
        return "ES"

    def _control(self, arguments: list[str]) -> str:
        if len(arguments) != 2:
            return "ES"
        what, value = arguments
        if what == "U":
            if not value.isdigit() or int(value) > MAX_UNSTABLE:
                return "EL"
            self.unstable_for = int(value)
            return "SIM A"
        kg = _kg(value)
        if kg is None:
            return "EL"
        if what == "W":
            self.gross_kg = kg
        elif what == "T" and kg >= 0:
            self.tare_kg = kg
        elif what == "C" and kg > 0:
            self.capacity_kg = kg
        else:
            return "EL"
        return "SIM A"


def _kg(text: str) -> Decimal | None:
    try:
        kg = Decimal(text)
    except InvalidOperation:
        return None
    if not kg.is_finite() or kg != kg.quantize(KG) or abs(kg) >= 100_000:
        return None
    return kg.quantize(KG)


async def serve(scale: SimulatedScale, port: int) -> asyncio.Server:
    """Start answering for `scale` on 127.0.0.1:`port` (0: any free port); returns the server."""

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while raw := await reader.readline():
                text = raw.decode("ascii", errors="replace").strip()
                answer = "ES" if len(text) > protocol.MAX_LINE_CHARS else scale.answer(text)
                writer.write(protocol.encode(answer))
                await writer.drain()
        except (ConnectionError, ValueError):
            pass  # a client that hung up or sent an over-long line: drop it
        finally:
            writer.close()

    return await asyncio.start_server(session, "127.0.0.1", port, limit=1024)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m edge.scale.simulator", description=__doc__)
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1; 0: any")
    parser.add_argument("--weight", default="0.000", help="gross load on the platter, kg")
    parser.add_argument("--tare", default="0.000", help="tare, kg")
    parser.add_argument("--capacity", default="15.000", help="capacity, kg")
    parser.add_argument("--unstable-for", type=int, default=0, help="unstable answers first")
    arguments = parser.parse_args(argv)
    for name in ("weight", "tare", "capacity"):
        if _kg(getattr(arguments, name)) is None:
            parser.error(f"--{name} must be kg to at most 3 places")
    if not 0 <= arguments.unstable_for <= MAX_UNSTABLE:
        parser.error(f"--unstable-for must be 0 to {MAX_UNSTABLE}")
    return arguments


async def _main(arguments: argparse.Namespace) -> None:
    scale = SimulatedScale(
        gross_kg=Decimal(arguments.weight).quantize(KG),
        tare_kg=Decimal(arguments.tare).quantize(KG),
        capacity_kg=Decimal(arguments.capacity).quantize(KG),
        unstable_for=arguments.unstable_for,
    )
    server = await serve(scale, arguments.port)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"scale simulator listening on 127.0.0.1:{port}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """Entry point of `python -m edge.scale.simulator`."""
    try:
        asyncio.run(_main(_arguments(argv)))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
