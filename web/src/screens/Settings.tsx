// Settings: global, per supplier and per product, each value with where it comes from;
// CSV export and import (checked first, then applied atomically).
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, okTagged, rawFetch } from "../api/client";
import { ErrorBox, Loading, PageTitle } from "../components/ui";

type Scope = "global" | "suppliers" | "products";

const KEYS = [
  "lead_time_days", "lead_time_std_days", "service_level", "review_period_days", "forecast_period_override",
  "moq", "order_multiple", "rounding_rule", "min_stock", "max_stock", "safety_stock_override",
  "safety_stock_override_days", "holding_cost_rate", "ordering_cost", "stock_basis", "demand_status_policy",
  "po_status_on_create",
];
const LIST_KEYS = new Set(["demand_status_policy"]);
const LEVEL: Record<Scope, string> = { global: "set globally", suppliers: "set for this supplier", products: "set for this product" };

export function SettingsScreen() {
  const [scope, setScope] = useState<Scope>("global");
  const [scopeId, setScopeId] = useState("");
  const [pending, setPending] = useState("");
  return (
    <>
      <PageTitle title="Settings">Settings</PageTitle>
      <p className="muted">
        For each SKU the most specific value wins: product, then provider data, learned lead times, supplier, global,
        and finally the defaults.
      </p>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setScopeId(pending.trim());
        }}
      >
        <label>
          Level
          <select value={scope} onChange={(e) => (setScope(e.target.value as Scope), setScopeId(""), setPending(""))}>
            <option value="global">Global</option>
            <option value="suppliers">Supplier</option>
            <option value="products">Product (variant)</option>
          </select>
        </label>
        {scope !== "global" && (
          <>
            <label>
              {scope === "suppliers" ? "Supplier id" : "Variant id"}
              <input value={pending} onChange={(e) => setPending(e.target.value)} required />
            </label>
            <button>Open</button>
          </>
        )}
      </form>
      {(scope === "global" || scopeId) && <ScopeEditor key={`${scope}/${scopeId}`} scope={scope} scopeId={scopeId} />}
      <CsvTools />
    </>
  );
}

function ScopeEditor({ scope, scopeId }: { scope: Scope; scopeId: string }) {
  const client = useQueryClient();
  const [saved, setSaved] = useState(false);
  const load = () => {
    if (scope === "global") return okTagged(api.GET("/api/v1/settings/global"));
    if (scope === "suppliers")
      return okTagged(api.GET("/api/v1/settings/suppliers/{supplier_id}", { params: { path: { supplier_id: scopeId } } }));
    return okTagged(api.GET("/api/v1/settings/products/{variant_id}", { params: { path: { variant_id: scopeId } } }));
  };
  const view = useQuery({ queryKey: ["settings", scope, scopeId], queryFn: load });
  const save = useMutation({
    mutationFn: (values: Record<string, unknown>) => {
      const opts = { body: { values }, params: { header: { "If-Match": view.data?.etag ?? "" } } } as never;
      if (scope === "global") return okTagged(api.PATCH("/api/v1/settings/global", opts));
      const path = scope === "suppliers" ? { supplier_id: scopeId } : { variant_id: scopeId };
      const withPath = { ...(opts as object), params: { path, header: { "If-Match": view.data?.etag ?? "" } } } as never;
      return scope === "suppliers"
        ? okTagged(api.PATCH("/api/v1/settings/suppliers/{supplier_id}", withPath))
        : okTagged(api.PATCH("/api/v1/settings/products/{variant_id}", withPath));
    },
    onSuccess: () => {
      setSaved(true);
      client.invalidateQueries({ queryKey: ["settings", scope, scopeId] });
    },
  });
  if (view.isLoading) return <Loading />;
  if (view.error) return <ErrorBox error={view.error} />;
  const values = (view.data!.data as { values: Record<string, unknown> }).values ?? {};
  const shown = (v: unknown) => (v === null || v === undefined ? "" : Array.isArray(v) ? v.join("|") : String(v));
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const changed: Record<string, unknown> = {};
    for (const k of KEYS) {
      const text = String(form.get(k) ?? "").trim();
      if (text === shown(values[k])) continue;
      changed[k] = text === "" ? null : LIST_KEYS.has(k) ? text.split("|") : isNaN(Number(text)) ? text : Number(text);
    }
    setSaved(false);
    save.mutate(changed);
  };
  return (
    <form className="card settings" onSubmit={submit} aria-label="Settings values">
      <table className="grid compact">
        <thead><tr><th scope="col">Setting</th><th scope="col">Value (empty = inherit)</th><th scope="col">Source</th></tr></thead>
        <tbody>
          {KEYS.map((k) => (
            <tr key={k}>
              <td><label htmlFor={`s-${k}`}>{k.replace(/_/g, " ")}</label></td>
              <td><input id={`s-${k}`} name={k} defaultValue={shown(values[k])} /></td>
              <td>{values[k] === undefined || values[k] === null ? (scope === "global" ? "default" : "inherited") : LEVEL[scope]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorBox error={save.error} />
      <button className="primary" disabled={save.isPending}>Save settings</button>
      {saved && <span role="status"> Saved. The plan is being recomputed.</span>}
    </form>
  );
}

function CsvTools() {
  const [result, setResult] = useState<string | null>(null);
  const [errors, setErrors] = useState<{ row: number; column: string | null; message: string }[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const download = async () => {
    setFailure(null);
    try {
      const blob = await (await rawFetch("/api/v1/settings/export.csv")).blob();
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "settings.csv";
      a.click();
    } catch (e) {
      setFailure(e);
    }
  };
  const upload = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const file = new FormData(e.currentTarget).get("file") as File;
    const dry = (e.nativeEvent as SubmitEvent).submitter?.getAttribute("value") === "check";
    setFailure(null);
    setErrors([]);
    setResult(null);
    const response = await fetch(`/api/v1/settings/import.csv?dry_run=${dry}`, {
      method: "POST",
      headers: { "Content-Type": "text/csv", Authorization: `Bearer ${JSON.parse(sessionStorage.getItem("restock.tokens") ?? "{}").access_token}` },
      body: await file.text(),
    });
    const body = await response.json().catch(() => ({}));
    if (Array.isArray(body.errors) && body.errors.length) setErrors(body.errors);
    else if (!response.ok) setFailure(new Error(body.detail ?? `Import failed (${response.status})`));
    else setResult(`${dry ? "Checked" : "Imported"} ${body.rows} rows; ${body.changed_scopes} scopes ${dry ? "would change" : "changed"}.`);
  };
  return (
    <section className="card" aria-labelledby="csv-h">
      <h2 id="csv-h">CSV import and export</h2>
      <button onClick={download}>Export settings CSV</button>
      <form onSubmit={upload} className="form inline-form">
        <label>CSV file <input type="file" name="file" accept=".csv,text/csv" required /></label>
        <button name="mode" value="check">Check</button>
        <button name="mode" value="apply" className="primary">Import</button>
      </form>
      <ErrorBox error={failure} />
      {result && <p role="status">{result}</p>}
      {errors.length > 0 && (
        <ul className="error" role="alert">
          {errors.map((er, i) => (
            <li key={i}>Row {er.row}{er.column ? `, column ${er.column}` : ""}: {er.message}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
