// Admin: members and roles, invitations, personal API keys, the tenant's details.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import { useFormat } from "../format";
import { Empty, ErrorBox, Loading, PageTitle } from "../components/ui";

const ROLES = ["viewer", "planner", "approver", "admin"] as const;
type Role = (typeof ROLES)[number];

export function Admin() {
  return (
    <>
      <PageTitle title="Admin">Admin</PageTitle>
      <Members />
      <Invite />
      <ApiKeys />
    </>
  );
}

function Members() {
  const f = useFormat();
  const client = useQueryClient();
  const members = useQuery({ queryKey: ["members"], queryFn: () => ok(api.GET("/api/v1/members")) });
  const change = useMutation({
    mutationFn: ({ user, role }: { user: string; role: Role }) =>
      ok(api.PUT("/api/v1/members/{user_id}/role", { params: { path: { user_id: user } }, body: { role } })),
    onSettled: () => client.invalidateQueries({ queryKey: ["members"] }),
  });
  return (
    <section aria-labelledby="members-h">
      <h2 id="members-h">Users and roles</h2>
      {members.isLoading && <Loading />}
      <ErrorBox error={members.error ?? change.error} />
      {members.data && (
        <table className="grid">
          <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Since</th></tr></thead>
          <tbody>
            {(members.data as unknown as { user_id: string; email: string; display_name: string | null; role: Role; created_at: string }[]).map((m) => (
              <tr key={m.user_id}>
                <td>{m.display_name ?? "—"}</td>
                <td>{m.email}</td>
                <td>
                  <select aria-label={`Role of ${m.email}`} value={m.role} onChange={(e) => change.mutate({ user: m.user_id, role: e.target.value as Role })}>
                    {ROLES.map((r) => <option key={r}>{r}</option>)}
                  </select>
                </td>
                <td>{f.date(m.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Invite() {
  const invite = useMutation({
    mutationFn: (body: { email: string; role: Role }) => ok(api.POST("/api/v1/invitations", { body })),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    invite.mutate({ email: String(form.get("email")), role: form.get("role") as Role });
  };
  return (
    <section aria-labelledby="invite-h" className="card">
      <h2 id="invite-h">Invite someone</h2>
      <form className="form inline-form" onSubmit={submit}>
        <label>Email <input type="email" name="email" required /></label>
        <label>Role <select name="role" defaultValue="viewer">{ROLES.map((r) => <option key={r}>{r}</option>)}</select></label>
        <button className="primary" disabled={invite.isPending}>Send invitation</button>
      </form>
      <ErrorBox error={invite.error} />
      {invite.isSuccess && <p role="status">Invitation sent.</p>}
    </section>
  );
}

function ApiKeys() {
  const f = useFormat();
  const client = useQueryClient();
  const [fresh, setFresh] = useState<string | null>(null);
  const keys = useQuery({ queryKey: ["api-keys"], queryFn: () => ok(api.GET("/api/v1/api-keys")) });
  const create = useMutation({
    mutationFn: (name: string) => ok(api.POST("/api/v1/api-keys", { body: { name } })),
    onSuccess: (k) => {
      setFresh((k as { key: string }).key);
      client.invalidateQueries({ queryKey: ["api-keys"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => ok(api.DELETE("/api/v1/api-keys/{key_id}", { params: { path: { key_id: id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: ["api-keys"] }),
  });
  const list = ((keys.data ?? []) as unknown as { key_id: string; name: string; prefix: string; created_at: string; last_used_at: string | null; revoked_at: string | null }[]);
  return (
    <section aria-labelledby="keys-h" className="card">
      <h2 id="keys-h">API keys</h2>
      <form className="form inline-form" onSubmit={(e) => (e.preventDefault(), create.mutate(String(new FormData(e.currentTarget).get("name"))))}>
        <label>Key name <input name="name" required /></label>
        <button className="primary" disabled={create.isPending}>Create key</button>
      </form>
      {fresh && (
        <p role="status" className="notice">
          Copy this key now; it is shown only once: <code>{fresh}</code>
        </p>
      )}
      <ErrorBox error={keys.error ?? create.error ?? revoke.error} />
      {keys.isLoading && <Loading />}
      {keys.data && list.length === 0 && <Empty>No API keys.</Empty>}
      {list.length > 0 && (
        <table className="grid compact">
          <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Revoke</th></tr></thead>
          <tbody>
            {list.map((k) => (
              <tr key={k.key_id}>
                <td>{k.name}</td>
                <td><code>{k.prefix}</code></td>
                <td>{f.date(k.created_at)}</td>
                <td>{f.dateTime(k.last_used_at)}</td>
                <td>{k.revoked_at ? "revoked" : <button onClick={() => revoke.mutate(k.key_id)}>Revoke {k.name}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
