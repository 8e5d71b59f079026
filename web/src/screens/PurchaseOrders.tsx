// Purchase orders: drafts grouped by supplier, edit quantities and arrival, approve, send,
// status and errors in words, and the sent history.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ok, okTagged } from "../api/client";
import type { components } from "../api/schema";
import { useFormat } from "../format";
import { Empty, ErrorBox, Loading, PageTitle, StatusBadge } from "../components/ui";

type Order = components["schemas"]["OrderOut"];

export function PurchaseOrders() {
  const [tab, setTab] = useState<"open" | "sent">("open");
  return (
    <>
      <PageTitle title="Purchase orders">Purchase orders</PageTitle>
      <div role="tablist" aria-label="Purchase order lists" className="tabs">
        <button role="tab" aria-selected={tab === "open"} onClick={() => setTab("open")}>Open</button>
        <button role="tab" aria-selected={tab === "sent"} onClick={() => setTab("sent")}>Sent history</button>
      </div>
      <div role="tabpanel">{tab === "open" ? <OpenOrders /> : <SentOrders />}</div>
    </>
  );
}

function OpenOrders() {
  const orders = useQuery({
    queryKey: ["pos", "open"],
    queryFn: () => ok(api.GET("/api/v1/purchase-orders", { params: { query: { page_size: 200 } as never } })),
    refetchInterval: (q) => (q.state.data?.items.some((o) => o.status === "sending") ? 1000 : false),
  });
  if (orders.isLoading) return <Loading what="Loading purchase orders" />;
  if (orders.error) return <ErrorBox error={orders.error} />;
  const items = orders.data?.items ?? [];
  if (!items.length) return <Empty>No open purchase orders. Select rows in the order plan and choose “Create purchase orders”.</Empty>;
  const groups = new Map<string, Order[]>();
  for (const o of items) groups.set(o.supplier_id, [...(groups.get(o.supplier_id) ?? []), o]);
  return (
    <>
      {[...groups.entries()].map(([supplier, list]) => (
        <section key={supplier} aria-label={`Supplier ${supplier}`} className="supplier-group">
          <h2>Supplier {supplier}</h2>
          {list.map((o) => (
            <OrderCard key={o.draft_id} id={o.draft_id} />
          ))}
        </section>
      ))}
    </>
  );
}

