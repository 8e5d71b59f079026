// Dashboard: plan health in money and counts, last sync, and the way into the plan.
import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import { useFormat } from "../format";
import { Empty, ErrorBox, Loading, PageTitle, StatusBadge } from "../components/ui";
import { useLastSync } from "./connections";

export function Dashboard() {
  const f = useFormat();
  const lastSync = useLastSync();
  // Data loaded but no plan yet: forecasting and planning are running, so keep asking.
  const board = useQuery({
    queryKey: ["dashboard"],
    queryFn: () => ok(api.GET("/api/v1/plan/dashboard")),
    refetchInterval: (q) => (lastSync && q.state.data?.sku_locations === 0 ? 2000 : false),
  });
  const d = board.data;
  return (
    <>
      <PageTitle title="Dashboard">Dashboard</PageTitle>
      <p className="muted">
        Last sync: {lastSync ? f.dateTime(lastSync) : "never"} · Plan as of {f.date(d?.as_of)}
      </p>
      {board.isLoading && <Loading />}
      <ErrorBox error={board.error} />
      {d && d.sku_locations === 0 && !lastSync && (
        <Empty>
          No plan yet. <Link to="/data">Load your data</Link> from Katana or Xero to get started.
        </Empty>
      )}
      {d && d.sku_locations === 0 && lastSync && (
        <Empty>
          Your data is loaded; forecasting and planning are under way. This page updates by
          itself when the plan is ready.
        </Empty>
      )}
      {d && d.sku_locations > 0 && (
        <>
          <div className="tiles">
            <Tile label="Understocked" value={f.num(d.understocked_count)}
              sub={`${f.money(d.understocked_expected_lost_sales_value)} expected lost sales`} tone="bad" />
            <Tile label="Overstocked" value={f.num(d.overstocked_count)}
              sub={`${f.money(d.overstocked_excess_value)} excess stock`} tone="warn" />
            <Tile label="Inventory value" value={f.money(d.inventory_value)}
              sub={`${f.num(d.sku_locations)} SKU-locations`} />
            <Tile label="Projected service level" value={f.pct(d.projected_service_level)}
              sub="demand-weighted" />
            <Tile label="Capital that could be freed" value={f.money(d.capital_that_could_be_freed)}
              sub="value of stock above target" />
            <Tile label="Suggested purchases" value={f.money(d.suggested_purchase_value)}
              sub="value of the suggested orders" />
          </div>
          <p>
            <Link className="button primary" to="/plan">
              See my plan
            </Link>
          </p>
          <section aria-labelledby="urgent-h">
            <h2 id="urgent-h">Most urgent</h2>
            {d.most_urgent.length === 0 ? (
              <Empty>Nothing needs ordering right now.</Empty>
            ) : (
              <table className="grid">
                <thead>
                  <tr>
                    <th scope="col">SKU</th>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">Suggested qty</th>
                    <th scope="col" className="num">Days to stock-out</th>
                    <th scope="col">Order by</th>
                  </tr>
                </thead>
                <tbody>
                  {d.most_urgent.map((u) => (
                    <tr key={`${u.variant_id}/${u.location_id}`}>
                      <td>
                        <Link to={`/plan/${u.variant_id}/${u.location_id}`}>{u.sku ?? u.variant_id}</Link>
                      </td>
                      <td>{u.name}</td>
                      <td><StatusBadge status={u.status} /></td>
                      <td className="num">{f.num(u.order_qty)}</td>
                      <td className="num">{f.num(u.days_until_stockout)}</td>
                      <td>{f.date(u.latest_order_date)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </>
  );
}

function Tile({ label, value, sub, tone }: { label: string; value: string; sub: string; tone?: string }) {
  return (
    <div className={`tile ${tone ?? ""}`}>
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value}</div>
      <div className="tile-sub">{sub}</div>
    </div>
  );
}
