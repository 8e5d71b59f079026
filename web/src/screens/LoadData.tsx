// Load data: connect Katana (API key) or Xero (OAuth consent, then choose the organisation),
// start incremental or refresh loads, follow them live per entity, see connection health.
import { useEffect, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import { useFormat } from "../format";
import { Empty, ErrorBox, Loading, PageTitle, Progress, StatusBadge } from "../components/ui";
import { ACTIVE, normaliseJob, useConnections, type Connection } from "./connections";

const ENTITIES = [
  ["products", "Products"],
  ["sales_orders", "Sales orders"],
  ["purchase_orders", "Purchase orders"],
  ["suppliers", "Suppliers"],
] as const;

export function LoadData() {
  const connections = useConnections();
  const [params, setParams] = useSearchParams();
  const grantId = params.get("grant_id");
  return (
    <>
      <PageTitle title="Load data">Load data</PageTitle>
      {connections.isLoading && <Loading what="Loading connections" />}
      <ErrorBox error={connections.error} />
      {grantId && <ChooseOrganisation grantId={grantId} onDone={() => setParams({})} />}
      {connections.list.length > 0 && (
        <section aria-labelledby="conn-h">
          <h2 id="conn-h">Your connections</h2>
          {connections.list.map((c) => (
            <ConnectionCard key={c.connection_id} connection={c} />
          ))}
        </section>
      )}
      {!connections.isLoading && connections.list.length === 0 && !grantId && (
        <Empty>No data source yet. Connect Katana or Xero below.</Empty>
      )}
      <div className="columns">
        <ConnectKatana />
        <ConnectXero />
      </div>
    </>
  );
}

function ConnectKatana() {
  const client = useQueryClient();
  const connect = useMutation({
    mutationFn: (apiKey: string) =>
      ok(api.POST("/api/v1/katana/connections", { body: { api_key: apiKey } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["connections"] }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    connect.mutate(String(new FormData(event.currentTarget).get("api_key")));
  };
  return (
    <section className="card" aria-labelledby="katana-h">
      <h2 id="katana-h">Connect Katana</h2>
      <form onSubmit={submit} className="form">
        <label>
          Katana API key <input name="api_key" type="password" required autoComplete="off" />
        </label>
        <ErrorBox error={connect.error} />
        {connect.isSuccess && <p role="status">Connected to {connect.data.organisation_name}.</p>}
        <button className="primary" disabled={connect.isPending}>
          {connect.isPending ? "Checking the key…" : "Connect Katana"}
        </button>
      </form>
    </section>
  );
}

function ConnectXero() {
  const start = useMutation({
    mutationFn: () => ok(api.POST("/api/v1/xero/authorizations")),
    onSuccess: (data) => window.location.assign((data as { authorize_url: string }).authorize_url),
  });
  return (
    <section className="card" aria-labelledby="xero-h">
      <h2 id="xero-h">Connect Xero</h2>
      <p>You will sign in at Xero, allow access, and come back here to choose the organisation.</p>
      <ErrorBox error={start.error} />
      <button className="primary" onClick={() => start.mutate()} disabled={start.isPending}>
        Connect Xero
      </button>
    </section>
  );
}

function ChooseOrganisation({ grantId, onDone }: { grantId: string; onDone: () => void }) {
  const client = useQueryClient();
  const orgs = useQuery({
    queryKey: ["grant", grantId],
    queryFn: () =>
      ok(api.GET("/api/v1/xero/grants/{grant_id}/organisations", { params: { path: { grant_id: grantId } } })),
  });
  const choose = useMutation({
    mutationFn: (xeroTenantId: string) =>
      ok(api.POST("/api/v1/xero/connections", { body: { grant_id: grantId, xero_tenant_id: xeroTenantId } })),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ["connections"] });
      onDone();
    },
  });
  const items = ((orgs.data ?? {}) as { items?: { xero_tenant_id: string; name?: string; organisation_name?: string; tenant_name?: string }[] }).items ?? [];
  return (
    <section className="card" aria-labelledby="org-h">
      <h2 id="org-h">Choose the Xero organisation</h2>
      {orgs.isLoading && <Loading />}
      <ErrorBox error={orgs.error ?? choose.error} />
      <ul className="plain">
        {items.map((o) => (
          <li key={o.xero_tenant_id}>
            <button onClick={() => choose.mutate(o.xero_tenant_id)} disabled={choose.isPending}>
              Connect {o.organisation_name ?? o.tenant_name ?? o.name ?? o.xero_tenant_id}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ConnectionCard({ connection: c }: { connection: Connection }) {
  const f = useFormat();
  const client = useQueryClient();
  const storageKey = `restock.job.${c.connection_id}`;
  const [jobId, setJobId] = useState<string | null>(() => localStorage.getItem(storageKey));
  const [entities, setEntities] = useState<string[]>(ENTITIES.map(([e]) => e));
  const [mode, setMode] = useState("incremental");
  const start = useMutation({
    mutationFn: async () => {
      if (c.source === "katana") {
        const job = await ok(
          api.POST("/api/v1/katana/connections/{connection_id}/loads", {
            params: { path: { connection_id: c.connection_id } },
            body: { mode: mode as "incremental" | "refresh", entities: entities as never },
          }),
        );
        return String((job as { job_id: string }).job_id);
      }
      const job = await ok(
        api.POST("/api/v1/xero/connections/{connection_id}/loads", {
          params: { path: { connection_id: c.connection_id } },
          body: { mode: mode as "incremental" | "refresh" },
        }),
      );
      return String((job as { job_id: string }).job_id);
    },
    onSuccess: (id) => {
      localStorage.setItem(storageKey, id);
      setJobId(id);
    },
  });
  const job = useQuery({
    queryKey: ["job", c.source, jobId],
    enabled: jobId !== null,
    queryFn: async () =>
      normaliseJob(
        (c.source === "katana"
          ? await ok(api.GET("/api/v1/katana/loads/{job_id}", { params: { path: { job_id: jobId! } } }))
          : await ok(api.GET("/api/v1/xero/loads/{job_id}", { params: { path: { job_id: jobId! } } }))) as Record<
          string,
          unknown
        >,
      ),
    refetchInterval: (q) => (q.state.data && !ACTIVE.has(q.state.data.status) ? false : 1000),
  });
  const finished = job.data && !ACTIVE.has(job.data.status) ? job.data.finished_at : null;
  useEffect(() => {
    if (!finished) return;
    const previous = localStorage.getItem("restock.last-sync") ?? "";
    if (finished > previous) localStorage.setItem("restock.last-sync", finished);
    client.invalidateQueries({ queryKey: ["dashboard"] });
    client.invalidateQueries({ queryKey: ["last-sync"] });
  }, [finished, client]);
  const toggle = (e: string) =>
    setEntities((cur) => (cur.includes(e) ? cur.filter((x) => x !== e) : [...cur, e]));
  const running = job.data ? ACTIVE.has(job.data.status) : false;
  return (
    <article className="card connection" aria-label={`${c.source} connection ${c.organisation_name}`}>
      <h3>
        {c.source === "katana" ? "Katana" : "Xero"}: {c.organisation_name} <StatusBadge status={c.status} />
      </h3>
      {c.status === "needs_reauthorisation" && (
        <p className="error" role="alert">
          Xero no longer accepts our access{c.status_reason ? ` (${c.status_reason})` : ""}. Connect Xero again to
          re-authorise.
        </p>
      )}
      <form
        className="load-form"
        onSubmit={(e) => {
          e.preventDefault();
          start.mutate();
        }}
      >
        {c.source === "katana" ? (
          <fieldset>
            <legend>What to load</legend>
            {ENTITIES.map(([e, label]) => (
              <label key={e} className="inline">
                <input type="checkbox" checked={entities.includes(e)} onChange={() => toggle(e)} /> {label}
              </label>
            ))}
          </fieldset>
        ) : (
          <p className="muted">Xero loads items, contacts, invoices, credit notes and purchase orders together.</p>
        )}
        <fieldset>
          <legend>How</legend>
          <label className="inline">
            <input type="radio" name={`mode-${c.connection_id}`} checked={mode === "incremental"}
              onChange={() => setMode("incremental")} /> Only what changed (incremental)
          </label>
          <label className="inline">
            <input type="radio" name={`mode-${c.connection_id}`} checked={mode === "refresh"}
              onChange={() => setMode("refresh")} /> Everything again (refresh)
          </label>
        </fieldset>
        <ErrorBox error={start.error} />
        <button className="primary" disabled={running || start.isPending || (c.source === "katana" && !entities.length)}>
          {running ? "Loading…" : "Load data"}
        </button>
      </form>
      {job.data && (
        <div className="job" aria-live="polite">
          <p>
            Load <StatusBadge status={job.data.status} /> {job.data.finished_at && `finished ${f.dateTime(job.data.finished_at)}`}
          </p>
          {job.data.entities.map((e) => (
            <Progress key={e.entity} label={`${e.entity.replace(/_/g, " ")} (${f.num(e.records)} records)`}
              value={e.done} max={e.total} />
          ))}
          {job.data.errors.length > 0 && (
            <ul className="error" role="alert">
              {job.data.errors.map((e, i) => (
                <li key={i}>{e}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </article>
  );
}
