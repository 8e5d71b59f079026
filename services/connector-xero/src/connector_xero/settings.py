"""Settings of connector-xero (environment prefix ``CONNECTOR_XERO_``)."""

from pydantic import Field

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    """Xero app credentials, provider URLs, budget, schedule and worker timings."""

    model_config = service_config("CONNECTOR_XERO_")

    service_name: str = "connector-xero"
    port: int = 8002

    client_id: str = Field(default="", description="Xero app client id.")
    client_secret: str | None = Field(default=None, description="None for a PKCE-only app.")
    redirect_uri: str = "http://localhost:8002/oauth/xero/callback"
    scopes: str = (
        "openid profile email offline_access accounting.transactions "
        "accounting.contacts.read accounting.settings.read"
    )
    authorize_url: str = "https://login.xero.com/identity/connect/authorize"
    token_url: str = "https://identity.xero.com/connect/token"
    revocation_url: str = "https://identity.xero.com/connect/revocation"
    connections_url: str = "https://api.xero.com/connections"
    api_url: str = "https://api.xero.com/api.xro/2.0"
    webhook_key: str = Field(default="", description="The app's webhook signing key.")
    ui_return_url: str | None = Field(
        default=None, description="Where the OAuth callback sends the browser afterwards."
    )
    state_ttl_s: int = 600
    http_timeout_s: float = 30.0

    budget_per_minute: int = 60
    budget_window_s: float = 60.0
    budget_window_margin_s: float = 0.5
    budget_headroom: int = 1
    budget_po_reserve: int = 2
    budget_concurrency: int = 5
    budget_per_day: int = 5000
    budget_day_window_s: float = 86400.0
    budget_enabled: bool = True
    max_retries: int = 4

    history_days: int = 730
    overlap_s: float = 300.0
    page_size: int = 1000
    prefetch_pages: int = 4
    incremental_every_s: float = 3600.0
    refresh_hour_local: int = 2
    schedule_enabled: bool = True
    schedule_tick_s: float = 30.0
    worker_poll_s: float = 0.5
    max_parallel_jobs: int = 4
    job_lease_s: float = 120.0
    job_max_attempts: int = 5
    job_retry_backoff_s: float = 30.0
    webhook_coalesce_s: float = 2.0
    po_max_tries: int = 5
    po_retry_backoff_s: float = 5.0
    po_lease_s: float = 120.0
    """How long a PO worker holds a submission; one held by a replica that died is taken
    over after this."""
    deletion_max_fraction: float = 0.5
