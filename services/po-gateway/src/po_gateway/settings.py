"""Settings of po-gateway (environment prefix ``PO_GATEWAY_``)."""

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    """po-gateway configuration: where the planner answers."""

    model_config = service_config("PO_GATEWAY_")

    service_name: str = "po-gateway"
    port: int = 8005
    planner_url: str = "http://127.0.0.1:8004"
    planner_timeout_s: float = 30.0
