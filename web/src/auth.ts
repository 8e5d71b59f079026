// Sign-in through the gateway's OAuth 2.0 authorization-code flow with PKCE (S256) for the
// public client `restock-web`. Tokens live in sessionStorage (one tab, cleared on close).

const CLIENT_ID = "restock-web";
const TOKENS = "restock.tokens";
const PENDING = "restock.pkce";

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  expires_at: number;
}

export const redirectUri = (): string => `${window.location.origin}/auth/callback`;

function base64url(bytes: Uint8Array): string {
  let text = "";
  bytes.forEach((b) => (text += String.fromCharCode(b)));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export function currentTokens(): Tokens | null {
  const raw = sessionStorage.getItem(TOKENS);
  return raw ? (JSON.parse(raw) as Tokens) : null;
}

function store(body: { access_token: string; refresh_token?: string; expires_in?: number }) {
  const tokens: Tokens = {
    access_token: body.access_token,
    refresh_token: body.refresh_token,
    expires_at: Date.now() + (body.expires_in ?? 600) * 1000,
  };
  sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
  return tokens;
}

export function signOut(): void {
  sessionStorage.removeItem(TOKENS);
}

/** Sends the browser to the gateway's authorize endpoint; `returnTo` is restored after. */
export async function startSignIn(returnTo = "/"): Promise<void> {
  const verifier = randomString();
  const state = randomString();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const params = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    scope: "openid",
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: "S256",
  });
  window.location.assign(`/oauth/authorize?${params}`);
}

async function tokenRequest(form: Record<string, string>): Promise<Tokens> {
  const response = await fetch("/oauth/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...form }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error_description ?? body.error ?? `sign-in failed (${response.status})`);
  }
  return store(body);
}

/** Completes the flow on /auth/callback; returns where the user was going. */
export async function finishSignIn(search: string): Promise<string> {
  const query = new URLSearchParams(search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null");
  sessionStorage.removeItem(PENDING);
  if (query.get("error")) throw new Error(query.get("error_description") ?? query.get("error")!);
  if (!pending || pending.state !== query.get("state")) {
    throw new Error("This sign-in link is stale. Please sign in again.");
  }
  await tokenRequest({
    grant_type: "authorization_code",
    code: query.get("code") ?? "",
    redirect_uri: redirectUri(),
    code_verifier: pending.verifier,
  });
  return pending.returnTo ?? "/";
}

let refreshing: Promise<Tokens | null> | null = null;

/** Rotates the refresh token once, even when several requests ask at the same time. */
export function refreshTokens(): Promise<Tokens | null> {
  const tokens = currentTokens();
  if (!tokens?.refresh_token) return Promise.resolve(null);
  refreshing ??= tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token })
    .catch(() => {
      signOut();
      return null;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}
