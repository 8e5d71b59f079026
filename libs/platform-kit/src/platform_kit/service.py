"""The app factory every service uses: ``create_app(spec)``.

The lifespan builds everything (never at import): database (created and migrated),
internal-token keys, the encryption key ring, the outbox relay, the consumer loop, the
pruner and any service background tasks; it tears them down in reverse on shutdown.
Every app serves ``/healthz``, ``/readyz``, ``/metrics`` and its OpenAPI document.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import MetaData

from platform_kit.auth import InternalKeys
from platform_kit.clock import Clock
from platform_kit.crypto import KeyRing
from platform_kit.db.engine import Database
from platform_kit.db.migrations import ensure_database, upgrade_to_head
from platform_kit.db.uow import UnitOfWork
from platform_kit.http.middleware import CorrelationAndMetricsMiddleware
from platform_kit.http.problems import install_problem_handlers
from platform_kit.logging import configure_logging
from platform_kit.messaging import dlq
from platform_kit.messaging.admin import all_topic_specs, ensure_topics
from platform_kit.messaging.consumer import ConsumerLoop, Subscription
from platform_kit.messaging.relay import OutboxRelay
from platform_kit.metrics import KitMetrics
from platform_kit.settings import ServiceSettings

log = logging.getLogger(__name__)

BackgroundTask = Callable[["Runtime", asyncio.Event], Awaitable[None]]


@dataclass
class ServiceSpec:
    """What makes a service different from the next: tables, routes, consumers, tasks."""

    name: str
    settings: ServiceSettings
    metadata: MetaData
    migrations: str
    routers: Sequence[APIRouter] = ()
    subscriptions: Callable[[Runtime], Sequence[Subscription]] | None = None
    background: Sequence[BackgroundTask] = ()
    on_startup: Sequence[Callable[[Runtime], Awaitable[None]]] = ()
    version: str = "0.1.0"
    description: str = ""
    tenancy: bool = True
    secret_columns: Sequence[tuple[str, str, str]] = ()
    """(table, encrypted column, AAD column) triples that key rotation re-wraps."""
    configure_app: Callable[[FastAPI], None] | None = None
    """Called last in ``create_app`` (middleware, catch-all routes); api-gateway uses it."""


@dataclass
class Runtime:
    """Everything built in the lifespan; handlers get what they need from here."""

    spec: ServiceSpec
    settings: ServiceSettings
    clock: Clock
    metrics: KitMetrics
    keys: InternalKeys
    db: Database | None = None
    relay: OutboxRelay | None = None
    consumer: ConsumerLoop | None = None
    keyring: KeyRing | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    def uow(self) -> UnitOfWork:
        if self.db is None:
            raise RuntimeError("database not configured")
        return UnitOfWork(self.db)

    def spawn(self, coro: Awaitable[None], name: str) -> None:
        self.tasks.append(asyncio.create_task(_guard(coro, name), name=name))


async def _guard(coro: Awaitable[None], name: str) -> None:
    try:
        await coro
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("background task %s died", name)


async def start_runtime(spec: ServiceSpec, metrics: KitMetrics) -> Runtime:
    settings = spec.settings
    runtime = Runtime(
        spec=spec,
        settings=settings,
        clock=Clock.from_setting(settings.now),
        metrics=metrics,
        keys=InternalKeys.load(settings.keys_dir),
    )
    runtime.keyring = KeyRing.load(settings.keys_dir)
    if settings.database_url:
        await ensure_database(settings.database_url, settings.resolved_database_name)
        url = settings.service_database_url()
        if settings.migrate_on_start:
            await upgrade_to_head(spec.migrations, url)
        runtime.db = Database(
            url, spec.metadata, application_name=spec.name, pool_size=settings.db_pool_size
        )
    bootstrap = settings.kafka_bootstrap_servers
    if runtime.db is not None and bootstrap:
        await _ensure_topics_with_retry(
            bootstrap, all_topic_specs(settings.topic_partitions_override)
        )
        if settings.run_relay:
            runtime.relay = OutboxRelay(
                db=runtime.db,
                bootstrap=bootstrap,
                service=spec.name,
                topics=all_topic_specs(settings.topic_partitions_override),
                metrics=metrics,
                poll_interval_s=settings.relay_poll_interval_s,
                batch_size=settings.relay_batch_size,
                retention=timedelta(hours=settings.outbox_retention_hours),
                broker_check_interval_s=settings.broker_check_interval_s,
            )
            runtime.spawn(runtime.relay.run(runtime.stop), "relay")
        subscriptions = _with_tenancy(
            spec, list(spec.subscriptions(runtime)) if spec.subscriptions else []
        )
        if subscriptions:
            runtime.consumer = ConsumerLoop(
                name=consumer_group(spec.name, settings),
                db=runtime.db,
                bootstrap=bootstrap,
                subscriptions=subscriptions,
                metrics=metrics,
                max_attempts=settings.consumer_max_attempts,
                backoff_initial_s=settings.consumer_backoff_initial_s,
                backoff_max_s=settings.consumer_backoff_max_s,
                session_timeout_ms=settings.consumer_session_timeout_ms,
                max_records=settings.consumer_max_records,
            )
            if settings.run_consumers:
                runtime.spawn(runtime.consumer.run(runtime.stop), "consumer")
        runtime.spawn(_maintenance(runtime), "maintenance")
    for hook in spec.on_startup:
        await hook(runtime)
    for task in spec.background:
        runtime.spawn(task(runtime, runtime.stop), getattr(task, "__name__", "background"))
    return runtime


def consumer_group(service: str, settings: ServiceSettings) -> str:
    """Kafka group and inbox name: the setting, else the service name, qualified by the
    database name when that is not the default (replicas share a database and so a group;
    apps on separate databases, as in tests, never share one)."""
    if settings.consumer_group:
        return settings.consumer_group
    if settings.database_name:
        return f"{service}.{settings.database_name}"
    return service


async def _ensure_topics_with_retry(bootstrap: str, specs: list[Any], attempts: int = 30) -> None:
    """Topics exist before any consumer subscribes (a broker may auto-create them wrongly)."""
    for attempt in range(attempts):
        try:
            await ensure_topics(bootstrap, specs)
            return
        except Exception as exc:
            if attempt == attempts - 1:
                raise
            log.warning("creating topics failed (%s); retrying", exc)
            await asyncio.sleep(1.0)


def _with_tenancy(spec: ServiceSpec, subscriptions: list[Subscription]) -> list[Subscription]:
    """Every service provisions and purges tenants from ``tenancy.tenants.v1``."""
    if not spec.tenancy:
        return subscriptions
    from platform_kit.tenancy import tenant_handlers
    from restock_contracts.topics import TENANTS

    handlers = dict(tenant_handlers())
    rest = []
    for sub in subscriptions:
        if sub.topic.name == TENANTS.name:
            handlers.update(sub.handlers)
        else:
            rest.append(sub)
    return [Subscription(TENANTS, handlers), *rest]


async def stop_runtime(runtime: Runtime) -> None:
    runtime.stop.set()
    if runtime.tasks:
        _done, pending = await asyncio.wait(runtime.tasks, timeout=15)
        for task in pending:
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*pending, return_exceptions=True)
    if runtime.db is not None:
        await runtime.db.dispose()


async def _maintenance(runtime: Runtime) -> None:
    """Refresh gauges often; prune inbox/outbox/dead letters every ``prune_interval_s``."""
    settings = runtime.settings
    assert runtime.db is not None
    elapsed = settings.prune_interval_s
    while not runtime.stop.is_set():
        try:
            if runtime.relay is not None:
                await runtime.relay.refresh_gauges()
            runtime.metrics.dead_letters.set(await dlq.count_open(runtime.db))
            if elapsed >= settings.prune_interval_s:
                elapsed = 0.0
                if runtime.relay is not None:
                    await runtime.relay.prune()
                await dlq.prune(
                    runtime.db,
                    inbox_hours=settings.inbox_retention_hours,
                    dead_letter_hours=settings.dead_letter_retention_hours,
                )
        except Exception as exc:
            log.warning("maintenance failed: %s", exc)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(runtime.stop.wait(), 5.0)
        elapsed += 5.0


def create_app(spec: ServiceSpec) -> FastAPI:
    """Build the FastAPI app for ``spec``; nothing is connected until the lifespan runs."""
    settings = spec.settings
    configure_logging(spec.name, settings.log_level, settings.log_json)
    metrics = KitMetrics(spec.name)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await start_runtime(spec, metrics)
        app.state.runtime = runtime
        app.state.internal_keys = runtime.keys
        log.info("%s started", spec.name)
        try:
            yield
        finally:
            await stop_runtime(runtime)
            log.info("%s stopped", spec.name)

    app = FastAPI(
        title=f"Restock {spec.name}",
        version=spec.version,
        description=spec.description,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.metrics = metrics
    install_problem_handlers(app)
    app.add_middleware(CorrelationAndMetricsMiddleware, metrics=metrics)
    app.include_router(_ops_router(metrics))
    if spec.tenancy:
        from platform_kit.tenancy_api import router as tenant_router

        app.include_router(tenant_router)
    for router in spec.routers:
        app.include_router(router)
    if spec.configure_app is not None:
        spec.configure_app(app)
    return app


def _ops_router(metrics: KitMetrics) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", operation_id="healthz", include_in_schema=True)
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @router.get("/readyz", operation_id="readyz")
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: the database answers and the consumer (if any) has joined."""
        runtime: Runtime | None = getattr(request.app.state, "runtime", None)
        checks: dict[str, bool] = {}
        if runtime is not None and runtime.db is not None:
            checks["database"] = await runtime.db.ping()
        if runtime is not None and runtime.consumer is not None and runtime.settings.run_consumers:
            checks["consumer"] = runtime.consumer.ready.is_set()
        ok = runtime is not None and all(checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "checks": checks},
            status_code=200 if ok else 503,
        )

    @router.get("/metrics", operation_id="metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router


def get_runtime(request: Request) -> Runtime:
    """FastAPI dependency: the running service's runtime."""
    return request.app.state.runtime
