"""Settings of connector-katana (environment prefix ``CONNECTOR_KATANA_``)."""

from pydantic import Field

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    """Connector settings; every provider timing is configurable (architecture §4 "Time")."""

    model_config = service_config("CONNECTOR_KATANA_")

    service_name: str = "connector-katana"
    port: int = 8001

    katana_base_url: str = Field(
        default="https://api.katanamrp.com/v1", description="Katana API base URL (ends in /v1)."
    )
    http_timeout_s: float = 30.0
    page_limit: int = Field(default=250, ge=1, le=250)

    rate_limit: int = Field(default=60, description="Provider requests allowed per window.")
    rate_window_s: float = Field(default=60.0, description="Provider rate window in seconds.")
    rate_headroom: int = Field(default=2, ge=0, description="Requests per window never used.")
    rate_po_reserve: int = Field(
        default=2, ge=0, description="Requests per window bulk loads leave for POs."
    )
    limiter_enabled: bool = True

    history_years: float = Field(default=3.0, description="How far back loads read orders.")
    overlap_s: float = Field(default=300.0, description="Incremental watermark overlap.")
    max_deletion_fraction: float = 0.5

    job_lease_s: float = 30.0
    read_concurrency: int = Field(default=2, ge=1, description="Streams a job reads at once.")
    job_poll_s: float = 0.5
    runner_enabled: bool = True

    public_base_url: str | None = Field(
        default=None, description="Public URL of this service; webhooks are registered on it."
    )
    webhook_coalesce_s: float = Field(default=45.0, description="Webhook coalescing window.")
    webhook_flush_poll_s: float = 1.0

    scheduler_enabled: bool = True
    scheduler_poll_s: float = 60.0
    incremental_every_s: float = 3600.0
    refresh_local_hour: int = Field(default=2, ge=0, le=23)

    po_worker_poll_s: float = 0.5
    po_max_post_attempts: int = 4
    po_lease_s: float = Field(
        default=120.0,
        gt=0,
        description="How long a PO worker holds a submission; a replica that died is taken "
        "over after this.",
    )
