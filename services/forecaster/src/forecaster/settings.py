"""Settings of forecaster (environment prefix ``FORECASTER_``)."""

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("FORECASTER_")

    service_name: str = "forecaster"
    port: int = 8003
