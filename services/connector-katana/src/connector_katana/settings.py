"""Settings of connector-katana (environment prefix ``CONNECTOR_KATANA_``)."""

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("CONNECTOR_KATANA_")

    service_name: str = "connector-katana"
    port: int = 8001
