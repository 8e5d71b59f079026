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
