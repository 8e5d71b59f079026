"""Settings of api-gateway (environment prefix ``API_GATEWAY_``)."""

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("API_GATEWAY_")

    service_name: str = "api-gateway"
    port: int = 8000
