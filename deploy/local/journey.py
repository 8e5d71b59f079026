"""The demo journey over the services' own HTTP APIs (used by ``make up``, ``make demo``,
``make chaos`` and the journey tests).

Steps: connect a tenant to Katana (``POST /connections`` with the sandbox's API key) or to
Xero (authorisation → sandbox consent → callback → organisation → connection), load
(poll the job), wait until the forecaster and the planner have settled, then (headless
demo and chaos only) draft purchase orders from the plan, approve and send them, and wait
until every one is Sent. Every call retries connection errors and 5xx answers until its
deadline, so the journey survives services being killed and restarted under it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

TERMINAL_LOAD = {"succeeded", "partial", "failed", "cancelled", "done"}


@dataclass(frozen=True)
class Urls:
    """Base URLs of the services and sandboxes the journey talks to."""

    gateway: str
    katana: str
    xero: str
    forecaster: str
    planner: str
    po: str
    katana_sandbox: str
    xero_sandbox: str


@dataclass
class Tenant:
    """One demo tenant: its internal token, provider and what the journey learnt."""

    tenant_id: str
    token: str
    source: str
    name: str
    connection_id: str | None = None
    stages: dict[str, float] = field(default_factory=dict)
    load: dict[str, Any] = field(default_factory=dict)
    drafts: list[dict[str, Any]] = field(default_factory=list)
    unsendable: dict[str, int] = field(default_factory=dict)
    """Plan rows po-gateway could not draft: no supplier / no FX rate for the currency."""


class Journey:
    """Drives one tenant through the journey; ``on_phase(name)`` is called as each stage
    starts (the chaos runner schedules its faults from it). With ``database_url`` (any
    database on the services' Postgres server) the settle wait also reads the services'
    databases (see ``pipeline_idle``); without it, it relies on the HTTP APIs alone."""

    def __init__(
        self,
        urls: Urls,
        tenant: Tenant,
        *,
        timeout_s: float = 600.0,
        on_phase: Callable[[str], None] | None = None,
        log: Callable[[str], None] | None = None,
        database_url: str | None = None,
    ) -> None:
        self.urls = urls
        self.tenant = tenant
        self.database_url = database_url
        self.timeout_s = timeout_s
        self.on_phase = on_phase or (lambda _name: None)
        self.log = log or (lambda message: print(message, flush=True))
        self.http = httpx.Client(timeout=30.0)

    def close(self) -> None:
        self.http.close()

    # -- HTTP with retries ---------------------------------------------------------------

    def call(
        self,
        method: str,
        url: str,
        *,
        ok: tuple[int, ...] = (200, 201, 202, 204),
        accept: tuple[int, ...] = (),
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """One request, retried on connection errors, 5xx, 429 and 401 (a restarted
        service answers 401 until it has loaded its keys) until the deadline; statuses in
        ``ok`` or ``accept`` are returned, anything else raises."""
        deadline = time.monotonic() + self.timeout_s
        all_headers = {"Authorization": f"Bearer {self.tenant.token}", **(headers or {})}
        last = "no answer"
        while time.monotonic() < deadline:
            try:
                response = self.http.request(method, url, headers=all_headers, **kwargs)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code in ok or response.status_code in accept:
                    return response
                last = f"{response.status_code} {response.text[:300]}"
                if response.status_code < 500 and response.status_code not in (401, 429):
                    raise RuntimeError(f"{method} {url}: {last}")
            time.sleep(0.5)
        raise TimeoutError(f"{method} {url}: gave up after {self.timeout_s:.0f}s ({last})")

    def until(self, what: str, probe: Callable[[], Any], timeout_s: float | None = None) -> Any:
        """Poll ``probe`` until it returns something truthy."""
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        while time.monotonic() < deadline:
            result = probe()
            if result:
                return result
            time.sleep(0.5)
        raise TimeoutError(f"timed out waiting for {what}")

    def _stage(self, name: str) -> float:
        self.on_phase(name)
        self.log(f"  [{self.tenant.name}] {name}…")
        return time.monotonic()

    def _done(self, name: str, started: float) -> None:
        self.tenant.stages[name] = time.monotonic() - started

    # -- connect and load -----------------------------------------------------------------

    def connect_katana(self, api_key: str) -> str:
        started = self._stage("connect")
        made = self.call(
            "POST", f"{self.urls.katana}/connections", json={"api_key": api_key}, accept=(409,)
        )
        if made.status_code == 201:
            connection_id = str(made.json()["connection_id"])
        else:
            listed = self.call("GET", f"{self.urls.katana}/connections").json()
            items = listed["items"] if isinstance(listed, dict) else listed
            connection_id = str(items[0]["connection_id"])
        self.tenant.connection_id = connection_id
        self._done("connect", started)
        return connection_id

    def connect_xero(self, organisation: int = 0) -> str:
        """Consent at the sandbox (auto-consent on) and connect one of its organisations.
        Always authorises afresh: the sandbox keeps no state across restarts, and
        re-authorising an organisation already connected moves it to the new grant."""
        started = self._stage("connect")
        begun = self.call("POST", f"{self.urls.xero}/v1/xero/authorizations").json()
        self.call("POST", f"{self.urls.xero_sandbox}/_sandbox/consent", json={"auto": True})
        redirect = self.http.get(begun["authorize_url"], follow_redirects=False)
        query = urlparse(redirect.headers["location"]).query
        callback = self.http.get(f"{self.urls.xero}/oauth/xero/callback?{query}")
        if callback.is_redirect:
            # With CONNECTOR_XERO_UI_RETURN_URL set (make up), the callback sends the browser to
            # the web app with the grant id; the organisations are then listed by grant.
            grant_id = parse_qs(urlparse(callback.headers["location"]).query)["grant_id"][0]
            listed = self.call(
                "GET", f"{self.urls.xero}/v1/xero/grants/{grant_id}/organisations"
            ).json()
            grant = {"grant_id": grant_id, "organisations": listed["items"]}
        else:
            callback.raise_for_status()
            grant = callback.json()
        orgs = grant["organisations"]
        chosen = self.call(
            "POST",
            f"{self.urls.xero}/v1/xero/connections",
            json={
                "grant_id": grant["grant_id"],
                "xero_tenant_id": orgs[organisation]["xero_tenant_id"],
            },
        ).json()
        self.tenant.connection_id = str(chosen["connection_id"])
        self._done("connect", started)
        return self.tenant.connection_id

    def load(self) -> dict[str, Any]:
        """Run a load to its end; returns the finished job."""
        started = self._stage("load")
        cid = self.tenant.connection_id
        if self.tenant.source == "katana":
            made = self.call(
                "POST",
                f"{self.urls.katana}/connections/{cid}/loads",
                json={"mode": "incremental"},
                accept=(409,),
            )
            if made.status_code == 409:
                jobs = self.call("GET", f"{self.urls.katana}/connections/{cid}/loads").json()
                job_id = jobs["items"][0]["job_id"]
            else:
                job_id = made.json()["job_id"]
            job_url = f"{self.urls.katana}/loads/{job_id}"
        else:
            made = self.call(
                "POST", f"{self.urls.xero}/v1/xero/connections/{cid}/loads", json={"mode": "full"}
            )
            job_url = f"{self.urls.xero}/v1/xero/loads/{made.json()['job_id']}"

        def finished() -> dict[str, Any] | None:
            job = self.call("GET", job_url).json()
            return job if job["status"] in TERMINAL_LOAD else None

        job = self.until("the load", finished)
        if job["status"] not in ("succeeded", "done"):
            raise RuntimeError(f"load ended {job['status']}: {job.get('errors')}")
        self.tenant.load = job
        self._done("load", started)
        return job

    # -- forecast and plan ----------------------------------------------------------------

    def wait_forecast_and_plan(self, quiet_s: float = 4.0) -> dict[str, Any]:
        """Wait for forecasts, then for a settled plan: the forecast runs and the plan
        version unchanged for ``quiet_s`` and (with a database URL) nothing pending in any
        service for the tenant over that window; returns the dashboard."""
        started = self._stage("forecast")

        def forecasts() -> int:
            body = self.call("GET", f"{self.urls.forecaster}/forecasts?page_size=1").json()
            return int(body["total"])

        self.until("forecasts", forecasts)
        self._done("forecast", started)
        started = self._stage("plan")
        seen: dict[str, Any] = {"key": None, "since": time.monotonic()}

        def settled() -> dict[str, Any] | None:
            runs = self.call("GET", f"{self.urls.forecaster}/forecast-runs?limit=50").json()
            dash = self.call("GET", f"{self.urls.planner}/v1/plan/dashboard").json()
            todo = self._pending()
            key = (len(runs), runs[0]["run_id"] if runs else None, dash["plan_version"])
            if todo or key != seen["key"]:
                seen.update(key=key, since=time.monotonic())
                return None
            ready = dash["plan_version"] > 0 and dash["sku_locations"] > 0
            quiet = time.monotonic() - seen["since"] >= quiet_s
            return dash if ready and quiet else None

        dash = self.until("a settled plan", settled)
        self._done("plan", started)
        return dict(dash)

    def _pending(self) -> list[str]:
        if self.database_url is None:
            return []
        from pipeline_idle import pending

        return pending(self.database_url, self.tenant.tenant_id)

    # -- purchase orders -----------------------------------------------------------------

    def send_purchase_orders(self, max_orders: int | None = None) -> list[dict[str, Any]]:
        """Draft from every plan row needing an order, approve and send each draft (with an
        Idempotency-Key, so retries after a lost answer are safe), wait until all are Sent."""
        started = self._stage("send")
        base = f"{self.urls.po}/v1/purchase-orders"
        made = self.call(
            "POST",
            f"{base}/drafts",
            json={},
            headers={"Idempotency-Key": f"demo-drafts-{self.tenant.tenant_id}"},
        ).json()
        drafts = made["drafts"][:max_orders] if max_orders else made["drafts"]
        self.tenant.unsendable = {
            "without_supplier": len(made.get("without_supplier") or []),
            "missing_fx": len(made.get("missing_fx") or []),
        }
        for draft in drafts:
            url = f"{base}/{draft['draft_id']}"
            current = self.call("GET", url)
            if current.json()["status"] == "draft":
                self.call(
                    "POST",
                    f"{url}/approve",
                    headers={"If-Match": current.headers["etag"]},
                    accept=(409, 412),
                )
            self.call(
                "POST",
                f"{url}/send",
                headers={"Idempotency-Key": f"send-{draft['draft_id']}"},
                accept=(409,),
            )

        def all_sent() -> list[dict[str, Any]] | None:
            states = [self.call("GET", f"{base}/{d['draft_id']}").json() for d in drafts]
            failed = [s for s in states if s["status"] == "failed"]
            for state in failed:
                if "retry" in state.get("allowed_actions", []):
                    self.call("POST", f"{base}/{state['draft_id']}/send", accept=(409,))
                else:
                    raise RuntimeError(f"PO {state['order_number']} failed: {state}")
            return [states] if all(s["status"] == "sent" for s in states) else None

        self.tenant.drafts = self.until("every purchase order Sent", all_sent)[0]
        self._done("send", started)
        return self.tenant.drafts

    def summary(self, dash: dict[str, Any]) -> dict[str, Any]:
        """The figures ``make demo`` prints and the chaos run compares."""
        skus = self.call("GET", f"{self.urls.planner}/v1/plan?page_size=1").json()["total"]
        forecasts = self.call("GET", f"{self.urls.forecaster}/forecasts?page_size=1").json()
        return {
            "tenant": self.tenant.name,
            "source": self.tenant.source,
            "sku_locations": skus,
            "sales_lines": sales_lines_loaded(self.tenant.load),
            "forecasts": forecasts["total"],
            "understocked": dash["understocked_count"],
            "understocked_lost_sales_value": round(
                dash["understocked_expected_lost_sales_value"], 2
            ),
            "overstocked": dash["overstocked_count"],
            "overstocked_excess_value": round(dash["overstocked_excess_value"], 2),
            "suggested_purchase_value": round(dash["suggested_purchase_value"], 2),
            "pos_sent": sum(1 for d in self.tenant.drafts if d["status"] == "sent"),
            "not_drafted": dict(self.tenant.unsendable),
            "stages_s": {k: round(v, 1) for k, v in self.tenant.stages.items()},
        }


def sales_lines_loaded(job: dict[str, Any]) -> int | None:
    """Sales lines a load published: Katana's ``streams`` or Xero's ``progress.counters``."""
    streams = job.get("streams") or (job.get("progress") or {}).get("counters") or {}
    entry = streams.get("sales_lines")
    return int(entry["records"]) if isinstance(entry, dict) and "records" in entry else None


def new_tenant_id() -> str:
    return str(uuid.uuid4())


def print_summary(rows: list[dict[str, Any]], out: Callable[[str], None] = print) -> None:
    """The demo summary, one block per tenant."""
    for row in rows:
        out(f"\n  {row['tenant']} ({row['source']})")
        out(f"    SKU × locations planned   {row['sku_locations']}")
        out(f"    sales lines loaded        {row['sales_lines']}")
        out(f"    forecasts                 {row['forecasts']}")
        out(
            f"    under-stocked             {row['understocked']} "
            f"(expected lost sales {row['understocked_lost_sales_value']:,.2f})"
        )
        out(
            f"    over-stocked              {row['overstocked']} "
            f"(excess value {row['overstocked_excess_value']:,.2f})"
        )
        out(f"    suggested purchases       {row['suggested_purchase_value']:,.2f}")
        out(f"    purchase orders sent      {row['pos_sent']}")
        skipped = row.get("not_drafted") or {}
        if any(skipped.values()):
            out(
                f"    rows not drafted          {skipped.get('without_supplier', 0)} without a "
                f"supplier, {skipped.get('missing_fx', 0)} without an FX rate"
            )
        stages = ", ".join(f"{k} {v}s" for k, v in row["stages_s"].items())
        out(f"    time per stage            {stages}")
