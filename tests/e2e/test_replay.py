"""The main job on real data, as a user runs it: `vectis replay` and `vectis demo`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx

from vectis.ops.postgres import TemporaryCluster
from vectis.replay.dataset import bundled_dataset
from vectis.replay.stack import Stack


def vectis(
    *arguments: str, timeout_s: float = 900, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`vectis ARGUMENTS` in a child process; `environment` adds variables to ours (the edges
    it starts inherit them)."""
    return subprocess.run(
        [sys.executable, "-m", "vectis", *arguments],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env={**os.environ, **(environment or {})},
    )


def test_a_real_day_replayed_with_a_store_offline_reconciles_to_the_penny_on_postgresql(
    tmp_path: Path,
) -> None:
    result_path = tmp_path / "result.json"
    run = vectis(
        "replay",
        "--dataset",
        str(bundled_dataset()),
        "--stores",
        "3",
        "--from",
        "2010-12-01",
        "--to",
        "2010-12-01",
        "--offline",
        "2,2010-12-01T10:00,2010-12-01T15:30",
        "--hub-db",
        "postgres",
        "--work-dir",
        str(tmp_path / "run"),
        "--json",
        str(result_path),
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(result_path.read_text())
    assert result["mismatches"] == []
    assert result["skipped"] == []
    assert result["dataset"]["by_day"] == result["hub"]["by_day"]
    assert result["dataset"]["by_day"]["2010-12-01"] == {
        "invoices": 143,
        "lines": 3108,
        "units": 26814,
        "revenue": "58635.56",
        "returns": "325.23",
        # VAT at 20 % included, rounded per line HALF_UP (a sixth of the revenue is 9772.59;
        # per-line ties round up), as every till recorded it and the hub summed it.
        "tax": "9775.14",
        "tenders": result["dataset"]["by_day"]["2010-12-01"]["tenders"],
    }
    # What the tills took, net of refunds, adds up to the revenue of the day and of every
    # store-day, and the hub's breakdown (or, a hub without one, the tills') says the same.
    tenders = result["hub"]["by_day"]["2010-12-01"]["tenders"]
    assert sum(Decimal(amount) for amount in tenders.values()) == Decimal("58635.56")
    for days in result["hub"]["by_store_day"].values():
        for totals in days.values():
            assert sum(Decimal(a) for a in totals["tenders"].values()) == Decimal(totals["revenue"])
    assert Decimal(tenders["card"]) > 0 and Decimal(tenders["cash"]) > 0
    # Store 2's cards went store-and-forward while its link (acquirer included) was cut, the
    # larger ones were paid in cash, and every one taken was forwarded when it came back.
    cards = result["offline_cards"]
    assert cards["taken"] > 0 and cards["over_cap_paid_cash"] > 0
    assert cards["forwarded"] == cards["taken"] and cards["expired"] == 0
    assert result["dataset"]["by_store"] == result["hub"]["by_store"]
    assert set(result["hub"]["by_store"]) == {"store-1", "store-2", "store-3"}
    (drain,) = result["timing"]["drains"]
    assert drain["store"] == "store-2" and drain["events"] > 0
    assert result["timing"]["lines"] == 3108 and result["timing"]["lines_per_s"] > 0
    assert "RECONCILED" in run.stdout


def test_a_bad_offline_window_is_refused_before_anything_starts(tmp_path: Path) -> None:
    run = vectis(
        "replay",
        "--dataset",
        str(bundled_dataset()),
        "--offline",
        "2,yesterday,today",
        timeout_s=60,
    )
    assert run.returncode == 2
    assert "offline" in run.stdout + run.stderr


def test_the_demo_reconciles_two_weeks_with_a_store_offline(tmp_path: Path) -> None:
    work_dir = tmp_path / "demo"
    run = vectis("demo", "--no-serve", "--work-dir", str(work_dir))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "RECONCILED" in run.stdout
    assert "31102 lines" in run.stdout
    assert "store-2 came back online" in run.stdout
    # It holds the admin token, node credentials and logs: its user's only.
    assert stat.S_IMODE(work_dir.stat().st_mode) == 0o700
    files = [path for path in work_dir.rglob("*") if path.is_file()]
    assert {"hub.db", "store-1.db", "store-2.db", "hub.log", "store-1.log"} <= {
        path.name for path in files
    }
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((work_dir / "logs").stat().st_mode) == 0o700


def test_the_demo_refuses_a_work_dir_it_did_not_make(tmp_path: Path) -> None:
    work_dir = tmp_path / "precious"
    work_dir.mkdir()
    (work_dir / "thesis.tex").write_text("years of work")
    run = vectis("demo", "--no-serve", "--work-dir", str(work_dir), timeout_s=60)
    assert run.returncode == 2
    assert "--force" in run.stdout + run.stderr
    assert (work_dir / "thesis.tex").read_text() == "years of work"


def test_stopping_a_replay_stops_the_hub_and_edges_it_started(tmp_path: Path) -> None:
    work_dir = tmp_path / "run"
    replay = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vectis",
            "replay",
            "--dataset",
            str(bundled_dataset()),
            "--work-dir",
            str(work_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (work_dir / "logs" / "store-2.log").exists():
            assert time.monotonic() < deadline and replay.poll() is None
            time.sleep(0.2)
        time.sleep(2)  # selling by now
        replay.send_signal(signal.SIGTERM)
        output, _ = replay.communicate(timeout=60)
    finally:
        replay.kill()
    assert replay.returncode == 130, output
    survivors = subprocess.run(
        ["pgrep", "-f", str(work_dir)], capture_output=True, text=True
    ).stdout
    assert survivors == "", f"processes left running: {survivors}"


async def test_a_replay_against_a_running_hub_enrols_its_stores_there(
    tmp_path: Path, postgres: TemporaryCluster
) -> None:
    stack = Stack(work_dir=tmp_path / "hq")
    try:
        await stack.start_hub(
            "postgres", database_url=postgres.create_database(f"hq_{uuid.uuid4().hex[:12]}")
        )
        run = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "vectis",
                "replay",
                "--dataset",
                str(bundled_dataset()),
                "--from",
                "2010-12-02",
                "--to",
                "2010-12-02",
                "--hub-url",
                stack.hub_url,
                "--work-dir",
                str(tmp_path / "run"),
                "--json",
                str(tmp_path / "result.json"),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "VECTIS_HUB_ADMIN_TOKEN": stack.admin_token},
        )
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        result = json.loads((tmp_path / "result.json").read_text())
        assert result["hub"]["by_day"] == result["dataset"]["by_day"]
        async with httpx.AsyncClient(base_url=stack.hub_url, trust_env=False) as client:
            nodes = await client.get(
                "/v1/stores/store-1/nodes", headers={"Authorization": f"Bearer {stack.admin_token}"}
            )
        assert nodes.status_code == 200 and len(nodes.json()) == 1
    finally:
        await stack.aclose()


