"""`vectis till --store N`: the edge URL read from the running demo's urls.json, and the
error a cashier reads when no demo serves there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console
from typer.testing import CliRunner

from vectis.cli import app
from vectis.cli.till import DemoNotRunning, demo_edge_url
from vectis.demo import DEMO_WORK_DIR, URLS_FILE, _print_where, demo_till_id, write_urls

URLS = {
    "hub": "http://127.0.0.1:8700",
    "store-1": "http://127.0.0.1:8701",
    "store-2": "http://127.0.0.1:8702",
}


def test_a_serving_demo_gives_each_stores_edge_url(tmp_path: Path) -> None:
    # Given the demo (this process) serving two stores from tmp_path
    path = write_urls(tmp_path, URLS, stores=2)
    # Then each store's edge URL is found, and the file is this user's only
    assert demo_edge_url(tmp_path, 1) == "http://127.0.0.1:8701"
    assert demo_edge_url(tmp_path, 2) == "http://127.0.0.1:8702"
    assert path.stat().st_mode & 0o077 == 0


def test_the_default_lane_is_one_the_replay_leaves_free() -> None:
    assert demo_till_id() == "T3"


def test_no_demo_says_how_to_start_one(tmp_path: Path) -> None:
    with pytest.raises(DemoNotRunning, match=r"no demo is serving .*vectis demo --serve"):
        demo_edge_url(tmp_path, 1)


def test_a_stopped_demo_is_not_taken_for_a_running_one(tmp_path: Path) -> None:
    # Given urls.json left by a demo process that has ended
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    write_urls(tmp_path, URLS, stores=2)
    body = (tmp_path / URLS_FILE).read_text().replace(str(os.getpid()), ended.stdout.strip())
    (tmp_path / URLS_FILE).write_text(body)
    # Then the look-up says the demo has stopped
    with pytest.raises(DemoNotRunning, match="has stopped"):
        demo_edge_url(tmp_path, 1)


def test_a_store_the_demo_does_not_have_is_named(tmp_path: Path) -> None:
    write_urls(tmp_path, URLS, stores=2)
    with pytest.raises(DemoNotRunning, match=r"no store 3 \(its stores: 1, 2\)"):
        demo_edge_url(tmp_path, 3)


def test_a_damaged_urls_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / URLS_FILE).write_text("{not json")
    with pytest.raises(DemoNotRunning, match="is not a demo's urls.json"):
        demo_edge_url(tmp_path, 1)


def test_the_command_fails_in_words_when_no_demo_runs(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["till", "--store", "1", "--demo-dir", str(tmp_path)])
    said = " ".join(result.output.split())  # the console wraps long lines
    assert result.exit_code == 2
    assert "no demo is serving" in said
    assert "vectis demo --serve" in said


def test_store_and_edge_url_together_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["till", "--store", "1", "--edge-url", "http://127.0.0.1:1"])
    assert result.exit_code == 2
    assert "not both" in result.output


@pytest.mark.parametrize(
    ("work_dir", "by_store"),
    [
        (DEMO_WORK_DIR, "vectis till --store 2\n"),
        (Path("/tmp/elsewhere"), "vectis till --store 2 --demo-dir /tmp/elsewhere\n"),
    ],
)
def test_the_serving_demo_prints_how_to_open_a_till_on_each_store(
    work_dir: Path, by_store: str
) -> None:
    # Given the URLs of a demo that has reconciled and keeps serving
    urls = URLS | {
        "admin_token": "t",
        "hub_database": "sqlite",
        "store-1_file": "1.db",
        "store-2_file": "2.db",
        "logs": "logs",
    }
    console = Console(width=200, record=True)
    # When it prints where things are
    _print_where(SimpleNamespace(urls=urls), console, True, work_dir)  # type: ignore[arg-type]
    said = console.export_text()
    # Then each store has both commands, beside the staff codes and PINs
    assert by_store in said
    assert "vectis till --edge-url http://127.0.0.1:8701 --till-id T3\n" in said
    assert "vectis till --edge-url http://127.0.0.1:8702 --till-id T3\n" in said
    assert "staff code 1001, PIN 1234" in said


def test_the_demo_prints_each_stores_dashboard_and_the_managers_code_and_pin() -> None:
    urls = URLS | {
        "admin_token": "t",
        "hub_database": "sqlite",
        "store-1_file": "1.db",
        "store-2_file": "2.db",
        "logs": "logs",
    }
    console = Console(width=200, record=True)
    _print_where(SimpleNamespace(urls=urls), console, True, DEMO_WORK_DIR)  # type: ignore[arg-type]
    said = console.export_text()
    for edge in ("http://127.0.0.1:8701", "http://127.0.0.1:8702"):
        assert (
            f"manager's dashboard: {edge}/dashboard  (sign in as Demo Manager: staff code "
            "9001, PIN 9999)" in said
        )
