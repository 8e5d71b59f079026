"""Load jobs against the running sandbox: full, incremental and refresh with deletions,
normalisation, completion markers, progress, and resume after a worker dies."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from cx_support import connect, outbox, records, run_load, scalar, service, wait_job

from restock_contracts.topics import SALES_LINES
from xero_sandbox.testing import fast_config, running_sandbox

pytestmark = pytest.mark.asyncio


def markers(envelopes: list[Any], sync_id: str) -> dict[str, Any]:
    return {
        e.payload.stream: e.payload
        for e in envelopes
        if e.event_type == "connectors.stream_completed" and str(e.payload.sync_id) == sync_id
    }


async def test_full_incremental_refresh_with_deletions(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    with running_sandbox(fast_config()) as sb:
        tenant = sb.tenant_ids[0]
        async with service(sb, pg_url, kafka_bootstrap, keys_dir, unique_name, mint_token) as svc:
            _, connection_id = await connect(svc, sb)
            full = await run_load(svc, connection_id, "full")
            assert full["status"] == "succeeded", full
            assert full["progress"]["entities"]["invoices"]["state"] == "done"
            everything = await outbox(svc)
            sync_id = full["job_id"]
            skus = records(
                [e for e in everything if e.event_type == "catalog.skus_changed"], sync_id
            )
            items = sb.sandbox.orgs[tenant].collections["Items"]
            assert {s.variant_id for s in skus} == {
                i["ItemID"] for i in items.values() if i.get("IsTrackedAsInventory")
            }
            assert all(s.sku for s in skus)
            sales = records(
                [e for e in everything if e.event_type == "sales.lines_changed"], sync_id
            )
            statuses = {(s.raw_status, s.status) for s in sales if not s.is_return}
            assert ("PAID", "fulfilled") in statuses and ("DRAFT", "draft") in statuses
            returns = [s for s in sales if s.is_return]
            assert returns and all(r.status == "returned" for r in returns)
            assert any(
                r.original_sale_date and r.original_sale_date < r.order_date for r in returns
            )
            offset = sales[0].order_date.utcoffset().total_seconds() / 3600
            assert sales[0].order_date.hour == 0 and offset in (12, 13), "local midnight, NZ"
            pos = records(
                [
                    e
                    for e in everything
                    if e.event_type == "purchasing.purchase_order_lines_changed"
                ],
                sync_id,
            )
            assert {p.raw_status for p in pos} >= {"BILLED", "AUTHORISED"}
            suppliers = records(
                [e for e in everything if e.event_type == "catalog.suppliers_changed"], sync_id
            )
            assert {p.supplier_id for p in pos if p.supplier_id} <= {
                s.supplier_id for s in suppliers
            }
            done = markers(everything, sync_id)
            assert set(done) == {
                "locations",
                "skus",
                "stock_levels",
                "suppliers",
                "sales_lines",
                "purchase_order_lines",
            }
            batches = Counter(
                e.payload.__class__.__name__
                for e in everything
                if hasattr(e.payload, "batch_seq") and str(e.payload.sync_id) == sync_id
            )
            assert done["sales_lines"].batch_count == batches["SalesLinesChanged"]
            assert done["sales_lines"].record_count == len(sales)
            lifecycle = [
                e.event_type for e in everything if e.event_type.startswith("connectors.sync")
            ]
            assert lifecycle[-2:] == ["connectors.sync_started", "connectors.sync_finished"]

            # nothing changed: an incremental republishes nothing
            before = len(await outbox(svc))
            quiet = await run_load(svc, connection_id, "incremental")
            assert quiet["status"] == "succeeded"
            new = (await outbox(svc))[before:]
            assert records(new) == [], "unchanged records are not republished"
            assert quiet["progress"]["entities"]["invoices"]["records"] < len(
                {s.order_id for s in sales}
            )

            # changes at Xero: an invoice re-lined, an item hard-deleted, stock moved
            org = sb.sandbox.orgs[tenant]
            invoice = next(
                i
                for i in org.collections["Invoices"].values()
                if i["Type"] == "ACCREC" and i["Status"] == "AUTHORISED"
            )
            old_lines = {li["LineItemID"] for li in invoice["LineItems"]}
            codes = [i["Code"] for i in items.values() if i.get("IsTrackedAsInventory")]
            await asyncio.to_thread(sb.advance, 60)
            await asyncio.to_thread(
                sb.admin,
                "POST",
                f"/tenants/{tenant}/invoices/{invoice['InvoiceID']}",
                {
                    "Status": "PAID",
                    "LineItems": [{"ItemCode": codes[0], "Quantity": 3, "UnitAmount": 10}],
                },
            )
            gone = next(i for i in items.values() if i["Code"] == codes[-1])["ItemID"]
            await asyncio.to_thread(sb.admin, "DELETE", f"/tenants/{tenant}/items/{gone}")
            moved = next(i for i in items.values() if i["Code"] == codes[1])["ItemID"]
            await asyncio.to_thread(
                sb.admin, "POST", f"/tenants/{tenant}/items/{moved}", {"QuantityOnHand": 999}
            )

            before = len(await outbox(svc))
            inc = await run_load(svc, connection_id, "incremental")
            assert inc["status"] == "succeeded"
            new = (await outbox(svc))[before:]
            lines = records([e for e in new if e.event_type == "sales.lines_changed"])
            assert {line.line_id for line in lines if line.deleted} == old_lines
            live = [line for line in lines if not line.deleted]
            assert len(live) == 1 and live[0].raw_status == "PAID" and live[0].status == "fulfilled"
            sku_changes = records([e for e in new if e.event_type == "catalog.skus_changed"])
            assert {(s.variant_id, s.deleted) for s in sku_changes} == {
                (gone, True),
                (moved, False),
            }
            levels = records([e for e in new if e.event_type == "inventory.stock_levels_changed"])
            assert {(lv.variant_id, lv.deleted) for lv in levels} == {(moved, False), (gone, True)}
            assert next(lv.on_hand for lv in levels if lv.variant_id == moved) == 999
            assert markers(new, inc["job_id"])["skus"].deleted_count == 1

            # refresh: stock snapshot for every item, no other republishing
            before = len(await outbox(svc))
            ref = await run_load(svc, connection_id, "refresh")
            assert ref["status"] == "succeeded"
            new = (await outbox(svc))[before:]
            levels = records([e for e in new if e.event_type == "inventory.stock_levels_changed"])
            assert len(levels) == len(codes) - 1
            assert all(e.payload.mode == "refresh" for e in new if hasattr(e.payload, "mode"))
            assert records([e for e in new if e.event_type == "sales.lines_changed"]) == []
            assert (
                await scalar(
                    svc, "select count(*) from snapshot_record where stream = 'skus' and deleted"
                )
                == 1
            )


async def test_job_resumes_after_its_worker_dies(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    with running_sandbox(fast_config()) as sb:
        opts = {"page_size": 40, "job_lease_s": 1.5}
        async with service(
            sb, pg_url, kafka_bootstrap, keys_dir, unique_name, mint_token, **opts
        ) as a:
            _, connection_id = await connect(a, sb)
            await asyncio.to_thread(
                sb.admin, "POST", "/faults", {"slow_calls": -1, "slow_seconds": 0.15}
            )
            started = await a.http.post(
                f"/v1/xero/connections/{connection_id}/loads", headers=a.auth, json={"mode": "full"}
            )
            job_id = started.json()["job_id"]
            for _ in range(400):
                body = (await a.http.get(f"/v1/xero/loads/{job_id}", headers=a.auth)).json()
                if body["progress"].get("entities", {}).get("invoices", {}).get("page", 0) >= 2:
                    break
                await asyncio.sleep(0.05)
            tenant_id, token = a.tenant_id, a.token
        await asyncio.to_thread(sb.admin, "DELETE", "/faults")
        async with service(
            sb, pg_url, kafka_bootstrap, keys_dir, unique_name, mint_token, **opts
        ) as b:
            b.tenant_id, b.token = tenant_id, token
            job = await wait_job(b, job_id, 60)
            assert job["status"] == "succeeded" and job["attempts"] == 2
            sales_batches = [
                e.payload
                for e in await outbox(b, SALES_LINES.name)
                if e.event_type == "sales.lines_changed" and str(e.payload.sync_id) == job_id
            ]
            seqs = [p.batch_seq for p in sales_batches]
            assert seqs == list(range(1, len(seqs) + 1)), "batch numbering continues after resume"
            line_ids = [r.line_id for p in sales_batches for r in p.records]
            assert len(line_ids) == len(set(line_ids)), "no page published twice"
            marker = markers(await outbox(b, SALES_LINES.name), job_id)["sales_lines"]
            assert marker.batch_count == len(seqs) and marker.record_count == len(line_ids)
