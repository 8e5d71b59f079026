"""Settings of po-gateway (environment prefix ``PO_GATEWAY_``)."""

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("PO_GATEWAY_")

    service_name: str = "po-gateway"
    port: int = 8005
