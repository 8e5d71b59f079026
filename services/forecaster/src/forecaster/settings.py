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
    max_history_days: int = Field(default=1095, description="Days of history fed to the engine.")
    partial_recompute_limit: int = Field(
        default=5000, description="More dirty SKUs than this recompute the whole tenant."
    )
