"""Settings of connector-xero (environment prefix ``CONNECTOR_XERO_``)."""

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("CONNECTOR_XERO_")

    service_name: str = "connector-xero"
    port: int = 8002
