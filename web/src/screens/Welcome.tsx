// Signed-out screens: sign up (creates the tenant and its admin) and sign in, both ending in
// the gateway's OAuth flow; and the /auth/callback page that finishes it.
import { useEffect, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { describeError } from "../api/client";
import { finishSignIn, startSignIn } from "../auth";
import { ErrorBox, Loading, PageTitle } from "../components/ui";

const CURRENCIES = ["USD", "EUR", "GBP", "AUD", "NZD", "CAD"];

export function Welcome() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  async function signUp(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const response = await fetch("/api/v1/signup", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        email: form.get("email"),
        password: form.get("password"),
        tenant_name: form.get("tenant_name"),
        display_name: form.get("display_name") || null,
        base_currency: form.get("base_currency"),
        time_zone: zone,
      }),
    });
    if (!response.ok) {
      setError(describeError(response.status, await response.json().catch(() => null)));
      setBusy(false);
      return;
    }
    await startSignIn("/data");
  }

  return (
    <main id="main" className="welcome">
      <PageTitle title="Welcome">Restock</PageTitle>
      <p className="lead">Inventory planning for Katana MRP and Xero: forecast demand, order on time.</p>
      <div className="columns">
        <section aria-labelledby="signin-h" className="card">
          <h2 id="signin-h">Sign in</h2>
          <p>Already have an account? Sign in with your email and password.</p>
          <button className="primary" onClick={() => startSignIn()}>
            Sign in
          </button>
        </section>
        <section aria-labelledby="signup-h" className="card">
          <h2 id="signup-h">Create an account</h2>
          <form onSubmit={signUp} className="form">
            <label>
              Company name <input name="tenant_name" required autoComplete="organization" />
            </label>
            <label>
              Your name <input name="display_name" autoComplete="name" />
            </label>
            <label>
              Email <input name="email" type="email" required autoComplete="email" />
            </label>
            <label>
              Password (10 characters or more)
              <input name="password" type="password" minLength={10} required autoComplete="new-password" />
            </label>
            <label>
              Currency
              <select name="base_currency" defaultValue="USD">
                {CURRENCIES.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            </label>
            <ErrorBox error={error} />
            <button className="primary" disabled={busy}>
              {busy ? "Creating…" : "Sign up"}
            </button>
          </form>
        </section>
      </div>
    </main>
  );
}

export function AuthCallback({ onDone }: { onDone: () => void }) {
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    finishSignIn(window.location.search)
      .then((to) => {
        if (!live) return;
        onDone();
        navigate(to, { replace: true });
      })
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [navigate, onDone]);
  return (
    <main id="main" className="welcome">
      <PageTitle title="Signing in">Signing in</PageTitle>
      {error ? (
        <>
          <ErrorBox error={error} />
          <button className="primary" onClick={() => startSignIn()}>
            Sign in again
          </button>
        </>
      ) : (
        <Loading what="Signing you in" />
      )}
    </main>
  );
}
