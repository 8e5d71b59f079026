"""Settings of api-gateway (environment prefix ``API_GATEWAY_``)."""

from pathlib import Path

from pydantic import Field

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("API_GATEWAY_")

    service_name: str = "api-gateway"
    port: int = 8000

    issuer: str = Field(
        default="http://127.0.0.1:8000",
        description="Public base URL of the gateway; the ``iss`` of its tokens.",
    )
    api_audience: str = "restock-api"
    access_token_ttl_s: int = 600
    refresh_token_ttl_s: int = 30 * 24 * 3600
    authorization_code_ttl_s: int = 120
    signing_key_cache_s: float = Field(
        default=10.0, description="How long verification keys are cached (rotation lag)."
    )

    web_client_id: str = "restock-web"
    web_redirect_uris: list[str] = Field(
        default_factory=lambda: [
            "http://127.0.0.1:5173/auth/callback",
            "http://localhost:5173/auth/callback",
        ]
    )

    password_log_n: int = Field(default=15, description="scrypt cost: n = 2**log_n (r=8, p=1).")
    login_window_s: int = 900
    login_max_failures_per_account: int = 5
    login_max_failures_per_ip: int = 50
    trusted_proxy_hops: int = Field(
        default=0, description="Proxies in front of the gateway (client IP from X-Forwarded-For)."
    )

    mailer: str = Field(default="console", description="console | file")
    mail_file: Path = Path(".local/mail/outbox.jsonl")
    invitation_ttl_s: int = 7 * 24 * 3600
    password_reset_ttl_s: int = 3600

    external_issuer: str | None = Field(
        default=None, description="Trust tokens from this OIDC issuer (its ``iss``)."
    )
    external_jwks_url: str | None = None
    external_audience: str | None = Field(
        default=None, description="Expected ``aud`` of external tokens (default api_audience)."
    )

    connector_katana_url: str = "http://127.0.0.1:8001"
    connector_xero_url: str = "http://127.0.0.1:8002"
    forecaster_url: str = "http://127.0.0.1:8003"
    planner_url: str = "http://127.0.0.1:8004"
    po_gateway_url: str = "http://127.0.0.1:8005"
    upstream_timeout_s: float = Field(default=30.0, description="Per forwarded call.")
    upstream_connect_timeout_s: float = 3.0
    upstream_max_connections: int = 100

    rate_client_per_s: float = Field(
        default=20.0, description="Sustained requests per second per client (token bucket)."
    )
    rate_client_burst: float = 200.0
    rate_tenant_per_s: float = Field(
        default=60.0, description="Sustained requests per second per tenant, all clients."
    )
    rate_tenant_burst: float = 600.0
    max_body_bytes: int = Field(default=2 * 1024 * 1024, description="Larger bodies get 413.")
    cors_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:5173", "http://localhost:5173"],
        description="Origins allowed to call the API from a browser (JSON list).",
    )
    web_dist: Path | None = Field(
        default=None,
        description="Built web app served at / (default <repo>/web/dist when it exists).",
    )

    def upstream_url(self, service: str) -> str:
        """Base URL of an upstream service by its name (``connector-katana`` …)."""
        return str(getattr(self, service.replace("-", "_") + "_url")).rstrip("/")