def test_a_chaos_replay_of_a_real_day_still_reconciles_to_the_penny(tmp_path: Path) -> None:
    result_path = tmp_path / "chaos.json"
    run = vectis(
        "replay",
        "--dataset",
        str(bundled_dataset()),
        "--stores",
        "2",
        "--from",
        "2010-12-01",
        "--to",
        "2010-12-02",
        "--offline",
        "1,2010-12-01T12:00,2010-12-02T10:00",
        "--hub-db",
        "postgres",
        "--chaos",
        "2026",
        "--work-dir",
        str(tmp_path / "run"),
        "--json",
        str(result_path),
        # Small pushes, four in flight: the pipelined upload under chaos (pushes lost,
        # doubled, held back and overtaken; edges killed with pushes in flight).
        environment={"VECTIS_EDGE_PUSH_BATCH_EVENTS": "16", "VECTIS_EDGE_PUSH_PIPELINE": "4"},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(result_path.read_text())
    assert result["mismatches"] == []
    chaos = result["chaos"]
    assert chaos["seed"] == 2026
    assert sum(chaos["kills"].values()) >= 1, "no edge was killed: the test would prove nothing"
    assert sum(sum(counts.values()) for counts in chaos["faults"].values()) >= 5
    # Cards too: answers lost on the way from the acquirer, yet its settlement is the hub's
    # card money and no card was captured twice (no `settlement` mismatch above).
    assert sum(sum(counts.values()) for counts in chaos["card_faults"].values()) >= 5
    assert result["offline_cards"]["taken"] > 0
