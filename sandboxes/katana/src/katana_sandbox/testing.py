"""``running_sandbox(**config)``: the sandbox on a free port in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from katana_sandbox.app import create_app
from katana_sandbox.config import SandboxConfig


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningSandbox:
    """Handle on a running sandbox: ``base_url`` ends in ``/v1``."""

    base_url: str
    root_url: str
    api_key: str
    api_keys: list[str]
    app: Any
    admin_token: str | None = None

    def _admin(self, method: str, path: str, json: Any = None) -> Any:
        headers = {"X-Sandbox-Admin-Token": self.admin_token} if self.admin_token else {}
        r = httpx.request(method, f"{self.root_url}/_sandbox{path}", json=json, headers=headers)
        r.raise_for_status()
        return r.json()

    def client(self, api_key: str | None = None, **kwargs: Any) -> httpx.Client:
        """An httpx client with the bearer key set."""
        headers = {"Authorization": f"Bearer {api_key or self.api_key}"}
        return httpx.Client(base_url=self.base_url, headers=headers, **kwargs)

    def advance_clock(self, seconds: float = 0.0, days: float = 0.0) -> str:
        """Move the sandbox clock forward; returns the new ISO time."""
        return str(self._admin("POST", "/clock/advance", {"seconds": seconds, "days": days})["now"])

    def now(self) -> str:
        """Current sandbox time."""
        return str(self._admin("GET", "/clock")["now"])

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        """Arm faults, e.g. ``burst_429=3``, ``drop=1``, ``po_create_mode="drop"``."""
        return dict(self._admin("POST", "/faults", faults))

    def clear_faults(self) -> None:
        """Disarm every fault."""
        self._admin("DELETE", "/faults")

    def stats(self) -> dict[str, Any]:
        """Requests per key, 429s served, faults served."""
        return dict(self._admin("GET", "/stats"))

    def reset_stats(self) -> None:
        """Zero the counters."""
        self._admin("POST", "/stats/reset")

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        """Webhook delivery attempts so far."""
        return list(self._admin("GET", "/webhook_deliveries"))

    def mutate(
        self,
        method: str,
        resource: str,
        obj_id: int | None = None,
        data: dict[str, Any] | None = None,
        api_key: str | None = None,
    ) -> Any:
        """Admin data change: POST (create), PATCH (update) or DELETE a product, variant
        or sales order of an account."""
        path = f"/accounts/{api_key or self.api_key}/{resource}"
        if obj_id is not None:
            path += f"/{obj_id}"
        return self._admin(method, path, data if method != "DELETE" else None)


@contextmanager
def running_sandbox(**config: Any) -> Iterator[RunningSandbox]:
    """Start ``create_app(SandboxConfig(**config))`` with uvicorn on a free port.

    Pass ``dataset=`` to reuse a generated dataset; ``public_base_url`` is set to the
    real address unless given.
    """
    dataset = config.pop("dataset", None)
    port = free_port()
    root = f"http://127.0.0.1:{port}"
    config.setdefault("public_base_url", f"{root}/v1")
    cfg = SandboxConfig(**config)
    app = create_app(cfg, dataset)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("sandbox failed to start")
        time.sleep(0.01)
    keys = list(cfg.accounts)
    try:
        yield RunningSandbox(f"{root}/v1", root, keys[0], keys, app, cfg.admin_token)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
