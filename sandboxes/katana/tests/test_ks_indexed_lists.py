"""Indexed list pages agree with client-side filtering and follow every data change."""

import threading
import time


def _walk(client, path, **params):
    out, page = [], 1
    while True:
        r = client.get(path, params={**params, "limit": 250, "page": page})
        assert r.status_code == 200
        out += r.json()["data"]
        if '"last_page":"true"' in r.headers["X-Pagination"]:
            return out
        page += 1


def _po(order_no, variant_id=1):
    return {
        "supplier_id": 1,
        "location_id": 1,
        "order_no": order_no,
        "status": "NOT_RECEIVED",
        "purchase_order_rows": [{"variant_id": variant_id, "quantity": 3, "price_per_unit": 1}],
    }


def test_filtered_pages_match_client_side_filtering(client):
    cases = [
        ("/sales_orders", {"status": "DELIVERED"}, lambda r: r["status"] == "DELIVERED"),
        ("/sales_order_rows", {"variant_id": 3}, lambda r: r["variant_id"] == 3),
        ("/inventory_movements", {"variant_ids": "2,5"}, lambda r: r["variant_id"] in (2, 5)),
        ("/purchase_orders", {"location_id": 1}, lambda r: r["location_id"] == 1),
        ("/inventory", {"location_id": 2}, lambda r: r["location_id"] == 2),
    ]
    for path, params, keep in cases:
        every = _walk(client, path)
        assert every and [r for r in every if keep(r)] == _walk(client, path, **params)
    moves = _walk(client, "/inventory_movements")
    ids = [m["id"] for m in moves]
    assert ids == sorted(ids, reverse=True)
    cut = sorted(m["updated_at"] for m in moves)[len(moves) // 2]
    later = _walk(client, "/inventory_movements", updated_at_min=cut, location_id=1)
    assert later == [m for m in moves if m["updated_at"] >= cut and m["location_id"] == 1]
    window = _walk(client, "/inventory_movements", created_at_min=cut, created_at_max=cut)
    assert window == [m for m in moves if m["created_at"] == cut]
    some = [m["id"] for m in moves[5:9]]
    assert [m["id"] for m in _walk(client, "/inventory_movements", ids=some)] == some


def test_created_po_and_advanced_clock_show_in_next_filtered_page(sandbox, client):
    before = _walk(client, "/purchase_orders", status="NOT_RECEIVED")
    since = sandbox.advance_clock(days=2)
    assert _walk(client, "/purchase_orders", updated_at_min=since) == []
    po = client.post("/purchase_orders", json=_po("PO-IDX-1")).json()
    assert po["created_at"] >= since
    assert [p["id"] for p in _walk(client, "/purchase_orders", updated_at_min=since)] == [po["id"]]
    now = _walk(client, "/purchase_orders", status="NOT_RECEIVED")
    assert [p["id"] for p in now] == [po["id"]] + [p["id"] for p in before]
    rows = _walk(client, "/purchase_order_rows", purchase_order_id=po["id"])
    assert [r["id"] for r in rows] == [r["id"] for r in po["purchase_order_rows"]]
    row = po["purchase_order_rows"][0]
    moves_before = _walk(client, "/inventory_movements", updated_at_min=since)
    sandbox.advance_clock(seconds=30)
    r = client.post(
        "/purchase_order_receive", json=[{"purchase_order_row_id": row["id"], "quantity": 3}]
    )
    assert r.status_code == 204
    moves = _walk(client, "/inventory_movements", updated_at_min=since)
    assert len(moves) == len(moves_before) + 1 and moves[0]["resource_id"] == row["id"]
    assert _walk(client, "/purchase_orders", status="NOT_RECEIVED") == now[1:]


def test_admin_delete_and_delayed_po_create_are_visible_at_once(sandbox, client):
    live = _walk(client, "/sales_orders", location_id=1)
    sandbox.mutate("DELETE", "sales_orders", live[0]["id"])
    assert _walk(client, "/sales_orders", location_id=1) == live[1:]
    gone = _walk(client, "/sales_orders", location_id=1, include_deleted="true")
    assert gone[0]["id"] == live[0]["id"] and gone[0]["deleted_at"]
    assert _walk(client, "/purchase_orders", order_no="PO-IDX-2") == []
    sandbox.set_faults(po_create_mode="delay", po_create_count=1, po_create_delay_s=2.0)
    slow = threading.Thread(
        target=lambda: sandbox.client(timeout=10).post("/purchase_orders", json=_po("PO-IDX-2"))
    )
    slow.start()
    deadline = time.monotonic() + 1.5
    found = []
    while not found and time.monotonic() < deadline:
        found = _walk(client, "/purchase_orders", order_no="PO-IDX-2")
    assert slow.is_alive(), "the PO response should still be delayed"
    slow.join()
    assert [p["order_no"] for p in found] == ["PO-IDX-2"]
