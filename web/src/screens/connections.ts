// Connections of both providers and their load jobs, normalised for the screens.
import { useQuery } from "@tanstack/react-query";
import { api, ok } from "../api/client";

export interface Connection {
  source: "katana" | "xero";
  connection_id: string;
  organisation_name: string;
  status: string;
  status_reason?: string | null;
}

export interface EntityRow {
  entity: string;
  done: number;
  total: number | null;
  records: number;
  finished: boolean;
}

export interface Job {
  job_id: string;
  status: string;
  mode: string;
  entities: EntityRow[];
  errors: string[];
  started_at: string | null;
  finished_at: string | null;
}

export const ACTIVE = new Set(["queued", "running"]);

export function useConnections() {
  const katana = useQuery({
    queryKey: ["connections", "katana"],
    queryFn: () => ok(api.GET("/api/v1/katana/connections")),
  });
  const xero = useQuery({
    queryKey: ["connections", "xero"],
    queryFn: () => ok(api.GET("/api/v1/xero/connections")),
  });
  const xeroData = xero.data as { items?: Connection[] } | Connection[] | undefined;
  const xeroItems = Array.isArray(xeroData) ? xeroData : (xeroData?.items ?? []);
  const list: Connection[] = [
    ...((katana.data ?? []) as unknown as Connection[]).map((c) => ({ ...c, source: "katana" as const })),
    ...xeroItems.map((c) => ({ ...c, source: "xero" as const })),
  ];
  return { list, isLoading: katana.isLoading || xero.isLoading, error: katana.error ?? xero.error };
}

function errorText(e: unknown): string {
  if (typeof e === "string") return e;
  const o = (e ?? {}) as Record<string, unknown>;
  return String(o.message ?? o.detail ?? o.reason ?? o.error ?? JSON.stringify(e));
}

/** A Katana or Xero job answer in one shape. */
export function normaliseJob(raw: Record<string, unknown>): Job {
  const progress = raw.progress as unknown;
  let entities: EntityRow[] = [];
  if (Array.isArray(progress)) {
    entities = progress.map((p) => ({
      entity: p.entity,
      done: p.pages_done,
      total: p.total_pages,
      records: p.records,
      finished: p.done,
    }));
  } else if (progress && typeof progress === "object") {
    const map = ((progress as Record<string, unknown>).entities ?? {}) as Record<
      string,
      { state?: string; page?: number; pages?: number; total_pages?: number; records?: number }
    >;
    entities = Object.entries(map).map(([entity, p]) => ({
      entity,
      done: p.page ?? 0,
      total: p.state === "done" ? Math.max(p.page ?? 1, 1) : (p.total_pages ?? p.pages ?? null),
      records: p.records ?? 0,
      finished: p.state === "done",
    }));
  }
  const errors = Array.isArray(raw.errors) ? raw.errors.map(errorText) : [];
  return {
    job_id: String(raw.job_id),
    status: String(raw.status),
    mode: String(raw.mode ?? ""),
    entities: entities.map((e) => {
      if (!e.finished) return e;
      const pages = Math.max(e.done, e.total ?? 0, 1);
      return { ...e, done: pages, total: pages };
    }),
    errors,
    started_at: (raw.started_at as string | null) ?? null,
    finished_at: (raw.finished_at as string | null) ?? null,
  };
}

/** When data last arrived: the newest finished Katana load (Xero has no load list). */
export function useLastSync(): string | null {
  const { list } = useConnections();
  const katana = list.filter((c) => c.source === "katana");
  const loads = useQuery({
    queryKey: ["last-sync", katana.map((c) => c.connection_id).join(",")],
    enabled: katana.length > 0,
    queryFn: async () => {
      const times: string[] = [];
      for (const c of katana) {
        const page = await ok(
          api.GET("/api/v1/katana/connections/{connection_id}/loads", {
            params: { path: { connection_id: c.connection_id }, query: { page_size: 5 } },
          }),
        );
        for (const j of page.items) if (j.finished_at) times.push(j.finished_at);
      }
      return times.sort().at(-1) ?? null;
    },
  });
  const stored = localStorage.getItem("restock.last-sync");
  const candidates = [loads.data, stored].filter(Boolean) as string[];
  return candidates.sort().at(-1) ?? null;
}
