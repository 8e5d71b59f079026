// Shell: sign-in gate, navigation, tenant formats and the routes of every screen.
import { useEffect, useState } from "react";
import { NavLink, Route, Routes, useLocation } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { api, ok } from "./api/client";
import { currentTokens, signOut } from "./auth";
import { FormatContext } from "./format";
import { ErrorBox, Loading } from "./components/ui";
import { Welcome, AuthCallback } from "./screens/Welcome";
import { Dashboard } from "./screens/Dashboard";
import { LoadData } from "./screens/LoadData";
import { OrderPlan } from "./screens/OrderPlan";
import { Analysis } from "./screens/Analysis";
import { SettingsScreen } from "./screens/Settings";
import { PurchaseOrders } from "./screens/PurchaseOrders";
import { Admin } from "./screens/Admin";

const NAV = [
  ["/", "Dashboard"],
  ["/data", "Load data"],
  ["/plan", "Order plan"],
  ["/purchase-orders", "Purchase orders"],
  ["/settings", "Settings"],
  ["/admin", "Admin"],
] as const;

export function App() {
  const location = useLocation();
  const [signedIn, setSignedIn] = useState(() => currentTokens() !== null);
  useEffect(() => {
    const onOut = () => setSignedIn(false);
    window.addEventListener("restock:signed-out", onOut);
    return () => window.removeEventListener("restock:signed-out", onOut);
  }, []);
  if (location.pathname === "/auth/callback") return <AuthCallback onDone={() => setSignedIn(true)} />;
  if (!signedIn) return <Welcome />;
  return <SignedIn onSignOut={() => (signOut(), setSignedIn(false))} />;
}

function SignedIn({ onSignOut }: { onSignOut: () => void }) {
  const tenant = useQuery({
    queryKey: ["tenant"],
    queryFn: () => ok(api.GET("/api/v1/tenants/current")),
  });
  const location = useLocation();
  useEffect(() => {
    document.getElementById("page-title")?.focus({ preventScroll: true });
  }, [location.pathname]);
  const formats = { locale: navigator.language, currency: tenant.data?.base_currency ?? "USD" };
  return (
    <FormatContext.Provider value={formats}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Restock</span>
        <nav aria-label="Main">
          {NAV.map(([to, label]) => (
            <NavLink key={to} to={to} end={to === "/"}>
              {label}
            </NavLink>
          ))}
        </nav>
        <span className="tenant">{tenant.data?.name}</span>
        <button className="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main">
        {tenant.isLoading ? (
          <Loading />
        ) : tenant.error ? (
          <ErrorBox error={tenant.error} />
        ) : (
          <Routes>
            <Route path="/" element={<Dashboard />} />
            <Route path="/data" element={<LoadData />} />
            <Route path="/plan" element={<OrderPlan />} />
            <Route path="/plan/:variantId/:locationId" element={<Analysis />} />
            <Route path="/purchase-orders" element={<PurchaseOrders />} />
            <Route path="/settings" element={<SettingsScreen />} />
            <Route path="/admin" element={<Admin />} />
            <Route path="*" element={<p>Page not found.</p>} />
          </Routes>
        )}
      </main>
    </FormatContext.Provider>
  );
}
