"""A private, throwaway PostgreSQL cluster on loopback, for tests, benchmarks and replays.

PostgreSQL refuses to run as root, so when we are root the server runs as the `postgres`
user through runuser (as in shared/ENVIRONMENT.md). The cluster lives in a temporary
directory and is deleted by `stop()`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from vectis.ops.errors import PostgresUnavailable


def find_bindir() -> Path:
    """Directory of initdb and pg_ctl. Raises PostgresUnavailable if PostgreSQL is absent."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            output = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            candidates.append(Path(output))
    candidates += [
        Path(path) for path in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    ]
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found; run ./dev.sh setup "
        "or apt-get install postgresql"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TemporaryCluster:
    """initdb + pg_ctl start on 127.0.0.1:`port`; `url(database)` gives an asyncpg URL.

    `durable=False` adds fsync=off and synchronous_commit=off: for tests only, never for
    benchmarks. Raises PostgresUnavailable when the server cannot be set up or started.
    """

    def __init__(self, *, port: int | None = None, durable: bool = True) -> None:
        self.port = port or free_port()
        self.durable = durable
        self.root: Path | None = None
        self._bindir = find_bindir()
        self._as_root = os.geteuid() == 0

    def _run(self, *arguments: str, timeout_s: float = 60) -> None:
        command = list(arguments)
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{Path(arguments[0]).name} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[-2000:]}"
            )

    @property
    def data_dir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    def start(self) -> TemporaryCluster:
        self.root = Path(tempfile.mkdtemp(prefix="vectis-pg-"))
        if self._as_root:
            shutil.chown(self.root, "postgres")
        self.root.chmod(0o700)
        self._run(
            str(self._bindir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = [
            f"-p {self.port}",
            f"-k {self.root}",
            "-c listen_addresses=127.0.0.1",
            "-c max_connections=300",
            "-c shared_buffers=256MB",
        ]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(
            str(self._bindir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
            "-o",
            " ".join(options),
        )
        return self

    def server_pid(self) -> int:
        """The postmaster's process id (its children are the server's other processes)."""
        return int((self.data_dir / "postmaster.pid").read_text().split()[0])

    def restart(self) -> None:
        """Stop the server (fast mode: open transactions are rolled back) and start it again."""
        self._pg_ctl("restart", "-m", "fast")

    def stop_server(self) -> None:
        self._pg_ctl("stop", "-m", "fast")

    def start_server(self) -> None:
        self._pg_ctl("start")

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = [f"-p {self.port}", f"-k {self.root}", "-c listen_addresses=127.0.0.1"]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off"]
        arguments = [str(self._bindir / "pg_ctl"), "-D", str(self.data_dir), "-w", "-t", "60"]
        if action != "stop":
            arguments += ["-l", str(self.root / "server.log") if self.root else "server.log"]
        arguments += [action, *extra]
        if action != "stop":
            arguments += ["-o", " ".join(options)]
        self._run(*arguments)

    def stop(self) -> None:
        """Stop the server and delete the cluster."""
        if self.root is None:
            return
        with contextlib.suppress(PostgresUnavailable, subprocess.SubprocessError):
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def url(self, database: str = "postgres", driver: str = "asyncpg") -> str:
        return f"postgresql+{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """A libpq/asyncpg DSN (no SQLAlchemy driver prefix)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE `name` (optionally from `template`); returns its asyncpg URL.

        Uses psql, so it works whether or not an event loop runs in this thread.
        """
        clause = f' TEMPLATE "{template}"' if template else ""
        self.psql(f'CREATE DATABASE "{name}"{clause}')
        return self.url(name)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run `sql` with psql; returns its output. Raises PostgresUnavailable on failure."""
        psql = self._bindir / "psql"
        result = subprocess.run(
            [
                str(psql if psql.exists() else "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-Atc",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"psql failed: {result.stderr.strip()}")
        return result.stdout

    def __enter__(self) -> TemporaryCluster:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
