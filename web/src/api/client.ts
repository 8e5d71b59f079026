// The typed API client (openapi-fetch over the generated `schema.d.ts`). Adds the bearer
// token, refreshes it once on 401, and turns problem+json answers into plain sentences.
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { currentTokens, refreshTokens } from "../auth";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

async function authorisedFetch(input: Request): Promise<Response> {
  const send = (token: string | undefined) => {
    const request = input.clone();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return fetch(request);
  };
  let tokens = currentTokens();
  if (tokens && tokens.expires_at - Date.now() < 15_000) tokens = await refreshTokens();
  let response = await send(tokens?.access_token);
  if (response.status === 401 && tokens) {
    const fresh = await refreshTokens();
    if (fresh) response = await send(fresh.access_token);
  }
  if (response.status === 401) window.dispatchEvent(new Event("restock:signed-out"));
  return response;
}

export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: authorisedFetch });

/** A sentence for the user from an error answer (RFC 9457 problem, validation list or text). */
export function describeError(status: number, body: unknown): string {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.detail === "string" && b.detail) return b.detail;
  if (Array.isArray(b.detail)) {
    return b.detail
      .map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).slice(1).join(".")}: ${d.msg}`)
      .join("; ");
  }
  if (typeof b.title === "string") return b.title;
  if (status === 403) return "Your role does not allow this.";
  if (status === 404) return "Not found.";
  if (status >= 500) return "The server had a problem. Please try again in a moment.";
  return `Request failed (${status}).`;
}

/** Unwraps an openapi-fetch result: the data, or an ApiError with a readable message. */
export async function ok<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    throw new ApiError(response.status, describeError(response.status, error), error);
  }
  return data as T;
}

/** GET or POST a non-JSON resource (CSV) with the same authorisation. */
export async function rawFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await authorisedFetch(new Request(new URL(path, window.location.origin), init));
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(response.status, describeError(response.status, body), body);
  }
  return response;
}

/** Like `ok`, also returning the ETag to send back as `If-Match`. */
export async function okTagged<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; etag: string }> {
  const result = await call;
  const data = await ok(Promise.resolve(result));
  return { data, etag: result.response.headers.get("ETag") ?? "" };
}
