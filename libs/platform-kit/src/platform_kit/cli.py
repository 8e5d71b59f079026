"""``python -m <service> <command>``: the same commands for every service.

Commands: ``api`` (serve HTTP with consumers, relay and background tasks inside),
``migrate``, ``dlq list [--all]``, ``dlq replay [--id N ...]``, ``prune``, plus any the
service adds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from platform_kit.metrics import KitMetrics
from platform_kit.service import Runtime, ServiceSpec, create_app, start_runtime, stop_runtime

ExtraCommand = Callable[[ServiceSpec, argparse.Namespace], Awaitable[int]]


@contextlib.asynccontextmanager
async def offline_runtime(spec: ServiceSpec) -> AsyncIterator[Runtime]:
    """A runtime with the database (and consumer handlers) but no loops running."""
    spec.settings = spec.settings.model_copy(update={"run_consumers": False, "run_relay": False})
    runtime = await start_runtime(spec, KitMetrics(spec.name))
    try:
        yield runtime
    finally:
        await stop_runtime(runtime)


async def _dlq(spec: ServiceSpec, args: argparse.Namespace) -> int:
    from platform_kit.messaging import dlq

    async with offline_runtime(spec) as runtime:
        assert runtime.db is not None
        if args.dlq_command == "list":
            for row in await dlq.list_dead_letters(runtime.db, include_resolved=args.all):
                print(json.dumps(row, default=str))
            return 0
        loops = [runtime.consumer] if runtime.consumer else []
        results = await dlq.replay_dead_letters(runtime.db, loops, args.id or None)
        for result in results:
            print(json.dumps({"id": result.id, "ok": result.ok, "reason": result.reason}))
        return 0 if all(r.ok for r in results) else 1


async def _keys(spec: ServiceSpec, args: argparse.Namespace) -> int:
    """Rotate the encryption key (``rotate``) or re-wrap secrets with the primary (``rewrap``)."""
    from platform_kit.crypto import KeyRing, add_primary_key
    from platform_kit.db.secrets import rewrap_secrets

    if args.keys_command == "rotate":
        print(json.dumps({"new_primary": add_primary_key(spec.settings.keys_dir)}))
    async with offline_runtime(spec) as runtime:
        assert runtime.db is not None
        ring = KeyRing.load(spec.settings.keys_dir)
        total = await rewrap_secrets(runtime.db, ring, spec.secret_columns)
        print(json.dumps({"rewrapped": total, "primary": ring.primary_id}))
    return 0


async def _migrate(spec: ServiceSpec, args: argparse.Namespace) -> int:
    async with offline_runtime(spec):
        print(f"{spec.name}: database {spec.settings.resolved_database_name} at head")
    return 0


async def _prune(spec: ServiceSpec, args: argparse.Namespace) -> int:
    from platform_kit.messaging import dlq

    async with offline_runtime(spec) as runtime:
        assert runtime.db is not None
        counts = await dlq.prune(
            runtime.db,
            inbox_hours=spec.settings.inbox_retention_hours,
            dead_letter_hours=spec.settings.dead_letter_retention_hours,
        )
        print(json.dumps(counts))
    return 0


def main(
    spec_factory: Callable[[], ServiceSpec],
    argv: Sequence[str] | None = None,
    extra: dict[str, tuple[ExtraCommand, Callable[[argparse.ArgumentParser], None]]] | None = None,
) -> int:
    parser = argparse.ArgumentParser(prog=None)
    sub = parser.add_subparsers(dest="command", required=True)
    api = sub.add_parser("api", help="serve HTTP; consumers, relay and tasks run inside")
    api.add_argument("--host")
    api.add_argument("--port", type=int)
    sub.add_parser("migrate", help="create the database and upgrade to head")
    sub.add_parser("prune", help="prune inbox, dead letters, sync tracking, idempotency keys")
    keys_parser = sub.add_parser("keys", help="encryption keys of stored secrets")
    keys_parser.add_argument(
        "keys_command",
        choices=["rotate", "rewrap"],
        help="rotate: new primary key + re-wrap; rewrap: re-wrap only",
    )
    dlq_parser = sub.add_parser("dlq", help="dead letters")
    dlq_sub = dlq_parser.add_subparsers(dest="dlq_command", required=True)
    listing = dlq_sub.add_parser("list")
    listing.add_argument("--all", action="store_true", help="include resolved ones")
    replay = dlq_sub.add_parser("replay")
    replay.add_argument("--id", type=int, action="append", help="dead letter id (repeatable)")
    for name, (_, configure) in (extra or {}).items():
        configure(sub.add_parser(name))
    args = parser.parse_args(argv)
    spec = spec_factory()
    if args.command == "api":
        import uvicorn

        settings = spec.settings
        uvicorn.run(
            create_app(spec),
            host=args.host or settings.host,
            port=args.port or settings.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=20,
        )
        return 0
    commands: dict[str, Any] = {"migrate": _migrate, "prune": _prune, "dlq": _dlq, "keys": _keys}
    commands.update({name: fn for name, (fn, _) in (extra or {}).items()})
    return int(asyncio.run(commands[args.command](spec, args)))


def run(spec_factory: Callable[[], ServiceSpec], **kwargs: Any) -> None:
    sys.exit(main(spec_factory, **kwargs))