function OrderCard({ id }: { id: string }) {
  const f = useFormat();
  const client = useQueryClient();
  const order = useQuery({
    queryKey: ["po", id],
    queryFn: () => okTagged(api.GET("/api/v1/purchase-orders/{draft_id}", { params: { path: { draft_id: id } } })),
    refetchInterval: (q) => (q.state.data?.data.status === "sending" ? 1000 : false),
  });
  const refresh = () => {
    client.invalidateQueries({ queryKey: ["po", id] });
    client.invalidateQueries({ queryKey: ["pos"] });
  };
  const headers = () => ({ "If-Match": order.data?.etag ?? "" });
  const act = useMutation({
    mutationFn: async (what: "approve" | "send" | "reopen") => {
      const opts = { params: { path: { draft_id: id }, header: headers() } } as never;
      if (what === "approve") return ok(api.POST("/api/v1/purchase-orders/{draft_id}/approve", opts));
      if (what === "send") return ok(api.POST("/api/v1/purchase-orders/{draft_id}/send", opts));
      return ok(api.POST("/api/v1/purchase-orders/{draft_id}/reopen", opts));
    },
    onSettled: refresh,
  });
  const editLine = useMutation({
    mutationFn: ({ lineId, quantity }: { lineId: string; quantity: string }) =>
      ok(
        api.PATCH("/api/v1/purchase-orders/{draft_id}/lines/{line_id}", {
          params: { path: { draft_id: id, line_id: lineId }, header: headers() } as never,
          body: { quantity },
        }),
      ),
    onSettled: refresh,
  });
  const editArrival = useMutation({
    mutationFn: (expected_arrival: string) =>
      ok(
        api.PATCH("/api/v1/purchase-orders/{draft_id}", {
          params: { path: { draft_id: id }, header: headers() } as never,
          body: { expected_arrival },
        }),
      ),
    onSettled: refresh,
  });
  if (order.isLoading) return <Loading />;
  if (order.error) return <ErrorBox error={order.error} />;
  const o = order.data!.data;
  const editable = o.status === "draft";
  const can = (a: string) => o.allowed_actions.includes(a);
  return (
    <article className="card order" aria-label={`Order ${o.order_number}`}>
      <h3>
        {o.order_number} <StatusBadge status={o.status} /> <span className="muted">location {o.location_id}</span>
      </h3>
      {o.failure_message && (
        <p className="error" role="alert">
          Sending failed: {o.failure_message}
          {o.failure_retryable ? " You can try sending again." : " Fix the order and approve it again."}
        </p>
      )}
      {o.provider_po_number && <p>Created in {o.source} as {o.provider_po_number}.</p>}
      <table className="grid compact">
        <thead>
          <tr>
            <th scope="col">SKU</th><th scope="col">Name</th><th scope="col" className="num">Quantity</th>
            <th scope="col" className="num">Suggested</th><th scope="col" className="num">Unit price</th>
          </tr>
        </thead>
        <tbody>
          {o.lines.map((l) => (
            <tr key={l.line_id}>
              <td>{l.sku}</td>
              <td>{l.name}</td>
              <td className="num">
                {editable ? (
                  <input className="qty" type="number" min="0" step="any" defaultValue={Number(l.quantity)}
                    aria-label={`Quantity of ${l.sku ?? l.variant_id}`}
                    onBlur={(e) => e.target.value !== String(Number(l.quantity)) && editLine.mutate({ lineId: l.line_id, quantity: e.target.value })} />
                ) : (
                  f.num(l.quantity, 2)
                )}
              </td>
              <td className="num">{f.num(l.suggested_quantity, 2)}</td>
              <td className="num">{f.money(l.unit_price, o.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Total {f.money(o.total, o.currency)}
        {o.currency !== o.base_currency ? ` (${f.money(o.total_base, o.base_currency)})` : ""} · expected arrival{" "}
        {editable ? (
          <input type="date" aria-label={`Expected arrival of ${o.order_number}`} defaultValue={o.expected_arrival ?? ""}
            onBlur={(e) => e.target.value && e.target.value !== o.expected_arrival && editArrival.mutate(e.target.value)} />
        ) : (
          f.date(o.expected_arrival)
        )}
      </p>
      <ErrorBox error={act.error ?? editLine.error ?? editArrival.error} />
      <div className="actions">
        {can("approve") && <button className="primary" onClick={() => act.mutate("approve")} disabled={act.isPending}>Approve</button>}
        {can("send") && <button className="primary" onClick={() => act.mutate("send")} disabled={act.isPending}>Send to {o.source ?? "provider"}</button>}
        {can("reopen") && <button onClick={() => act.mutate("reopen")} disabled={act.isPending}>Back to draft</button>}
      </div>
    </article>
  );
}

function SentOrders() {
  const f = useFormat();
  const sent = useQuery({
    queryKey: ["pos", "sent"],
    queryFn: () => ok(api.GET("/api/v1/purchase-orders/sent", { params: { query: { page_size: 100 } as never } })),
  });
  if (sent.isLoading) return <Loading />;
  if (sent.error) return <ErrorBox error={sent.error} />;
  const items = sent.data?.items ?? [];
  if (!items.length) return <Empty>Nothing sent yet.</Empty>;
  return (
    <table className="grid" aria-label="Sent purchase orders">
      <thead>
        <tr>
          <th scope="col">Order</th><th scope="col">Supplier</th><th scope="col">Status</th><th scope="col">In provider as</th>
          <th scope="col" className="num">Total</th><th scope="col">Sent</th>
        </tr>
      </thead>
      <tbody>
        {items.map((o) => (
          <tr key={o.draft_id}>
            <td>{o.order_number}</td>
            <td>{o.supplier_id}</td>
            <td><StatusBadge status={o.status} /></td>
            <td>{o.source} {o.provider_po_number ?? o.provider_po_id}</td>
            <td className="num">{f.money(o.total, o.currency)}</td>
            <td>{f.dateTime(o.submitted_at ?? o.sent_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
