"""The till's scale client against the simulator running as a real process on loopback."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from edge.scale import protocol
from edge.scale.client import ScaleClient, ScaleConfig
from edge.scale.errors import (
    InvalidScaleConfig,
    ScaleOverload,
    ScaleTimeout,
    ScaleUnderload,
    ScaleUnstable,
)
from vectis.ops.postgres import free_port


class Simulator:
    """A running `python -m edge.scale.simulator` and a way to drive it (its SIM commands)."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.port = port

    def client(self, **options: float) -> ScaleClient:
        config = {"timeout_s": 2.0, "attempts": 4, "retry_delay_s": 0.05, **options}
        return ScaleClient(ScaleConfig(host="127.0.0.1", port=self.port, **config))  # type: ignore[arg-type]

    async def control(self, command: str) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(protocol.encode(command))
            assert protocol.decode(await reader.readline()) == "SIM A"
        finally:
            writer.close()
            await writer.wait_closed()


async def start_simulator(*arguments: str) -> Simulator:
    return await start_simulator_on(free_port(), *arguments)


async def start_simulator_on(port: int, *arguments: str) -> Simulator:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "edge.scale.simulator",
        "--port",
        str(port),
        *arguments,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=20)
    assert line.decode().strip() == f"scale simulator listening on 127.0.0.1:{port}"
    return Simulator(process, port)


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    running = await start_simulator("--weight", "0.750", "--tare", "0.012")
    try:
        yield running
    finally:
        running.process.kill()
        await running.process.wait()


async def test_a_stable_weight_is_read_net_of_the_tare(simulator):
    reading = await simulator.client().read()
    assert reading.net_kg == Decimal("0.738")
    assert reading.tare_kg == Decimal("0.012")
    assert reading.stable is True
    assert isinstance(reading.net_kg, Decimal)
    assert str(reading.net_kg) == "0.738"


async def test_taring_the_empty_container_then_weighing_gives_the_goods_alone(simulator):
    await simulator.control("SIM W 0.015")
    assert await simulator.client().tare() == Decimal("0.015")
    await simulator.control("SIM W 0.515")
    reading = await simulator.client().read()
    assert (reading.net_kg, reading.tare_kg) == (Decimal("0.500"), Decimal("0.015"))
    await simulator.client().clear_tare()
    assert (await simulator.client().read()).net_kg == Decimal("0.515")


async def test_a_moving_weight_is_refused_after_the_retries_then_accepted_once_stable(simulator):
    await simulator.control("SIM U 10")
    with pytest.raises(ScaleUnstable) as refused:
        await simulator.client(attempts=4).read()
    assert refused.value.code == "scale_unstable"
    assert refused.value.attempts == 4
    # 6 unstable answers remain: the next read uses up 4 and is refused again; then 2 more
    # before the load settles, within the next read's attempts.
    with pytest.raises(ScaleUnstable):
        await simulator.client(attempts=4).read()
    reading = await simulator.client(attempts=4).read()
    assert reading.net_kg == Decimal("0.738")


async def test_a_weight_that_settles_within_the_retries_is_read(simulator):
    await simulator.control("SIM U 3")
    assert (await simulator.client(attempts=4).read()).net_kg == Decimal("0.738")


async def test_a_tare_is_retried_until_the_load_settles_then_refused(simulator):
    await simulator.control("SIM U 2")
    assert await simulator.client(attempts=3).tare() == Decimal("0.750")
    await simulator.control("SIM U 5")
    with pytest.raises(ScaleUnstable):
        await simulator.client(attempts=3).tare()


async def test_an_overloaded_scale_is_refused(simulator):
    await simulator.control("SIM W 15.001")
    with pytest.raises(ScaleOverload) as refused:
        await simulator.client().read()
    assert refused.value.code == "scale_overload"
    with pytest.raises(ScaleOverload):
        await simulator.client().tare()
    await simulator.control("SIM W 15.000")
    assert (await simulator.client().read()).net_kg == Decimal("14.988")


async def test_a_lifted_platter_is_underload(simulator):
    await simulator.control("SIM W -0.020")
    with pytest.raises(ScaleUnderload) as refused:
        await simulator.client().read()
    assert refused.value.code == "scale_underload"


async def test_a_dead_port_gives_scale_timeout_quickly():
    started = time.monotonic()
    with pytest.raises(ScaleTimeout) as refused:
        await ScaleClient(ScaleConfig(host="127.0.0.1", port=free_port(), timeout_s=0.5)).read()
    assert refused.value.code == "scale_timeout"
    assert time.monotonic() - started < 1.0


async def test_a_scale_that_never_answers_gives_scale_timeout_within_the_timeout():
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        started = time.monotonic()
        with pytest.raises(ScaleTimeout, match="no answer to SI"):
            await ScaleClient(ScaleConfig(host="127.0.0.1", port=port, timeout_s=0.3)).read()
        assert time.monotonic() - started < 1.0
    finally:
        server.close()
        await server.wait_closed()


async def test_a_killed_simulator_is_scale_timeout_and_a_restarted_one_is_read_again():
    first = await start_simulator("--weight", "1.000")
    port = first.port
    first.process.kill()
    await first.process.wait()
    client = ScaleClient(ScaleConfig(host="127.0.0.1", port=port, timeout_s=0.5))
    with pytest.raises(ScaleTimeout):
        await client.read()
    second = await start_simulator_on(port, "--weight", "1.000")
    try:
        assert (await client.read()).net_kg == Decimal("1.000")
    finally:
        second.process.kill()
        await second.process.wait()


@pytest.mark.parametrize(
    "options",
    [
        {"host": "", "port": 8000},
        {"host": "scale", "port": 0},
        {"host": "scale", "port": 70000},
        {"host": "scale", "port": 8000, "timeout_s": 0},
        {"host": "scale", "port": 8000, "attempts": 0},
        {"host": "scale", "port": 8000, "retry_delay_s": -1},
    ],
)
def test_a_scale_configuration_that_cannot_work_is_refused(options):
    with pytest.raises(InvalidScaleConfig):
        ScaleConfig(**options)


async def test_the_simulator_refuses_a_bad_command_line():
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "edge.scale.simulator",
        "--port",
        "0",
        "--weight",
        "0.7505",
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 2
    assert b"--weight must be kg to at most 3 places" in stderr
