"""Settings of forecaster (environment prefix ``FORECASTER_``)."""

from pydantic import Field

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("FORECASTER_")

    service_name: str = "forecaster"
    port: int = 8003
    run_recompute: bool = Field(default=True, description="Run the debounced recompute task.")
    recompute_poll_s: float = Field(default=1.0, description="How often due tenants are checked.")
    recompute_quiet_s: float = Field(
        default=30.0,
        description="Recompute dirty SKUs after this long without input changes "
        "(a completed sales-line sync recomputes at once).",
    )
    daily_forecast_hour: int = Field(
        default=2,
        ge=0,
        le=23,
        description="Local hour (tenant time zone, business clock) from which a tenant whose "
        "forecasts are from an earlier local day gets its daily full re-forecast.",
    )
    schedule_poll_s: float = Field(
        default=60.0, description="How often tenants are checked for the daily re-forecast."
    )
    max_history_days: int = Field(default=1095, description="Days of history fed to the engine.")
    partial_recompute_limit: int = Field(
        default=5000, description="More dirty SKUs than this recompute the whole tenant."
    )
