// Demand analysis of one SKU at one location: history chart, forecast and interval, model
// choice with candidates' backtest errors, seasonality, settings with their sources, the
// arithmetic to the suggested quantity, the history table and a manual override.
import { useMemo, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, ok } from "../api/client";
import { useFormat } from "../format";
import { DemandChart, type Day, type ForecastBand } from "../components/DemandChart";
import { ErrorBox, Loading, PageTitle, StatusBadge } from "../components/ui";

interface Explained {
  model: string;
  model_params: Record<string, unknown>;
  candidates: Record<string, number> | { model: string; error: number }[];
  backtest: { metric: string; value: number | null; bias: number | null; horizon_days: number };
  demand_class: string;
  explanation: string | Record<string, unknown> | null;
  history: Day[];
  statistical: { mean_daily: number[]; interval: Record<string, number>[] };
  adjusted: { mean_daily: number[]; interval: Record<string, number>[] } | null;
  overrides: Record<string, unknown>[];
  [k: string]: unknown;
}

export function Analysis() {
  const { variantId = "", locationId = "" } = useParams();
  const f = useFormat();
  const row = useQuery({
    queryKey: ["plan-row", variantId, locationId],
    queryFn: () =>
      ok(api.GET("/api/v1/plan/rows/{variant_id}/{location_id}", { params: { path: { variant_id: variantId, location_id: locationId } } })),
  });
  const settings = useQuery({
    queryKey: ["plan-row-settings", variantId, locationId],
    queryFn: () =>
      ok(api.GET("/api/v1/plan/rows/{variant_id}/{location_id}/settings", { params: { path: { variant_id: variantId, location_id: locationId } } })),
  });
  const forecast = useQuery({
    queryKey: ["forecast", variantId, locationId],
    queryFn: () =>
      ok(api.GET("/api/v1/forecasts/{variant_id}", { params: { path: { variant_id: variantId }, query: { location_id: locationId } } })),
  });
  const loc = ((forecast.data as { locations?: Explained[] } | undefined)?.locations ?? [])[0];
  const band: ForecastBand | null = useMemo(() => {
    const src = loc?.adjusted ?? loc?.statistical;
    if (!src) return null;
    return {
      meanDaily: src.mean_daily,
      horizons: src.interval.map((i) => ({ horizon_days: i.horizon_days, low: i.p10 ?? i.p5 ?? 0, high: i.p90 ?? i.p95 ?? 0 })),
    };
  }, [loc]);
  const r = row.data as (Record<string, unknown> & { sku?: string | null; name?: string | null; status: string }) | undefined;
  return (
    <>
      <p><Link to="/plan">← Order plan</Link></p>
      <PageTitle title="Demand analysis">
        Demand analysis: {r?.sku ?? variantId} {r?.name ? `· ${r.name}` : ""}
      </PageTitle>
      <ErrorBox error={row.error} />
      {row.isLoading && <Loading />}
      {r && (
        <p>
          <StatusBadge status={r.status} /> at location {locationId} · suggested {f.num(r.order_qty as number)} units · order by{" "}
          {f.date(r.latest_order_date as string)} · {f.num(r.days_until_stockout as number)} days to stock-out
        </p>
      )}
      <section aria-labelledby="hist-h">
        <h2 id="hist-h">Sales history and forecast</h2>
        {forecast.isLoading && <Loading what="Loading the forecast" />}
        {forecast.error instanceof ApiError && forecast.error.status === 404 ? (
          <p className="muted">No forecast for this SKU yet.</p>
        ) : (
          <ErrorBox error={forecast.error} />
        )}
        {loc && <DemandChart history={loc.history} forecast={band} />}
        {loc && (
          <p className="muted">
            {f.num((loc.stockout_days as string[] | undefined)?.length ?? 0)} stock-out days (demand on them is
            censored) and {f.num((loc.outlier_days as string[] | undefined)?.length ?? 0)} outlier days are marked in red.
          </p>
        )}
      </section>
      {loc && <ModelSection loc={loc} />}
      <section aria-labelledby="set-h">
        <h2 id="set-h">Settings in effect</h2>
        <ErrorBox error={settings.error} />
        {settings.data && (
          <table className="grid compact">
            <thead><tr><th scope="col">Setting</th><th scope="col">Value</th><th scope="col">Comes from</th></tr></thead>
            <tbody>
              {Object.entries((settings.data as { settings: Record<string, { value: unknown; source: string }> }).settings).map(([k, v]) => (
                <tr key={k}>
                  <td>{k.replace(/_/g, " ")}</td>
                  <td>{describe(typeof v === "object" && v && "value" in v ? v.value : v, f.num)}</td>
                  <td>{typeof v === "object" && v && "source" in v ? String(v.source).replace(/_/g, " ") : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {r && (
        <section aria-labelledby="math-h">
          <h2 id="math-h">From forecast to suggested quantity</h2>
          <dl className="math">
            <dt>Demand over lead time + review</dt><dd>{f.num(r.demand_ltr_mean as number, 1)}</dd>
            <dt>Safety stock</dt><dd>{f.num(r.safety_stock as number, 1)}</dd>
            <dt>Reorder point</dt><dd>{f.num(r.reorder_point as number, 1)}</dd>
            <dt>Order up to</dt><dd>{f.num(r.order_up_to as number, 1)}</dd>
            <dt>Net position (on hand − committed + on order)</dt><dd>{f.num(r.net_position as number, 1)}</dd>
            <dt>Raw need</dt><dd>{f.num(r.raw_need as number, 1)}</dd>
            <dt>MOQ / pack size</dt><dd>{f.num(r.moq as number)} / {f.num(r.order_multiple as number)}</dd>
            <dt>Suggested quantity</dt><dd><strong>{f.num(r.order_qty as number)}</strong></dd>
          </dl>
          {r.explanation ? <p className="explain">{String(r.explanation)}</p> : null}
        </section>
      )}
      {loc && <HistoryTable history={loc.history} />}
      <OverrideForm variantId={variantId} locationId={locationId} existing={loc?.overrides ?? []} />
    </>
  );
}

function ModelSection({ loc }: { loc: Explained }) {
  const f = useFormat();
  const candidates = Array.isArray(loc.candidates)
    ? loc.candidates
    : Object.entries(loc.candidates).map(([model, error]) => ({ model, error }));
  candidates.sort((a, b) => a.error - b.error);
  const detail = (typeof loc.explanation === "object" && loc.explanation) || {};
  const profiles = Object.entries({ ...loc, ...detail }).filter(
    ([k, v]) => /profile|season/i.test(k) && (Array.isArray(v) || typeof v === "number"),
  );
  return (
    <section aria-labelledby="model-h">
      <h2 id="model-h">Model and why</h2>
      <p>
        Chosen model: <strong>{loc.model}</strong> (demand class {loc.demand_class}). Backtest error {f.num(loc.backtest.value, 3)}{" "}
        ({loc.backtest.metric.replace(/_/g, " ")}, {loc.backtest.horizon_days} days), bias {f.num(loc.backtest.bias, 3)}.
      </p>
      {typeof loc.explanation === "string" && <p className="explain">{loc.explanation}</p>}
      <table className="grid compact">
        <caption>Candidates and their backtest errors (lower is better)</caption>
        <thead><tr><th scope="col">Model</th><th scope="col" className="num">Backtest error</th></tr></thead>
        <tbody>
          {candidates.map((c, i) => (
            <tr key={i} className={c.model === loc.model ? "chosen" : undefined}>
              <td>{c.model}{c.model === loc.model ? " (chosen)" : ""}</td>
              <td className="num">{f.num(c.error, 3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Forecast for the next 28 days: {f.num(sum28(loc.statistical.mean_daily), 1)} units (statistical)
        {loc.adjusted ? `, ${f.num(sum28(loc.adjusted.mean_daily), 1)} units after overrides` : ""}.
      </p>
      {profiles.length > 0 && (
        <details>
          <summary>Seasonality</summary>
          {profiles.map(([k, v]) => (
            <p key={k}>{k.replace(/_/g, " ")}: {Array.isArray(v) ? v.map((x) => f.num(x as number, 2)).join(", ") : JSON.stringify(v)}</p>
          ))}
        </details>
      )}
      <details>
        <summary>Model parameters</summary>
        <pre>{JSON.stringify(loc.model_params, null, 2)}</pre>
      </details>
    </section>
  );
}

const sum28 = (daily: number[]) => daily.slice(0, 28).reduce((a, b) => a + b, 0);

/** A setting's value in words: numbers through Intl, unset as "not set", lists and records spelled out. */
function describe(v: unknown, num: (x: number, digits?: number) => string): string {
  if (v === null || v === undefined || v === "") return "not set";
  if (typeof v === "number") return num(v, 2);
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "string") return /^-?\d+(\.\d+)?$/.test(v) ? num(Number(v), 2) : v.replace(/_/g, " ");
  if (Array.isArray(v)) return v.map((x) => describe(x, num)).join(", ");
  if (typeof v === "object") {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k.replace(/_/g, " ")} ${describe(x, num)}`)
      .join("; ");
  }
  return String(v);
}

function HistoryTable({ history }: { history: Day[] }) {
  const f = useFormat();
  const recent = history.slice(-60).reverse();
  return (
    <section aria-labelledby="ht-h">
      <h2 id="ht-h">Sales history (last {recent.length} days)</h2>
      <p className="muted">Daily units as Restock counted them, to reconcile with Katana or Xero.</p>
      <div className="table-wrap short" tabIndex={0} role="region" aria-label="Daily sales history">
        <table className="grid compact">
          <thead><tr><th scope="col">Date</th><th scope="col" className="num">Units</th><th scope="col">Flags</th></tr></thead>
          <tbody>
            {recent.map((d) => (
              <tr key={d.date}>
                <td>{f.date(d.date)}</td>
                <td className="num">{f.num(d.demand, 2)}</td>
                <td>{[d.stockout && "stock-out", d.outlier && "outlier"].filter(Boolean).join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function OverrideForm({ variantId, locationId, existing }: { variantId: string; locationId: string; existing: Record<string, unknown>[] }) {
  const client = useQueryClient();
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (body: { start_date: string; end_date: string | null; units_per_day: string; note: string }) =>
      ok(
        api.POST("/api/v1/forecasts/{variant_id}/overrides", {
          params: { path: { variant_id: variantId } },
          body: { ...body, kind: "rate", location_id: locationId, total_units: null },
        }),
      ),
    onSuccess: () => {
      setSaved(true);
      client.invalidateQueries({ queryKey: ["forecast", variantId, locationId] });
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    save.mutate({
      start_date: String(form.get("start_date")),
      end_date: String(form.get("end_date")) || null,
      units_per_day: String(form.get("units_per_day")),
      note: String(form.get("note")),
    });
  };
  return (
    <section aria-labelledby="ov-h">
      <h2 id="ov-h">Manual override</h2>
      {existing.length > 0 && (
        <ul>
          {existing.map((o) => (
            <li key={String(o.override_id)}>
              {String(o.start_date)} – {String(o.end_date ?? "open")}: {String(o.units_per_day ?? o.total_units)} {o.note ? `(${o.note})` : ""}
            </li>
          ))}
        </ul>
      )}
      <form className="form inline-form" onSubmit={submit}>
        <label>From <input type="date" name="start_date" required /></label>
        <label>To <input type="date" name="end_date" /></label>
        <label>Units per day <input type="number" name="units_per_day" min="0" step="any" required /></label>
        <label>Why <input name="note" /></label>
        <ErrorBox error={save.error} />
        <button className="primary" disabled={save.isPending}>Save override</button>
        {saved && <span role="status">Saved. The forecast and plan will update shortly.</span>}
      </form>
    </section>
  );
}
