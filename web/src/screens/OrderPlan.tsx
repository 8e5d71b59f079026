// Order plan: server-side filter, search, sort and paging over the planner's rows (fast at
// 10,000+), status as icon + text + colour, selection → "Create purchase orders".
import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type SortingState,
} from "@tanstack/react-table";
import { api, ok, rawFetch } from "../api/client";
import type { components } from "../api/schema";
import { useFormat } from "../format";
import { Empty, ErrorBox, Loading, PageTitle, StatusBadge } from "../components/ui";

type Row = components["schemas"]["PlanListRow"];
const PAGE_SIZE = 50;
const key = (r: { variant_id: string; location_id: string }) => `${r.variant_id}|${r.location_id}`;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function OrderPlan() {
  const f = useFormat();
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 150);
  const [status, setStatus] = useState("");
  const [action, setAction] = useState("");
  const [needsOrder, setNeedsOrder] = useState(false);
  const [sorting, setSorting] = useState<SortingState>([{ id: "latest_order_date", desc: false }]);
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Record<string, Row>>({});
  useEffect(() => setPage(1), [q, status, action, needsOrder, sorting]);
  const sort = sorting.map((s) => (s.desc ? "-" : "") + s.id).join(",");
  const query = {
    page,
    page_size: PAGE_SIZE,
    sort: sort || undefined,
    q: q || undefined,
    status: status ? [status] : undefined,
    action: action || undefined,
    needs_order: needsOrder || undefined,
  };
  const plan = useQuery({
    queryKey: ["plan", query],
    queryFn: () => ok(api.GET("/api/v1/plan", { params: { query: query as never } })),
    placeholderData: keepPreviousData,
  });
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST("/api/v1/purchase-orders/drafts", {
          body: {
            lines: Object.values(selected).map((r) => ({ variant_id: r.variant_id, location_id: r.location_id })),
          } as never,
        }),
      ),
    onSuccess: (out) => {
      if (out.drafts.length) navigate("/purchase-orders");
    },
  });
  const skipped = create.data && !create.data.drafts.length ? create.data : null;
  const columns = useMemo<ColumnDef<Row>[]>(
    () => [
      { id: "select", header: "Select", enableSorting: false, cell: () => null },
      { id: "sku", header: "SKU", accessorKey: "sku" },
      { id: "name", header: "Name", accessorKey: "name" },
      { id: "supplier_name", header: "Supplier", accessorKey: "supplier_name" },
      { id: "location_id", header: "Location", accessorKey: "location_id" },
      { id: "status", header: "Status", accessorKey: "status" },
      { id: "order_qty", header: "Suggested qty", accessorKey: "order_qty" },
      { id: "latest_order_date", header: "Order by", accessorKey: "latest_order_date" },
      { id: "days_until_stockout", header: "Days to stock-out", accessorKey: "days_until_stockout" },
      { id: "net_position", header: "Net stock", accessorKey: "net_position" },
      { id: "inventory_value", header: "Stock value", accessorKey: "inventory_value" },
      { id: "info", header: "Analysis", enableSorting: false },
    ],
    [],
  );
  const data = plan.data?.items ?? [];
  const table = useReactTable({
    data,
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    state: { sorting },
    onSortingChange: setSorting,
    getRowId: key,
  });
  const count = Object.keys(selected).length;
  const toggle = (r: Row) =>
    setSelected((cur) => {
      const next = { ...cur };
      if (next[key(r)]) delete next[key(r)];
      else next[key(r)] = r;
      return next;
    });
  const allOnPage = data.length > 0 && data.every((r) => selected[key(r)]);
  const togglePage = () =>
    setSelected((cur) => {
      const next = { ...cur };
      for (const r of data) {
        if (allOnPage) delete next[key(r)];
        else next[key(r)] = r;
      }
      return next;
    });
  const cell = (r: Row, id: string) => {
    switch (id) {
      case "select":
        return (
          <input type="checkbox" aria-label={`Select ${r.sku ?? r.variant_id} at ${r.location_id}`}
            checked={!!selected[key(r)]} onChange={() => toggle(r)} />
        );
      case "status":
        return <StatusBadge status={r.status} />;
      case "location_id":
        return r.location_id.length > 12 ? <span title={r.location_id}>{r.location_id.slice(0, 8)}…</span> : r.location_id;
      case "order_qty":
        return f.num(r.order_qty);
      case "latest_order_date":
        return f.date(r.latest_order_date);
      case "days_until_stockout":
        return f.num(r.days_until_stockout);
      case "net_position":
        return f.num(r.net_position);
      case "inventory_value":
        return f.money(r.inventory_value);
      case "info":
        return (
          <Link className="info" to={`/plan/${encodeURIComponent(r.variant_id)}/${encodeURIComponent(r.location_id)}`}
            aria-label={`Demand analysis for ${r.sku ?? r.variant_id}`} title="Demand analysis">
            i
          </Link>
        );
      default:
        return String((r as Record<string, unknown>)[id] ?? "—");
    }
  };
  const numeric = new Set(["order_qty", "days_until_stockout", "net_position", "inventory_value"]);
  const exportCsv = async () => {
    const params = new URLSearchParams(Object.entries(query).filter(([k, v]) => v !== undefined && !k.startsWith("page")).map(([k, v]) => [k, String(v)]));
    const blob = await (await rawFetch(`/api/v1/plan/export.csv?${params}`)).blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "order-plan.csv";
    a.click();
  };
  return (
    <>
      <PageTitle title="Order plan">Order plan</PageTitle>
      <div className="toolbar" role="search">
        <label>
          Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="SKU or name" />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            <option value="understocked">Understocked</option>
            <option value="overstocked">Overstocked</option>
            <option value="ok">OK</option>
            <option value="discontinued">Discontinued</option>
          </select>
        </label>
        <label>
          Action
          <select value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">All</option>
            <option value="buy">Buy</option>
            <option value="make">Make</option>
            <option value="none">None</option>
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" checked={needsOrder} onChange={(e) => setNeedsOrder(e.target.checked)} /> Needs an order
        </label>
        <button onClick={exportCsv}>Export CSV</button>
        <button className="primary" disabled={count === 0 || create.isPending} onClick={() => create.mutate()}>
          Create purchase orders{count ? ` (${count})` : ""}
        </button>
      </div>
      <ErrorBox error={create.error ?? plan.error} />
      {skipped && (
        <div className="error" role="alert">
          No purchase order was created.
          {skipped.without_supplier.length > 0 &&
            ` ${skipped.without_supplier.length} selected row(s) have no supplier: set one in Katana or Xero.`}
          {skipped.missing_fx.length > 0 && ` No exchange rate for ${skipped.missing_fx.join(", ")}.`}
          {skipped.not_in_plan.length > 0 && ` ${skipped.not_in_plan.length} row(s) no longer need an order.`}
        </div>
      )}
      {plan.isLoading && <Loading what="Loading the plan" />}
      {plan.data && plan.data.total === 0 && <Empty>No rows match. Clear the filters, or load data first.</Empty>}
      {plan.data && plan.data.total > 0 && (
        <>
          <p className="muted" aria-live="polite" data-testid="plan-summary">
            {f.num(plan.data.total)} rows · page {plan.data.page} of {plan.data.total_pages}
            {plan.isFetching ? " · updating…" : ""}
          </p>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Order plan rows">
            <table className="grid plan" aria-busy={plan.isFetching}>
              <thead>
                {table.getHeaderGroups().map((g) => (
                  <tr key={g.id}>
                    {g.headers.map((h) => {
                      const sorted = h.column.getIsSorted();
                      const label = flexRender(h.column.columnDef.header, h.getContext());
                      return (
                        <th key={h.id} scope="col" className={numeric.has(h.id) ? "num" : undefined}
                          aria-sort={sorted ? (sorted === "asc" ? "ascending" : "descending") : undefined}>
                          {h.id === "select" ? (
                            <input type="checkbox" aria-label="Select all rows on this page" checked={allOnPage} onChange={togglePage} />
                          ) : h.column.getCanSort() ? (
                            <button className="sort" onClick={h.column.getToggleSortingHandler()}>
                              {label} <span aria-hidden="true">{sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕"}</span>
                            </button>
                          ) : (
                            label
                          )}
                        </th>
                      );
                    })}
                  </tr>
                ))}
              </thead>
              <tbody>
                {table.getRowModel().rows.map((row) => (
                  <tr key={row.id}>
                    {row.getVisibleCells().map((c) => (
                      <td key={c.id} className={numeric.has(c.column.id) ? "num" : undefined}>
                        {cell(row.original, c.column.id)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <button disabled={page <= 1} onClick={() => setPage(1)}>First</button>
            <button disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous</button>
            <span>Page {plan.data.page} of {plan.data.total_pages}</span>
            <button disabled={page >= plan.data.total_pages} onClick={() => setPage(page + 1)}>Next</button>
          </nav>
        </>
      )}
    </>
  );
}
