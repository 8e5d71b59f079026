"""The HTTP API against a served app and real Postgres: filters, sort, paging, CSV,
dashboard, purchase rows, settings with ETags, CSV import errors, roles, audit."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pl_support import make_settings
from test_pl_flow import AT, RUN, _meta, _sku, forecast_lists

from planner.api.schemas import PlanListRow
from planner.app import build_spec
from planner.handlers import ingest
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app
from restock_contracts.catalog.v1 import SkusChanged, SupplierRecord, SuppliersChanged
from restock_contracts.forecasting.v1 import ForecastsPublished, SkuForecast
from restock_contracts.inventory.v1 import StockLevelRecord, StockLevelsChanged
from restock_contracts.tenancy.v1 import TenantCreated

pytestmark = pytest.mark.asyncio


async def _seed(runtime: Any, tenant: uuid.UUID) -> None:
    """Feed the ingest use cases directly (the broker path is covered by test_pl_flow)."""
    skus = [
        _sku("v1", sku="=EVIL()"),
        _sku("v2", category="paint", default_supplier_id="s2"),
        _sku("v3", discontinued=True),
    ]
    stock = [
        StockLevelRecord(
            variant_id=v,
            location_id="wh",
            on_hand=Decimal(q),
            committed=Decimal(0),
            as_of=AT,
            updated_at=AT,
        )
        for v, q in (("v1", 10), ("v2", 900), ("v3", 40))
    ]
    fcs = [
        SkuForecast(
            variant_id=v,
            location_id="wh",
            forecast_run_id=RUN,
            as_of=AT.date(),
            model="naive",
            demand_class="smooth",
            granularity="D",
            distribution="normal",
            **forecast_lists(r),
        )
        for v, r in (("v1", 5.0), ("v2", 1.0), ("v3", 0.0))
    ]
    async with runtime.uow() as uow:
        await ingest.apply_tenant(
            uow,
            tenant,
            TenantCreated(
                tenant_id=tenant,
                name="T",
                time_zone="Europe/Tallinn",
                base_currency="EUR",
                primary_source="katana",
            ),
        )
        await ingest.apply_records(
            uow,
            "suppliers",
            tenant,
            SuppliersChanged(
                **_meta(),
                records=[
                    SupplierRecord(supplier_id="s1", name="Acme", currency="USD", updated_at=AT)
                ],
            ),
        )
        await ingest.apply_records(uow, "skus", tenant, SkusChanged(**_meta(), records=skus))
        await ingest.apply_records(
            uow, "stock_levels", tenant, StockLevelsChanged(**_meta(), records=stock)
        )
        await ingest.apply_forecasts(
            uow, tenant, ForecastsPublished(forecast_run_id=RUN, batch_seq=1, forecasts=fcs)
        )
        await uow.commit()


def _auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


async def _plan(http: httpx.AsyncClient, token: str, version: int = 0, **params: Any) -> Any:
    for _ in range(150):
        r = await http.get("/v1/plan", params=params, headers=_auth(token))
        assert r.status_code == 200, r.text
        if r.json()["plan_version"] > version and r.json()["total"]:
            return r.json()
        await asyncio.sleep(0.2)
    raise AssertionError("no new plan version")


async def test_plan_and_settings_api(
    pg_url: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    settings = make_settings(
        pg_url, "", keys_dir, f"pla_{unique_name}", KAFKA_BOOTSTRAP_SERVERS=None
    )
    app = create_app(build_spec(settings))
    tenant = uuid.uuid4()
    token, viewer = mint_token(tenant, ["planner"]), mint_token(tenant, ["viewer"])
    async with serve_app(app) as url, httpx.AsyncClient(base_url=url) as http:
        await _seed(app.state.runtime, tenant)
        first = await _plan(http, token)
        assert first["total"] == 3 and first["as_of"] == "2026-06-01"
        page = await _plan(
            http, token, status=["understocked", "overstocked"], sort="-sku", page_size=1
        )
        assert page["total"] == 2 and page["items"][0]["variant_id"] == "v2"
        assert (await _plan(http, token, q="evil"))["items"][0]["variant_id"] == "v1"
        assert (await _plan(http, token, category="paint"))["total"] == 1
        assert set(first["items"][0]) == set(PlanListRow.model_fields), "list contract"
        rows = first["items"]
        buying = [r["variant_id"] for r in rows if r["order_qty"] > 0 and r["action"] == "buy"]
        both = await _plan(http, token, needs_order=True, action="buy", location_id="wh")
        assert sorted(r["variant_id"] for r in both["items"]) == sorted(buying)
        assert both["total"] == len(buying) and both["plan_version"] == first["plan_version"]
        past = await _plan(http, token, page=9, page_size=2)
        assert past["items"] == [] and past["total"] == 3 and past["total_pages"] == 2
        assert past["computed_at"] == first["computed_at"] is not None
        bad = await http.get("/v1/plan", params={"sort": "colour"}, headers=_auth(token))
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")

        exported = await http.get("/v1/plan/export.csv", headers=_auth(viewer))
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [r["sku"] for r in rows if r["variant_id"] == "v1"] == ["'=EVIL()"]

        dash = (await http.get("/v1/plan/dashboard", headers=_auth(viewer))).json()
        assert dash["understocked_count"] == 1 and dash["overstocked_count"] == 1
        assert dash["discontinued_count"] == 1
        assert dash["inventory_value"] == pytest.approx((10 + 900 + 40) * 2)
        assert dash["capital_that_could_be_freed"] == pytest.approx(
            dash["overstocked_excess_value"]
        )
        assert dash["overstocked_excess_value"] > 0
        assert dash["most_urgent"][0]["variant_id"] == "v1"

        buys = (
            await http.get(
                "/v1/plan/purchase-rows", params={"supplier_id": "s1"}, headers=_auth(viewer)
            )
        ).json()
        assert [
            (r["variant_id"], r["supplier_currency"], r["po_status_on_create"])
            for r in buys["items"]
        ] == [("v1", "USD", "NOT_RECEIVED")]
        assert buys["items"][0]["order_qty"] == buys["items"][0]["order_qty_purchase_uom"] * 10

        r = await http.get("/v1/settings/global", headers=_auth(viewer))
        etag = r.headers["etag"]
        assert r.json() == {
            "scope": "global",
            "scope_id": "",
            "location_id": "",
            "values": {},
            "version": 0,
        }
        denied = await http.patch(
            "/v1/settings/global", json={"values": {"moq": "5"}}, headers=_auth(viewer)
        )
        assert denied.status_code == 403
        invalid = await http.patch(
            "/v1/settings/global", json={"values": {"service_level": "1.2"}}, headers=_auth(token)
        )
        assert invalid.status_code == 422 and invalid.json()["key"] == "service_level"
        ok = await http.patch(
            "/v1/settings/global",
            json={"values": {"service_level": "0.99"}},
            headers=_auth(token, **{"If-Match": etag}),
        )
        assert ok.status_code == 200 and ok.json()["version"] == 1
        stale = await http.patch(
            "/v1/settings/global",
            json={"values": {"moq": "1"}},
            headers=_auth(token, **{"If-Match": etag}),
        )
        assert stale.status_code == 412
        replanned = await _plan(http, token, version=first["plan_version"])
        assert {r["service_level"] for r in replanned["items"]} == {0.99}

        csv_text = (
            "scope,scope_id,location_id,moq,review_period_days\n"
            "product,v1,wh,25,\nsupplier,s1,,abc,0\n"
        )
        rejected = await http.post(
            "/v1/settings/import.csv",
            content=csv_text,
            headers=_auth(token, **{"Content-Type": "text/csv"}),
        )
        assert rejected.status_code == 422
        assert [(e["row"], e["column"]) for e in rejected.json()["errors"]] == [
            (3, "review_period_days"),
            (3, "moq"),
        ]
        good = await http.post(
            "/v1/settings/import.csv",
            content=csv_text.splitlines()[0] + "\nproduct,v1,wh,25,\n",
            headers=_auth(token),
        )
        assert good.json() == {"applied": True, "rows": 1, "changed_scopes": 1, "errors": []}
        back = (await http.get("/v1/settings/export.csv", headers=_auth(viewer))).text
        assert "product,v1,wh," in back and "global,,," in back

        audit = (await http.get("/v1/settings/audit", headers=_auth(viewer))).json()
        assert [(a["key"], a["via"]) for a in audit["items"]] == [
            ("moq", "csv"),
            ("service_level", "api"),
        ]
        assert audit["items"][1]["new_value"] == "0.99" and audit["items"][1]["old_value"] is None

        eff = await _effective(http, viewer)
        assert eff["settings"]["moq"] == {"value": "25", "source": "product_override"}
        assert eff["settings"]["service_level"] == {"value": "0.99", "source": "global"}
        assert eff["settings"]["learned"] == {
            "lead_time_days": None,
            "lead_time_std_days": None,
            "receipts": 0,
        }
        missing = await http.get("/v1/plan/rows/nope/wh", headers=_auth(viewer))
        assert missing.status_code == 404


async def _effective(http: httpx.AsyncClient, token: str) -> Any:
    for _ in range(150):
        r = await http.get("/v1/plan/rows/v1/wh/settings", headers=_auth(token))
        if r.json()["settings"]["moq"]["source"] == "product_override":
            return r.json()
        await asyncio.sleep(0.2)
    raise AssertionError("the CSV import never re-planned")
