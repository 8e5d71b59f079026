"""What the chaos run compares: a tenant's end state (plan rows, dashboard, purchase orders
at the Katana sandbox, the forecaster's sales lines), every service's dead letters, and
the poison message it injects."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any

import httpx
from journey import Journey
from pipeline_idle import DATABASES, db_url

PLAN_KEYS = (
    "variant_id",
    "location_id",
    "status",
    "action",
    "order_qty",
    "safety_stock",
    "reorder_point",
    "order_up_to",
    "net_position",
    "on_order",
    "excess_value",
    "shortage_cost",
    "days_until_stockout",
)
DASHBOARD_KEYS = (
    "sku_locations",
    "understocked_count",
    "overstocked_count",
    "understocked_expected_lost_sales_value",
    "suggested_purchase_value",
    "overstocked_excess_value",
    "inventory_value",
)
POISON = b'{"poison": "not an envelope"}'


@dataclass(frozen=True)
class EndState:
    """A tenant's end state, free of ids that differ between tenants."""

    plan: list[tuple[Any, ...]]
    dashboard: tuple[Any, ...]
    pos: list[tuple[Any, ...]]
    """Per draft: (supplier, location, ((variant, quantity), ...), copies at the sandbox)."""
    sales_lines: tuple[int, str]
    """(count, sorted line ids joined) in the forecaster."""


def _round(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def capture(journey: Journey, katana_sandbox: str, api_key: str, env: dict[str, str]) -> EndState:
    urls = journey.urls
    rows: list[tuple[Any, ...]] = []
    page = 1
    while True:
        body = journey.call(
            "GET", f"{urls.planner}/v1/plan?page={page}&page_size=200&sort=sku"
        ).json()
        rows += [tuple(_round(r.get(k)) for k in PLAN_KEYS) for r in body["items"]]
        if page * 200 >= body["total"]:
            break
        page += 1
    dash = journey.call("GET", f"{urls.planner}/v1/plan/dashboard").json()
    pos = []
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {api_key}"}) as katana:
        for draft in journey.tenant.drafts:
            found = katana.get(
                f"{katana_sandbox}/v1/purchase_orders",
                params={"order_no": draft["order_number"], "limit": 250},
            )
            found.raise_for_status()
            copies = [p for p in found.json()["data"] if p["order_no"] == draft["order_number"]]
            lines = tuple(
                sorted(
                    (str(r["variant_id"]), float(r["quantity"]))
                    for r in (copies[0].get("purchase_order_rows") or [] if copies else [])
                )
            )
            pos.append((draft["supplier_id"], draft["location_id"], lines, len(copies)))
    ids = asyncio.run(_sales_line_ids(env["DATABASE_URL"], journey.tenant.tenant_id))
    return EndState(
        plan=sorted(rows, key=repr),
        dashboard=tuple(_round(dash.get(k)) for k in DASHBOARD_KEYS),
        pos=sorted(pos, key=repr),
        sales_lines=(len(ids), hashlib.sha256("\n".join(ids).encode()).hexdigest()),
    )


async def _sales_line_ids(server_url: str, tenant_id: str) -> list[str]:
    import asyncpg

    conn = await asyncpg.connect(db_url(server_url, "restock_forecaster"))
    try:
        rows = await conn.fetch(
            "SELECT line_id FROM sales_line WHERE tenant_id = $1 ORDER BY line_id", tenant_id
        )
    finally:
        await conn.close()
    return [r["line_id"] for r in rows]


def dead_letters(server_url: str) -> list[tuple[str, str, bytes]]:
    """Every service's dead letters: (database, topic, value)."""

    async def collect() -> list[tuple[str, str, bytes]]:
        import asyncpg

        out = []
        for database in DATABASES:
            conn = await asyncpg.connect(db_url(server_url, database))
            try:
                rows = await conn.fetch("SELECT topic, value FROM dead_letter ORDER BY id")
            finally:
                await conn.close()
            out += [(database, r["topic"], bytes(r["value"])) for r in rows]
        return out

    return asyncio.run(collect())


def produce_poison(bootstrap: str, topic: str, tenant_id: str) -> None:
    """One record that is no event envelope at all, keyed by the tenant."""

    async def send() -> None:
        from aiokafka import AIOKafkaProducer

        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(topic, POISON, key=tenant_id.encode())
        finally:
            await producer.stop()

    asyncio.run(send())


def compare(ref: EndState, bad: EndState, dlq: list[tuple[str, str, bytes]]) -> list[str]:
    """Differences between the fault-free and the faulty end state (empty = equal)."""
    out = []
    if ref.plan != bad.plan:
        diff = [(a, b) for a, b in zip(ref.plan, bad.plan, strict=False) if a != b]
        out.append(f"plan rows differ ({len(ref.plan)} vs {len(bad.plan)} rows; first: {diff[:3]})")
    if ref.dashboard != bad.dashboard:
        out.append(f"dashboard differs: {ref.dashboard} vs {bad.dashboard}")
    if [p[:3] for p in ref.pos] != [p[:3] for p in bad.pos]:
        out.append(f"purchase orders differ: {ref.pos} vs {bad.pos}")
    for name, state in (("reference", ref), ("faulty", bad)):
        not_once = [p for p in state.pos if p[3] != 1]
        if not_once:
            out.append(f"{name}: POs not exactly once at the sandbox: {not_once}")
    if not ref.pos:
        out.append("the reference run sent no purchase orders (nothing to compare)")
    if ref.sales_lines != bad.sales_lines:
        out.append(f"sales lines differ: {ref.sales_lines[0]} vs {bad.sales_lines[0]}")
    poison = [d for d in dlq if d[2] == POISON]
    others = [(d[0], d[1], d[2][:120]) for d in dlq if d[2] != POISON]
    if not poison:
        out.append("the poison message is in no dead-letter queue")
    if others:
        out.append(f"unexpected dead letters: {others}")
    return out
