import json

import httpx


def _page(client, path, **params):
    r = client.get(path, params=params)
    assert r.status_code == 200
    return r.json()["data"], json.loads(r.headers["X-Pagination"])


def test_pagination_defaults_clamp_and_newest_first(client):
    rows, meta = _page(client, "/sales_orders")
    assert len(rows) == 50
    assert all(isinstance(v, str) for v in meta.values())
    assert meta["page"] == "1"
    assert meta["first_page"] == "true"
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids, reverse=True)
    big, meta = _page(client, "/sales_orders", limit=1000)
    assert len(big) == 250
    total = int(meta["total_records"])
    assert int(meta["total_pages"]) == -(-total // 250)
    _last, lmeta = _page(client, "/sales_orders", limit=250, page=meta["total_pages"])
    assert lmeta["last_page"] == "true"
    assert lmeta["offset"] == str((int(meta["total_pages"]) - 1) * 250)
    seen = set()
    for p in range(1, int(meta["total_pages"]) + 1):
        seen |= {r["id"] for r in _page(client, "/sales_orders", limit=250, page=p)[0]}
    assert len(seen) == total


def test_inventory_oldest_location_first_with_decimal_strings(client):
    rows, _ = _page(client, "/inventory", limit=250)
    locs = [r["location_id"] for r in rows]
    assert locs == sorted(locs)
    assert all(
        isinstance(r["quantity_in_stock"], str) and "." in r["quantity_in_stock"] for r in rows
    )
    one, _ = _page(client, "/inventory", variant_id=3, location_id=1)
    assert [(r["variant_id"], r["location_id"]) for r in one] == [(3, 1)]


def test_filters_and_unknown_filter_ignored(client):
    all_rows, meta = _page(client, "/variants", limit=250)
    _same, meta2 = _page(client, "/variants", limit=250, no_such_filter="x", product_id="abc")
    assert meta2["total_records"] == meta["total_records"]
    mats, _ = _page(client, "/variants", limit=250, type="material")
    assert mats
    assert all(v["type"] == "material" for v in mats)
    skus = [all_rows[0]["sku"], all_rows[1]["sku"]]
    by_sku = client.get("/variants", params=[("sku", skus[0]), ("sku", skus[1])]).json()["data"]
    assert sorted(v["sku"] for v in by_sku) == sorted(skus)
    orders, _ = _page(client, "/sales_orders", limit=250)
    mid = orders[100]["created_at"]
    newer, _ = _page(client, "/sales_orders", limit=250, created_at_min=mid)
    assert newer
    assert all(o["created_at"] >= mid for o in newer)
    rows, _ = _page(client, "/sales_order_rows", sales_order_ids=orders[0]["id"])
    assert {r["sales_order_id"] for r in rows} == {orders[0]["id"]}
    assert [r["id"] for r in rows] == sorted(r["id"] for r in orders[0]["sales_order_rows"])[::-1]


def test_auth_and_accounts_are_separate(sandbox, client):
    r = httpx.get(f"{sandbox.base_url}/products", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert r.json() == {"statusCode": 401, "name": "UnauthorizedError", "message": "Unauthorized"}
    with sandbox.client("key-b") as other:
        b = other.get("/variants", params={"limit": 250}).json()["data"]
    a = client.get("/variants", params={"limit": 250}).json()["data"]
    assert len(a) == 40
    assert len(b) == 20
    assert client.get("/products/999999").status_code == 404
    assert client.get("/products/999999").json()["name"] == "NotFoundError"


def test_admin_mutations_updated_at_and_include_deleted(sandbox, client):
    t0 = sandbox.advance_clock(days=1)
    prod = sandbox.mutate("POST", "products", data={"name": "Brand new", "sku": "NEW-SKU-1"})
    vid = prod["variants"][0]["id"]
    changed, _ = _page(client, "/products", updated_at_min=t0)
    assert [p["id"] for p in changed] == [prod["id"]]
    assert client.get(f"/variants/{vid}").json()["sku"] == "NEW-SKU-1"
    t1 = sandbox.advance_clock(seconds=10)
    sandbox.mutate("PATCH", "variants", vid, {"sku": "NEW-SKU-2"})
    upd, _ = _page(client, "/variants", updated_at_min=t1)
    assert [v["sku"] for v in upd] == ["NEW-SKU-2"]
    so = sandbox.mutate(
        "POST",
        "sales_orders",
        data={"rows": [{"variant_id": vid, "quantity": 2}], "customer_id": 1},
    )
    sandbox.mutate("DELETE", "sales_orders", so["id"])
    assert client.get(f"/sales_orders/{so['id']}").status_code == 404
    live, _ = _page(client, "/sales_orders", ids=so["id"])
    assert live == []
    gone, _ = _page(client, "/sales_orders", ids=so["id"], include_deleted="true")
    assert gone[0]["deleted_at"] is not None
    assert client.delete(f"/products/{prod['id']}").status_code == 204
    deleted, _ = _page(client, "/products", updated_at_min=t1, include_deleted="true")
    assert [p["id"] for p in deleted] == [prod["id"]]
    assert deleted[0]["deleted_at"]


def test_clock_advances(sandbox):
    before = sandbox.now()
    after = sandbox.advance_clock(days=3)
    assert after[:10] > before[:10]
    assert before.endswith("Z")
    assert len(before) == 24
