// Shared pieces: loading / error / empty states, status badges, progress bars, page titles.
import { useEffect, type ReactNode } from "react";

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error" role="alert">
      <strong>Something went wrong.</strong> {message}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** Sets the document title and renders the page heading (focus target for skip links). */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  useEffect(() => {
    document.title = `${title} · Restock`;
  }, [title]);
  return (
    <h1 id="page-title" tabIndex={-1}>
      {children}
    </h1>
  );
}

const STATUS: Record<string, { icon: string; label: string; tone: string }> = {
  understocked: { icon: "▼", label: "Understocked", tone: "bad" },
  stockout: { icon: "✖", label: "Stock-out", tone: "bad" },
  order_now: { icon: "!", label: "Order now", tone: "bad" },
  reorder: { icon: "!", label: "Reorder", tone: "warn" },
  overstocked: { icon: "▲", label: "Overstocked", tone: "warn" },
  ok: { icon: "✓", label: "OK", tone: "good" },
  healthy: { icon: "✓", label: "Healthy", tone: "good" },
  discontinued: { icon: "–", label: "Discontinued", tone: "muted" },
  no_demand: { icon: "○", label: "No demand", tone: "muted" },
  draft: { icon: "✎", label: "Draft", tone: "muted" },
  approved: { icon: "✓", label: "Approved", tone: "good" },
  sending: { icon: "…", label: "Sending", tone: "warn" },
  sent: { icon: "➤", label: "Sent", tone: "good" },
  failed: { icon: "✖", label: "Failed", tone: "bad" },
  active: { icon: "✓", label: "Connected", tone: "good" },
  needs_reauthorisation: { icon: "!", label: "Needs re-authorisation", tone: "bad" },
  running: { icon: "…", label: "Running", tone: "warn" },
  queued: { icon: "…", label: "Queued", tone: "muted" },
  succeeded: { icon: "✓", label: "Done", tone: "good" },
  completed: { icon: "✓", label: "Done", tone: "good" },
};

/** Status as icon + text + colour, never colour alone. */
export function StatusBadge({ status }: { status: string }) {
  const known = STATUS[status] ?? {
    icon: "•",
    label: status.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase()),
    tone: "muted",
  };
  return (
    <span className={`badge ${known.tone}`} data-status={status}>
      <span aria-hidden="true">{known.icon}</span> {known.label}
    </span>
  );
}

export function Progress({ label, value, max }: { label: string; value: number; max: number | null }) {
  const pct = max ? Math.min(100, Math.round((value / max) * 100)) : null;
  return (
    <div className="progress-row">
      <span className="progress-label">{label}</span>
      <div
        className="progress"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max ?? undefined}
        aria-valuenow={max ? value : undefined}
        aria-valuetext={max ? `${value} of ${max} pages` : `${value} pages`}
      >
        <div className="bar" style={{ width: `${pct ?? 5}%` }} />
      </div>
      <span className="progress-text">{pct === null ? `${value} pages` : `${pct}%`}</span>
    </div>
  );
}
